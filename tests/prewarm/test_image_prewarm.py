"""ImagePrewarm under the mock runtime: it holds exactly the references the pods use."""

import pytest

from tests.conftest import registered, run, service, stack_values
from tests.mirrored import (
    DAEMONSET,
    REGISTRY,
    deployment_images,
    mirrored_run,
    prewarm_images,
)
from warmstart.components import ImagePrewarm, ImagePrewarmArgs
from warmstart.components.config import ConfigError


@pytest.fixture
def mirrored():
    return mirrored_run()


def test_prewarm_holds_exactly_the_pod_references_plus_extras(mirrored):
    expected = sorted([*deployment_images(mirrored).values(), f"{REGISTRY}/k8s/pause:3.10"])
    assert prewarm_images(mirrored) == expected
    assert mirrored.outputs["prewarmImages"] == expected


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
    # the mock runtime does not promise registration order: compare by name
    daemonsets = {r.name: r for r in result.of_type(DAEMONSET)}
    assert sorted(daemonsets) == ["image-prewarm-0", "image-prewarm-1", "image-prewarm-2"]
    spec = {name: r.inputs["spec"] for name, r in daemonsets.items()}
    assert {name: len(s["template"]["spec"]["containers"]) for name, s in spec.items()} == {
        "image-prewarm-0": 2,
        "image-prewarm-1": 2,
        "image-prewarm-2": 1,
    }
    assert {
        name: s["selector"]["matchLabels"]["app.kubernetes.io/instance"] for name, s in spec.items()
    } == {name: name for name in daemonsets}


def test_image_volume_mode_renders_a_pause_pod():
    result = run(
        stack_values(service(image="nginx:1.27"), prewarm={"enabled": True, "mode": "image-volume"})
    )
    pod = result.get(DAEMONSET, "image-prewarm-0").inputs["spec"]["template"]["spec"]
    assert [c["image"] for c in pod["containers"]] == ["registry.k8s.io/pause:3.10"]
    assert pod["volumes"][0]["image"] == {"reference": "nginx:1.27", "pullPolicy": "IfNotPresent"}


def test_holders_have_no_network_at_all(mirrored):
    policy = mirrored.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "image-prewarm")
    assert policy.inputs["spec"] == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "image-prewarm"}},
        "policyTypes": ["Ingress", "Egress"],
    }


def test_two_prewarms_in_one_namespace_name_every_object_after_themselves():
    def program():
        for name in ("prewarm-web", "prewarm-batch"):
            ImagePrewarm(
                name,
                ImagePrewarmArgs(
                    images=["registry.local/a:1"],
                    namespace="shared",
                    prewarm={"enabled": True, "sleepImage": "registry.local/sleep:1"},
                ),
            )

    resources = registered(program)
    assert len({r.urn for r in resources}) == len(resources)
    objects = sorted(
        (r.type.rsplit(":", 1)[-1], r.inputs["metadata"]["name"]) for r in resources if r.custom
    )
    assert objects == [
        ("DaemonSet", "prewarm-batch-0"),
        ("DaemonSet", "prewarm-web-0"),
        ("NetworkPolicy", "prewarm-batch"),
        ("NetworkPolicy", "prewarm-web"),
        ("PriorityClass", "shared-prewarm-batch"),
        ("PriorityClass", "shared-prewarm-web"),
        ("ServiceAccount", "prewarm-batch"),
        ("ServiceAccount", "prewarm-web"),
    ]
    daemonset = next(r for r in resources if r.name == "prewarm-web-0")
    pod = daemonset.inputs["spec"]["template"]["spec"]
    assert (pod["serviceAccountName"], pod["priorityClassName"]) == (
        "prewarm-web",
        "shared-prewarm-web",
    )


def test_prewarm_args_are_checked_like_the_stack_file():
    with pytest.raises(ConfigError) as raised:
        ImagePrewarm(
            "prewarm",
            ImagePrewarmArgs(
                images=["registry.local/a:1", "not a ref!"],
                namespace="t",
                prewarm={"imagesPerPod": 0, "mode": "sleep"},
            ),
        )
    assert str(raised.value) == (
        "invalid ImagePrewarm prewarm args, 1 problem:\n"
        "  - prewarm.imagesPerPod: must be >= 1 (got 0)"
    )
    with pytest.raises(ConfigError) as raised:
        ImagePrewarm(
            "prewarm",
            ImagePrewarmArgs(
                images=["registry.local/a:1", "not a ref!"],
                namespace="t",
                prewarm={"mode": "sleep"},
                production=True,
            ),
        )
    assert [problem.describe() for problem in raised.value.problems] == [
        "sleepImage: required in sleep mode: the sleep image to run",
        "pauseImage: production stacks pin images by digest (...@sha256:<64 hex>) "
        '(got "registry.k8s.io/pause:3.10")',
        "images[0]: production stacks pin images by digest (...@sha256:<64 hex>) "
        '(got "registry.local/a:1")',
        'images[1]: not an image reference (got "not a ref!")',
    ]
