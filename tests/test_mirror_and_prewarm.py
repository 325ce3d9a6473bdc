"""RegistryMirror and ImagePrewarm under the mock runtime, wired as the program wires them."""

import json

import pytest

from tests.conftest import run, service, stack_values

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
DAEMONSET = "kubernetes:apps/v1:DaemonSet"
CREDENTIALS = {"secure": "v1:ciphertext"}


def mirrored_stack(*services, **overrides):
    values = dict(
        aws={"accountId": "123456789012", "region": "eu-west-1"},
        mirror={"enabled": True, "upstreams": ["ecr-public", "k8s", "quay", "docker-hub"]},
        dockerHubCredentials=CREDENTIALS,
        prewarm={
            "enabled": True,
            "sleepImage": f"{REGISTRY}/warmstart/sleep:1",
            "extraImages": ["registry.k8s.io/pause:3.10"],
        },
    )
    values.update(overrides)
    return stack_values(*services, **values)


@pytest.fixture(scope="module")
def mirrored():
    return run(
        mirrored_stack(
            service(name="hello", image="nginx:1.27"),
            service(name="api", image=f"{REGISTRY}/warmstart/api:2"),
            service(name="proxy", image="quay.io/acme/proxy@sha256:" + "a" * 64),
        )
    )


def deployment_images(result):
    return {
        r.name: r.inputs["spec"]["template"]["spec"]["containers"][0]["image"]
        for r in result.of_type("kubernetes:apps/v1:Deployment")
    }


def prewarm_images(result):
    return [
        c["image"]
        for r in result.of_type(DAEMONSET)
        for c in r.inputs["spec"]["template"]["spec"]["containers"]
    ]


def test_pods_use_mirrored_references(mirrored):
    assert deployment_images(mirrored) == {
        "hello": f"{REGISTRY}/docker-hub/library/nginx:1.27",
        "api": f"{REGISTRY}/warmstart/api:2",
        "proxy": f"{REGISTRY}/quay/acme/proxy@sha256:" + "a" * 64,
    }


def test_prewarm_holds_exactly_the_pod_references_plus_extras(mirrored):
    expected = sorted([*deployment_images(mirrored).values(), f"{REGISTRY}/k8s/pause:3.10"])
    assert prewarm_images(mirrored) == expected
    assert mirrored.outputs["prewarmImages"] == expected


def test_cache_rules_per_upstream(mirrored):
    rules = {
        r.name: r.inputs
        for r in mirrored.of_type("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    }
    assert rules["k8s"] == {"ecrRepositoryPrefix": "k8s", "upstreamRegistryUrl": "registry.k8s.io"}
    assert rules["quay"] == {"ecrRepositoryPrefix": "quay", "upstreamRegistryUrl": "quay.io"}
    assert rules["ecr-public"]["upstreamRegistryUrl"] == "public.ecr.aws"
    assert rules["docker-hub"] == {
        "ecrRepositoryPrefix": "docker-hub",
        "upstreamRegistryUrl": "registry-1.docker.io",
        "credentialArn": "<known after apply: aws:secretsmanager/secret:Secret docker-hub-credentials.arn>",
    }


def test_credentials_live_in_a_secret_with_the_ecr_prefix(mirrored):
    secret = mirrored.get("aws:secretsmanager/secret:Secret", "docker-hub-credentials")
    assert secret.inputs["name"] == "ecr-pullthroughcache/warmstart-test/docker-hub"
    version = mirrored.get(
        "aws:secretsmanager/secretVersion:SecretVersion", "docker-hub-credentials"
    )
    assert version.inputs["secretString"] == "[secret]"


def test_service_repositories(mirrored):
    repositories = {r.name: r for r in mirrored.of_type("aws:ecr/repository:Repository")}
    assert sorted(repositories) == ["api", "hello", "proxy", "sleep"]
    hello = repositories["hello"]
    assert hello.inputs["name"] == "warmstart/hello"
    assert hello.inputs["imageTagMutability"] == "IMMUTABLE"
    assert hello.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert hello.protect is False
    policy = json.loads(
        mirrored.get("aws:ecr/lifecyclePolicy:LifecyclePolicy", "hello").inputs["policy"]
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
    policy = json.loads(mirrored.get("aws:iam/policy:Policy", "node-pull-through").inputs["policy"])
    assert policy["Statement"][0]["Resource"] == [
        f"arn:aws:ecr:eu-west-1:123456789012:repository/{prefix}/*"
        for prefix in ("docker-hub", "ecr-public", "k8s", "quay")
    ]


def test_prewarm_daemonset(mirrored):
    daemonset = mirrored.get(DAEMONSET, "image-prewarm-0")
    pod = daemonset.inputs["spec"]["template"]["spec"]
    assert len(pod["containers"]) == 4
    assert pod["initContainers"][0]["image"] == f"{REGISTRY}/warmstart/sleep:1"
    assert pod["priorityClassName"] == "warmstart-image-prewarm"
    assert pod["tolerations"] == [{"operator": "Exists"}]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    for container in pod["containers"] + pod["initContainers"]:
        assert container["imagePullPolicy"] == "IfNotPresent"
        assert container["resources"] == {
            "requests": {"cpu": "1m", "memory": "4Mi"},
            "limits": {"cpu": "10m", "memory": "16Mi"},
        }
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert daemonset.inputs["spec"]["updateStrategy"]["rollingUpdate"] == {
        "maxUnavailable": "10%",
        "maxSurge": 0,
    }
    priority = mirrored.get("kubernetes:scheduling.k8s.io/v1:PriorityClass", "image-prewarm")
    assert (priority.inputs["value"], priority.inputs["preemptionPolicy"]) == (-100, "Never")
    assert priority.urn in daemonset.depends_on


def test_prewarm_splits_past_images_per_pod():
    services = [service(name=f"s{i}", image=f"repo/s{i}:1") for i in range(5)]
    result = run(
        stack_values(
            *services, prewarm={"enabled": True, "sleepImage": "repo/sleep:1", "imagesPerPod": 2}
        )
    )
    daemonsets = result.of_type(DAEMONSET)
    assert [r.name for r in daemonsets] == ["image-prewarm-0", "image-prewarm-1", "image-prewarm-2"]
    assert [len(r.inputs["spec"]["template"]["spec"]["containers"]) for r in daemonsets] == [
        2,
        2,
        1,
    ]
    selectors = [
        r.inputs["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"]
        for r in daemonsets
    ]
    assert selectors == ["image-prewarm-0", "image-prewarm-1", "image-prewarm-2"]


def test_without_mirror_references_stay_as_written():
    result = run(
        stack_values(
            service(image="nginx:1.27"), prewarm={"enabled": True, "sleepImage": "repo/sleep:1"}
        )
    )
    assert deployment_images(result) == {"hello": "nginx:1.27"}
    assert prewarm_images(result) == ["nginx:1.27"]
    assert not [r for r in result.resources if r.type.startswith("aws:")]


def test_image_volume_mode_renders_a_pause_pod():
    result = run(
        stack_values(service(image="nginx:1.27"), prewarm={"enabled": True, "mode": "image-volume"})
    )
    pod = result.get(DAEMONSET, "image-prewarm-0").inputs["spec"]["template"]["spec"]
    assert [c["image"] for c in pod["containers"]] == ["registry.k8s.io/pause:3.10"]
    assert pod["volumes"][0]["image"] == {"reference": "nginx:1.27", "pullPolicy": "IfNotPresent"}


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
    assert result.get("aws:ecr/repository:Repository", "hello").protect is True
    assert result.get("aws:ecr/repository:Repository", "hello").inputs["forceDelete"] is False
