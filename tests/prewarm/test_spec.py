import pytest

from warmstart.components.config.prewarm import PrewarmConfig
from warmstart.components.prewarm.spec import (
    HeldImage,
    chunk,
    container_name,
    daemonset_spec,
    prewarm_images,
    priority_class,
)


def held(*references):
    return [HeldImage.prebuilt(reference) for reference in references]


def test_images_are_unique_and_sorted():
    images = prewarm_images(held("b:1", "a:1", "b:1"), ["c:1", "a:1"])
    assert [image.ref for image in images] == ["a:1", "b:1", "c:1"]


def test_a_built_image_is_named_by_its_repository_and_runs_its_pushed_reference():
    pushed = object()  # stands for the digest reference a build returns on `up`
    built = HeldImage("127.0.0.1:5000/warmstart/api", pushed)
    images = prewarm_images([built, *held("zz/sidecar:1")], ["registry.k8s.io/pause:3.10"])
    assert [image.key for image in images] == [
        "127.0.0.1:5000/warmstart/api",
        "registry.k8s.io/pause:3.10",
        "zz/sidecar:1",
    ]
    pod = daemonset_spec(
        0,
        images,
        PrewarmConfig(),
        base="image-prewarm",
        namespace="ns",
        sleep_image="s:1",
        pause_image="p:1",
    )["template"]["spec"]
    assert pod["containers"][0]["name"] == "i00-api"
    assert pod["containers"][0]["image"] is pushed


@pytest.mark.parametrize(
    ("count", "per_pod", "sizes"),
    [(0, 3, []), (1, 3, [1]), (3, 3, [3]), (7, 3, [3, 3, 1]), (5, 1, [1] * 5)],
)
def test_chunking(count, per_pod, sizes):
    images = held(*(f"img{i}" for i in range(count)))
    chunks = chunk(images, per_pod)
    assert [len(c) for c in chunks] == sizes
    assert [image for c in chunks for image in c] == images


def test_container_names_are_unique_readable_dns_labels():
    assert (
        container_name(3, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/warmstart/hello:1")
        == "i03-hello"
    )
    assert container_name(0, "registry.k8s.io/coredns/coredns:v1.12.0") == "i00-coredns"
    assert container_name(12, "repo/Under_score.x:1".lower()) == "i12-under-score-x"
    long = container_name(1, "repo/" + "a" * 80 + ":1")
    assert len(long) == 63 and long.startswith("i01-aaa")


def test_sleep_mode_runs_the_copied_binary_in_every_image():
    pod = daemonset_spec(
        0,
        held("a:1", "b:2"),
        PrewarmConfig(enabled=True),
        base="image-prewarm",
        namespace="ns",
        sleep_image="s:1",
        pause_image="p:1",
    )["template"]["spec"]
    install = pod["initContainers"][0]
    assert install["image"] == "s:1"
    assert install["command"] == ["/sleep", "install", "/warmstart/bin/sleep"]
    assert [c["image"] for c in pod["containers"]] == ["a:1", "b:2"]
    assert {tuple(c["command"]) for c in pod["containers"]} == {("/warmstart/bin/sleep",)}
    assert pod["containers"][0]["volumeMounts"] == [
        {"name": "warmstart-bin", "mountPath": "/warmstart/bin", "readOnly": True}
    ]
    assert pod["volumes"] == [{"name": "warmstart-bin", "emptyDir": {"sizeLimit": "16Mi"}}]


def test_image_volume_mode_runs_nothing_from_the_images():
    pod = daemonset_spec(
        1,
        held("a:1", "b:2"),
        PrewarmConfig(enabled=True, mode="image-volume"),
        base="image-prewarm",
        namespace="ns",
        sleep_image=None,
        pause_image="p:1",
    )["template"]["spec"]
    assert [c["image"] for c in pod["containers"]] == ["p:1"]
    assert "initContainers" not in pod
    assert pod["volumes"] == [
        {"name": "image-00", "image": {"reference": "a:1", "pullPolicy": "IfNotPresent"}},
        {"name": "image-01", "image": {"reference": "b:2", "pullPolicy": "IfNotPresent"}},
    ]


def test_sleep_mode_without_sleep_image_is_an_error():
    with pytest.raises(ValueError, match="sleep image"):
        daemonset_spec(
            0,
            held("a:1"),
            PrewarmConfig(),
            base="image-prewarm",
            namespace="ns",
            sleep_image=None,
            pause_image="p:1",
        )


def test_priority_never_preempts():
    assert priority_class(PrewarmConfig()) == {
        "value": -100,
        "preemptionPolicy": "Never",
        "description": "warmstart image prewarm: keeps images on nodes; yields to every workload.",
    }
