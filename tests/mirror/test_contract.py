"""RegistryMirror used directly: stack-file-shaped args checked by the stack file's
`warmstart:mirror` rules, secrets the caller holds as Outputs, and instances side by side."""

import pulumi
import pytest

from tests.conftest import registered
from tests.routed import AWS
from warmstart.components import RegistryMirror, RegistryMirrorArgs
from warmstart.components.config import ConfigError

RULE = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule"
CREDENTIALS = '{"username": "team", "accessToken": "t0ken"}'


def mirror_args(**mirror) -> RegistryMirrorArgs:
    return RegistryMirrorArgs(
        mirror={"enabled": True, **mirror},
        aws=AWS,
        repositories=["api"],
        credentials={},
        production=False,
    )


def test_two_mirrors_with_distinct_prefixes_coexist():
    def program():
        RegistryMirror("team-a", mirror_args(upstreams=["quay"], repositoryPrefix="team-a"))
        RegistryMirror(
            "team-b",
            mirror_args(upstreams=["quay"], prefixes={"quay": "quay-b"}, repositoryPrefix="team-b"),
        )

    resources = registered(program)
    assert len({r.urn for r in resources}) == len(resources)
    rules = {r.name: r.inputs["ecrRepositoryPrefix"] for r in resources if r.type == RULE}
    assert rules == {"team-a-quay": "quay", "team-b-quay": "quay-b"}
    repositories = sorted(
        r.inputs["name"] for r in resources if r.type == "aws:ecr/repository:Repository"
    )
    assert repositories == ["team-a/api", "team-b/api"]


def test_a_credential_held_as_an_output_is_taken_as_a_secret():
    def program():
        RegistryMirror(
            "mirror",
            RegistryMirrorArgs(
                mirror={"enabled": True, "upstreams": ["docker-hub"]},
                aws=AWS,
                repositories=[],
                credentials={"docker-hub": pulumi.Output.secret(CREDENTIALS)},
                production=False,
            ),
        )

    resources = registered(program)
    version = next(r for r in resources if r.type.endswith("secretVersion:SecretVersion"))
    assert version.inputs["secretString"] == "[secret]"


def test_every_rule_of_the_stack_files_mirror_applies_at_the_args_paths():
    with pytest.raises(ConfigError) as raised:
        RegistryMirror(
            "mirror",
            RegistryMirrorArgs(
                mirror={
                    "enabled": True,
                    "upstreams": ["docker-hub", "quay"],
                    "prefixes": {"k8s": "kk"},
                },
                aws=AWS,
                repositories=["Payments"],
                credentials={"ghcr": CREDENTIALS, "gitlab": "{}"},
                production=False,
            ),
        )
    assert str(raised.value).startswith("invalid RegistryMirror mirror args, 5 problems:")
    assert [p.describe() for p in raised.value.problems] == [
        "credentials.gitlab: not an upstream with credentials (docker-hub, ghcr)",
        "credentials.docker-hub: required by mirror upstream docker-hub: a secret JSON"
        ' {"username": ..., "accessToken": ...}',
        'credentials.ghcr: set, but mirror upstream ghcr is not enabled (got "(set)")',
        "mirror.prefixes.k8s: prefix for an upstream that is not enabled",
        'repositories[0]: not a service name (a lowercase DNS label) (got "Payments")',
    ]


def test_a_registry_mirror_is_on_whatever_enabled_says():
    def program():
        RegistryMirror(
            "mirror",
            RegistryMirrorArgs(
                mirror={"upstreams": ["docker-hub"]},
                aws=AWS,
                repositories=[],
                credentials={"docker-hub": CREDENTIALS},
                production=False,
            ),
        )

    rules = [r for r in registered(program) if r.type == RULE]
    assert [r.inputs["upstreamRegistryUrl"] for r in rules] == ["registry-1.docker.io"]
