"""Mirrors the operator runs (kind `registry`): config rules, and every reference through them."""

import pytest

from tests.conftest import config_problems as problems
from tests.conftest import registered, run, service, stack_values
from warmstart.components import ProxyMirror, ProxyMirrorArgs
from warmstart.components.config import ConfigError

UPSTREAM = "127.0.0.1:5000"
MIRROR = "127.0.0.1:5001"
BUILD = {"context": "services", "target": "hello"}
IMAGE = "docker-build:index:Image"


def mirrored(**mirror):
    return {"enabled": True, "kind": "registry", **mirror}


def test_a_registry_kind_mirror_is_valid_without_aws():
    values = stack_values(mirror=mirrored(endpoints={UPSTREAM: MIRROR, "docker-hub": "h.corp/hub"}))
    assert problems(values) == []


@pytest.mark.parametrize(
    ("mirror", "expected"),
    [
        (
            mirrored(),
            ["warmstart:mirror.endpoints: required with kind registry: upstream -> mirror"],
        ),
        (
            mirrored(endpoints={UPSTREAM: MIRROR}, upstreams=["k8s"], keepImages=5),
            [
                "warmstart:mirror.keepImages: only for kind ecr; remove it",
                "warmstart:mirror.upstreams: only for kind ecr; remove it",
            ],
        ),
        (
            mirrored(endpoints={"team": MIRROR}),
            [
                "warmstart:mirror.endpoints.team: must be an upstream name (ecr-public, k8s, "
                "quay, docker-hub, ghcr) or a registry host (with a dot or a port, or localhost)"
            ],
        ),
        (
            mirrored(endpoints={UPSTREAM: "127.0.0.1:5000/cache"}),
            [
                "warmstart:mirror.endpoints.127.0.0.1:5000: a mirror on its own upstream "
                '(got "127.0.0.1:5000/cache")'
            ],
        ),
        (
            mirrored(endpoints={"docker-hub": "a.corp", "index.docker.io": "b.corp"}),
            [
                'warmstart:mirror.endpoints: two keys name the same upstream registry (got "docker.io")'
            ],
        ),
        (
            {"enabled": True, "endpoints": {UPSTREAM: MIRROR}},
            [
                "warmstart:mirror.enabled: the registry mirror needs warmstart:aws "
                "(accountId, region) (got true)",
                "warmstart:mirror.endpoints: only for kind registry (ECR's are derived)",
            ],
        ),
    ],
)
def test_registry_kind_rules(mirror, expected):
    assert sorted(problems(stack_values(mirror=mirror))) == sorted(expected)


def test_a_mirror_address_must_be_a_host_and_path():
    [problem] = problems(stack_values(mirror=mirrored(endpoints={UPSTREAM: "http://m:5001"})))
    assert problem.startswith("warmstart:mirror.endpoints.127.0.0.1:5000: ")


@pytest.fixture(scope="module")
def local_with_mirror():
    hello = service(build=BUILD)
    del hello["image"]
    values = stack_values(
        hello,
        registry={"server": UPSTREAM},
        mirror=mirrored(endpoints={UPSTREAM: MIRROR, "k8s": "mirror.corp/k8s"}),
        prewarm={"enabled": True, "sleepImage": f"{UPSTREAM}/sandbox/sleep:1"},
    )
    return run(values)


def test_builds_push_upstream_and_every_workload_pulls_through_the_mirror(local_with_mirror):
    pushed = local_with_mirror.get(IMAGE, "hello").inputs["exports"][0]["image"]["names"]
    assert pushed == [f"{UPSTREAM}/warmstart/hello"]
    pulled = f"{MIRROR}/warmstart/hello@sha256:<known after apply: {IMAGE} hello.digest>"
    deployment = local_with_mirror.get("kubernetes:apps/v1:Deployment", "hello")
    assert deployment.inputs["spec"]["template"]["spec"]["containers"][0]["image"] == pulled
    holders = local_with_mirror.get("kubernetes:apps/v1:DaemonSet", "image-prewarm-0")
    pod = holders.inputs["spec"]["template"]["spec"]
    assert [c["image"] for c in pod["containers"]] == [pulled]
    assert pod["initContainers"][0]["image"] == f"{MIRROR}/sandbox/sleep:1"


def test_the_routes_are_a_stack_output(local_with_mirror):
    component = local_with_mirror.get("warmstart:registry:ProxyMirror", "proxy-mirror")
    assert component.parent.endswith("pulumi:pulumi:Stack::warmstart-test")
    assert local_with_mirror.outputs["mirror"] == {
        "routes": {UPSTREAM: MIRROR, "registry.k8s.io": "mirror.corp/k8s"}
    }


# ProxyMirror used directly: its endpoints checked by the same rules; instances coexist.


def test_two_proxy_mirrors_in_one_program():
    def program():
        ProxyMirror("eu", ProxyMirrorArgs(endpoints={"docker-hub": "mirror.eu.internal"}))
        ProxyMirror("us", ProxyMirrorArgs(endpoints={"docker-hub": "mirror.us.internal"}))

    assert sorted(r.name for r in registered(program)) == ["eu", "us"]


def test_endpoints_are_checked_like_the_stack_files():
    with pytest.raises(ConfigError) as raised:
        ProxyMirror(
            "bad", ProxyMirrorArgs(endpoints={"dockerhub": "x.internal", "ghcr": "ghcr.io"})
        )
    assert [problem.describe() for problem in raised.value.problems] == [
        "endpoints.dockerhub: must be an upstream name (ecr-public, k8s, quay, docker-hub, ghcr) "
        "or a registry host (with a dot or a port, or localhost)",
        'endpoints.ghcr: a mirror on its own upstream (got "ghcr.io")',
    ]
