"""Built images under the mock runtime: one pinned string everywhere, in the right order."""

import json

import pytest

from tests.conftest import run
from tests.routed import AWS, EKS, HELLO, routed_stack

REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/warmstart/hello"
IMAGE = "docker-build:index:Image"
PINNED = f"{REPOSITORY}@sha256:<known after apply: {IMAGE} hello.digest>"


@pytest.fixture(scope="module")
def built():
    hello = {k: v for k, v in HELLO.items() if k != "image"}
    hello["build"] = {"context": "services", "target": "hello"}
    prewarm = {"enabled": True, "sleepBuild": {"context": "services", "target": "sleep"}}
    values = routed_stack(hello, mirror={"enabled": True}, prewarm=prewarm)
    return run(values)


def test_each_build_is_a_service_image_with_a_docker_build_image(built):
    component = built.get("warmstart:docker:ServiceImage", "hello")
    image = built.get(IMAGE, "hello")
    assert image.parent == component.urn
    assert image.provider.endswith("::docker-build")
    assert image.inputs["context"] == {"location": "services"}
    assert image.inputs["dockerfile"] == {"location": "services/Dockerfile"}
    assert image.inputs["target"] == "hello"
    assert image.inputs["platforms"] == ["linux/amd64", "linux/arm64"]
    assert image.inputs["buildArgs"] == {"SOURCE_DATE_EPOCH": "0"}
    [export] = image.inputs["exports"]
    assert export["image"]["names"] == [REPOSITORY]
    assert (export["image"]["push"], export["image"]["pushByDigest"]) == (True, True)
    assert image.inputs["buildOnPreview"] is False
    assert sorted(r.name for r in built.of_type(IMAGE)) == ["hello", "sleep"]


def test_registry_credentials_never_reach_the_plan(built):
    # The ECR token's password is a secret, so the whole registries input is one.
    assert built.get(IMAGE, "hello").inputs["registries"] == "[secret]"


def test_the_repository_exists_before_the_push(built):
    repository = built.get("aws:ecr/repository:Repository", "registry-mirror-hello")
    assert repository.urn in built.get(IMAGE, "hello").depends_on
    sleep_repository = built.get("aws:ecr/repository:Repository", "registry-mirror-sleep")
    assert sleep_repository.urn in built.get(IMAGE, "sleep").depends_on


def test_one_pinned_string_for_pods_prewarm_and_fargate(built):
    deployment = built.get("kubernetes:apps/v1:Deployment", "hello")
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == PINNED
    daemonset = built.get("kubernetes:apps/v1:DaemonSet", "image-prewarm-0")
    holders = daemonset.inputs["spec"]["template"]["spec"]
    assert [c["image"] for c in holders["containers"]] == [PINNED]
    assert holders["containers"][0]["name"] == "i00-hello"
    sleep = f"{REPOSITORY[: -len('hello')]}sleep@sha256:<known after apply: {IMAGE} sleep.digest>"
    assert holders["initContainers"][0]["image"] == sleep
    task = built.get("aws:ecs/taskDefinition:TaskDefinition", "fargate-hello")
    assert json.loads(task.inputs["containerDefinitions"])[0]["image"] == PINNED
    assert built.outputs["services"]["hello"]["image"] == PINNED


def test_image_volume_mode_keeps_its_sleep_build_unbuilt():
    """A stack switched to image-volume mode, its sleepBuild left in place, renders: the sleep
    image is neither built nor given a repository (it failed with KeyError: 'sleep')."""
    hello = {k: v for k, v in HELLO.items() if k != "image"}
    hello["build"] = {"context": "services", "target": "hello"}
    prewarm = {
        "enabled": True,
        "mode": "image-volume",
        "sleepBuild": {"context": "services", "target": "sleep"},
    }
    values = routed_stack(hello, mirror={"enabled": True}, prewarm=prewarm)
    rendered = run(values)
    assert sorted(r.name for r in rendered.of_type(IMAGE)) == ["hello"]
    daemonset = rendered.get("kubernetes:apps/v1:DaemonSet", "image-prewarm-0")
    pod = daemonset.inputs["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["pause"]
    assert [v["image"]["reference"] for v in pod["volumes"]] == [PINNED]


def test_workloads_wait_for_the_push(built):
    image = built.get(IMAGE, "hello")
    for type_, name in (
        ("kubernetes:apps/v1:Deployment", "hello"),
        ("kubernetes:apps/v1:DaemonSet", "image-prewarm-0"),
        ("aws:ecs/taskDefinition:TaskDefinition", "fargate-hello"),
    ):
        assert image.urn in built.get(type_, name).depends_on, (type_, name)


def test_a_plain_registry_with_credentials():
    hello = {k: v for k, v in HELLO.items() if k not in ("image", "routes", "fallback")}
    hello["build"] = {"context": "services", "target": "hello", "platforms": ["linux/amd64"]}
    result = run(
        routed_stack(
            hello,
            aws=AWS,
            cluster=EKS,
            routing={"enabled": False},
            registry={"server": "registry.example.com", "builder": "ci"},
            registryCredentials={"secure": "v1:abc"},
        )
    )
    image = result.get(IMAGE, "hello")
    assert image.inputs["exports"][0]["image"]["names"] == ["registry.example.com/warmstart/hello"]
    assert image.inputs["builder"] == {"name": "ci"}
    assert image.inputs["registries"] == "[secret]"
    assert image.depends_on == ()
