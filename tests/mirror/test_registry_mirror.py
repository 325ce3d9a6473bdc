"""RegistryMirror under the mock runtime, wired as the program wires it."""

import json

import pytest

from tests.conftest import run, service, stack_values
from tests.mirrored import (
    REGISTRY,
    deployment_images,
    mirrored_run,
    mirrored_stack,
    prewarm_images,
)


@pytest.fixture
def mirrored():
    return mirrored_run()


def test_pods_use_mirrored_references(mirrored):
    assert deployment_images(mirrored) == {
        "hello": f"{REGISTRY}/docker-hub/library/nginx:1.27",
        "api": f"{REGISTRY}/warmstart/api:2",
        "proxy": f"{REGISTRY}/quay/acme/proxy@sha256:" + "a" * 64,
    }


def test_cache_rules_per_upstream(mirrored):
    rules = {
        r.name: r.inputs
        for r in mirrored.of_type("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    }
    assert rules["registry-mirror-k8s"] == {
        "ecrRepositoryPrefix": "k8s",
        "upstreamRegistryUrl": "registry.k8s.io",
    }
    assert rules["registry-mirror-quay"] == {
        "ecrRepositoryPrefix": "quay",
        "upstreamRegistryUrl": "quay.io",
    }
    assert rules["registry-mirror-ecr-public"]["upstreamRegistryUrl"] == "public.ecr.aws"
    assert rules["registry-mirror-docker-hub"] == {
        "ecrRepositoryPrefix": "docker-hub",
        "upstreamRegistryUrl": "registry-1.docker.io",
        "credentialArn": "<known after apply: aws:secretsmanager/secret:Secret registry-mirror-docker-hub-credentials.arn>",
    }


def test_credentials_live_in_a_secret_with_the_ecr_prefix(mirrored):
    secret = mirrored.get(
        "aws:secretsmanager/secret:Secret", "registry-mirror-docker-hub-credentials"
    )
    assert secret.inputs["name"] == "ecr-pullthroughcache/warmstart-test/docker-hub"
    version = mirrored.get(
        "aws:secretsmanager/secretVersion:SecretVersion", "registry-mirror-docker-hub-credentials"
    )
    assert version.inputs["secretString"] == "[secret]"
    # ECR reads the secret's value when the rule is created: the version exists first.
    rule = mirrored.get(
        "aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "registry-mirror-docker-hub"
    )
    assert version.urn in rule.depends_on


def test_service_repositories(mirrored):
    repositories = {r.name: r for r in mirrored.of_type("aws:ecr/repository:Repository")}
    assert sorted(repositories) == [
        "registry-mirror-api",
        "registry-mirror-hello",
        "registry-mirror-proxy",
        "registry-mirror-sleep",
    ]
    hello = repositories["registry-mirror-hello"]
    assert hello.inputs["name"] == "warmstart/hello"
    assert hello.inputs["imageTagMutability"] == "IMMUTABLE"
    assert hello.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert hello.protect is False
    policy = json.loads(
        mirrored.get("aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-mirror-hello").inputs[
            "policy"
        ]
    )
    assert policy["rules"][0]["selection"]["countNumber"] == 30


def test_aws_provider_is_pinned_to_the_account(mirrored):
    provider = mirrored.get("pulumi:providers:aws", "aws")
    assert provider.inputs["region"] == "eu-west-1"
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["123456789012"]
    mirror = mirrored.get("warmstart:aws:RegistryMirror", "registry-mirror")
    aws_children = [r for r in mirrored.resources if r.type.startswith("aws:")]
    assert aws_children and {r.provider for r in aws_children} == {provider.urn}
    assert all(
        r.urn.split("::")[2].startswith("warmstart:aws:RegistryMirror$") for r in aws_children
    )
    assert mirror.parent.endswith("pulumi:pulumi:Stack::warmstart-test")


def test_node_policy_grants_only_the_cache_prefixes(mirrored):
    policy = json.loads(
        mirrored.get("aws:iam/policy:Policy", "registry-mirror-node-pull-through").inputs["policy"]
    )
    assert policy["Statement"][0]["Resource"] == [
        f"arn:aws:ecr:eu-west-1:123456789012:repository/{prefix}/*"
        for prefix in ("docker-hub", "ecr-public", "k8s", "quay")
    ]


def test_without_mirror_references_stay_as_written():
    result = run(
        stack_values(
            service(image="nginx:1.27"), prewarm={"enabled": True, "sleepImage": "repo/sleep:1"}
        )
    )
    assert deployment_images(result) == {"hello": "nginx:1.27"}
    assert prewarm_images(result) == ["nginx:1.27"]
    assert not [r for r in result.resources if r.type.startswith("aws:")]


def test_production_protects_repositories():
    pinned = service(
        image=f"{REGISTRY}/warmstart/hello@sha256:" + "b" * 64, autoscaling={"minReplicas": 2}
    )
    values = mirrored_stack(
        pinned,
        production=True,
        cluster={"mode": "existing"},
        mirror={"enabled": True},
        dockerHubCredentials=None,
        prewarm={"enabled": False},
    )
    del values["warmstart:dockerHubCredentials"]
    result = run(values)
    assert result.get("aws:ecr/repository:Repository", "registry-mirror-hello").protect is True
    assert (
        result.get("aws:ecr/repository:Repository", "registry-mirror-hello").inputs["forceDelete"]
        is False
    )


def test_outside_production_a_credentials_secret_is_deleted_at_once(mirrored):
    secret = mirrored.get(
        "aws:secretsmanager/secret:Secret", "registry-mirror-docker-hub-credentials"
    )
    assert secret.inputs["recoveryWindowInDays"] == 0


def test_repositories_the_cache_creates_get_a_lifecycle_from_a_template(mirrored):
    templates = {
        t.name: t
        for t in mirrored.of_type("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate")
    }
    assert sorted(templates) == [
        "registry-mirror-docker-hub-repositories",
        "registry-mirror-ecr-public-repositories",
        "registry-mirror-k8s-repositories",
        "registry-mirror-quay-repositories",
    ]
    k8s = templates["registry-mirror-k8s-repositories"]
    assert k8s.inputs["prefix"] == "k8s"
    assert k8s.inputs["appliedFors"] == ["PULL_THROUGH_CACHE"]
    assert k8s.inputs["encryptionConfigurations"] == [{"encryptionType": "AES256"}]
    lifecycle = json.loads(k8s.inputs["lifecyclePolicy"])
    assert lifecycle["rules"][0]["selection"]["countType"] == "imageCountMoreThan"
    # A first pull may create a repository as soon as the rule exists: the template is first.
    rule = mirrored.get("aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "registry-mirror-k8s")
    assert k8s.urn in rule.depends_on
