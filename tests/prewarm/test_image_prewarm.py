"""ImagePrewarm under the mock runtime: it holds exactly the references the pods use."""

import pytest

from tests.conftest import run, service, stack_values
from tests.mirrored import (
    DAEMONSET,
    REGISTRY,
    deployment_images,
    mirrored_run,
    prewarm_images,
)


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
