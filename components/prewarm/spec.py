"""The image-prewarm DaemonSets, as plain API dicts.

Each DaemonSet pod keeps a list of images in use on its node, so a GoService pod scheduled
there starts without a pull and kubelet image GC cannot evict the images. Two modes:

- `sleep`: an init container copies the static `sleep` binary (services/cmd/sleep) into an
  emptyDir, then one container per image runs it. No shell is needed, so scratch and
  distroless images work, and `sleep` uses ~1 MiB and no CPU while it waits.
- `image-volume` (Kubernetes 1.35+): one pause container mounts every image as a
  read-only image volume, so nothing from the images runs at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from warmstart.components.config.prewarm import PrewarmConfig
from warmstart.components.image_reference import parse_reference
from warmstart.components.service.pod_security import (
    container_security_context,
    pod_security_context,
)

# The name the program gives its ImagePrewarm; every object of an instance is named after
# its component, so instances with other names coexist in one namespace and cluster.
NAME = "image-prewarm"
BIN_VOLUME = "warmstart-bin"
BIN_DIR = "/warmstart/bin"
SLEEP_PATH = f"{BIN_DIR}/sleep"
# The `sleep` image is scratch with the binary at /sleep (services/Dockerfile, target sleep).
SLEEP_IN_IMAGE = "/sleep"


@dataclass(frozen=True)
class HeldImage:
    """An image to keep on every node.

    `key` is known when the program runs and names and orders the holder: the reference
    itself for a prebuilt image, the repository for one the program builds. `ref` is what
    the holder runs: the same string, or `repository@digest` once the build is pushed.
    """

    key: str
    ref: Any

    @staticmethod
    def prebuilt(reference: str) -> HeldImage:
        return HeldImage(reference, reference)


def prewarm_images(
    service_images: Iterable[HeldImage], extra_images: Iterable[str]
) -> list[HeldImage]:
    """Every image to keep present: no duplicates, sorted so the order is stable."""
    held = {image.key: image for image in service_images}
    held.update({reference: HeldImage.prebuilt(reference) for reference in extra_images})
    return [held[key] for key in sorted(held)]


def chunk(images: Sequence[HeldImage], per_pod: int) -> list[list[HeldImage]]:
    """Split into DaemonSets of at most `per_pod` images (a pod's container count is bounded)."""
    return [list(images[start : start + per_pod]) for start in range(0, len(images), per_pod)]


def container_name(index: int, image: str) -> str:
    """A unique DNS label that still says which image it holds: `i03-hello`."""
    last = parse_reference(image).path.rsplit("/", 1)[-1]
    readable = re.sub(r"[^a-z0-9-]+", "-", last.lower()).strip("-")
    return f"i{index:02d}-{readable}"[:63].rstrip("-")


def daemonset_name(base: str, index: int) -> str:
    return f"{base}-{index}"


def selector_labels(base: str, index: int) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": base,
        "app.kubernetes.io/instance": daemonset_name(base, index),
    }


def labels(base: str, index: int) -> dict[str, str]:
    return {
        **selector_labels(base, index),
        "app.kubernetes.io/part-of": "warmstart",
        "app.kubernetes.io/managed-by": "pulumi",
    }


def network_policy_spec(base: str) -> dict[str, Any]:
    """Holders only keep images on the node: no traffic in or out, ever."""
    return {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": base}},
        "policyTypes": ["Ingress", "Egress"],
    }


def priority_class_name(namespace: str, base: str) -> str:
    """Cluster-scoped, so named after the namespace: two stacks can share a cluster."""
    return f"{namespace}-{base}"


def priority_class(config: PrewarmConfig) -> dict[str, Any]:
    """Below every workload, and never preempting: prewarm yields, it never evicts.

    globalDefault is left out (false is the API default): the provider drops a false there,
    and what we render must equal what it sends.
    """
    return {
        "value": config.priority,
        "preemptionPolicy": "Never",
        "description": "warmstart image prewarm: keeps images on nodes; yields to every workload.",
    }


def _resources(config: PrewarmConfig) -> dict[str, Any]:
    amounts = config.resources
    return {
        "requests": {"cpu": amounts.requests.cpu, "memory": amounts.requests.memory},
        "limits": {"cpu": amounts.limits.cpu, "memory": amounts.limits.memory},
    }


def _container(name: str, image: Any, config: PrewarmConfig, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        **fields,
        "resources": _resources(config),
        "securityContext": container_security_context(),
    }


def _sleep_mode(
    images: Sequence[HeldImage], config: PrewarmConfig, sleep_image: Any
) -> dict[str, Any]:
    bin_mount = {"name": BIN_VOLUME, "mountPath": BIN_DIR}
    install = _container(
        "install-sleep",
        sleep_image,
        config,
        command=[SLEEP_IN_IMAGE, "install", SLEEP_PATH],
        volumeMounts=[bin_mount],
    )
    holders = [
        _container(
            container_name(index, image.key),
            image.ref,
            config,
            command=[SLEEP_PATH],
            volumeMounts=[{**bin_mount, "readOnly": True}],
        )
        for index, image in enumerate(images)
    ]
    return {
        "initContainers": [install],
        "containers": holders,
        "volumes": [{"name": BIN_VOLUME, "emptyDir": {"sizeLimit": "16Mi"}}],
    }


def _image_volume_mode(
    images: Sequence[HeldImage], config: PrewarmConfig, pause_image: str
) -> dict[str, Any]:
    volumes = [
        {
            "name": f"image-{index:02d}",
            "image": {"reference": image.ref, "pullPolicy": "IfNotPresent"},
        }
        for index, image in enumerate(images)
    ]
    mounts = [
        {"name": volume["name"], "mountPath": f"/images/{index:02d}", "readOnly": True}
        for index, volume in enumerate(volumes)
    ]
    return {
        "containers": [_container("pause", pause_image, config, volumeMounts=mounts)],
        "volumes": volumes,
    }


def daemonset_spec(
    index: int,
    images: Sequence[HeldImage],
    config: PrewarmConfig,
    *,
    base: str,
    namespace: str,
    sleep_image: Any,
    pause_image: str,
) -> dict[str, Any]:
    """One prewarm DaemonSet; `images` and the helper images are already mirror-rewritten."""
    if config.mode == "sleep":
        if sleep_image is None:
            raise ValueError("sleep mode needs the sleep image")
        workload = _sleep_mode(images, config, sleep_image)
    else:
        workload = _image_volume_mode(images, config, pause_image)
    pod: dict[str, Any] = {
        "priorityClassName": priority_class_name(namespace, base),
        "serviceAccountName": base,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": 5,
        "securityContext": pod_security_context(),
        **workload,
    }
    if config.node_selector:
        pod["nodeSelector"] = dict(config.node_selector)
    if config.tolerate_all_taints:
        pod["tolerations"] = [{"operator": "Exists"}]
    return {
        "selector": {"matchLabels": selector_labels(base, index)},
        "updateStrategy": {
            "type": "RollingUpdate",
            # A list change rolls node by node, so nodes do not all pull at once.
            "rollingUpdate": {"maxUnavailable": config.max_unavailable, "maxSurge": 0},
        },
        "template": {"metadata": {"labels": labels(base, index)}, "spec": pod},
    }
