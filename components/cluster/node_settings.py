"""Node settings for AL2023 EKS nodes, as `nodeadm` NodeConfig user-data parts.

Two kinds. Start-up (`START_UP_KUBELET`): a new node's prewarm pulls every service image at
once, and the kubelet's default pulls one image at a time; these settings are also what the
local cluster's kubelet runs with (scripts/sandbox/kubelet-settings.yaml, generated from
here and checked by a test), so the start-up benchmark measures what EKS nodes get.

Image GC: prewarming only pays off if the kubelet keeps what was pulled. The kubelet never garbage-
collects an image that a running container uses, so the prewarm DaemonSet's images stay
whatever the thresholds; the thresholds decide how long everything else survives: images
of old releases (`imageMaximumGCAge`), and how hard disk pressure prunes (`imageGC*`).
"""

from __future__ import annotations

from typing import Any

import yaml

from warmstart.components.config.cluster import ImageGcConfig

NODECONFIG_CONTENT_TYPE = "application/node.eks.aws"
# Fixed, so an unchanged config renders byte-identical user data (no launch template churn).
MIME_BOUNDARY = "WARMSTART-NODECONFIG-BOUNDARY"


# Parallel pulls, bounded: a node joining a 200-service stack must not open 200 pulls at once.
START_UP_KUBELET: dict[str, Any] = {"serializeImagePulls": False, "maxParallelImagePulls": 5}


def kubelet_image_gc(gc: ImageGcConfig) -> dict[str, Any]:
    """KubeletConfiguration fields, named as the kubelet reads them."""
    return {
        "imageGCHighThresholdPercent": gc.high_threshold_percent,
        "imageGCLowThresholdPercent": gc.low_threshold_percent,
        "imageMinimumGCAge": gc.minimum_age,
        "imageMaximumGCAge": gc.maximum_age,
    }


def node_config(kubelet_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {"kubelet": {"config": kubelet_config}},
    }


def user_data(parts: list[tuple[str, str]]) -> str:
    """A MIME multi-part document, as EC2 user data for nodeadm, from (content type, body)."""
    lines = [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{MIME_BOUNDARY}"',
        "",
    ]
    for content_type, body in parts:
        lines += [f"--{MIME_BOUNDARY}", f"Content-Type: {content_type}", "", body.rstrip("\n")]
    lines += [f"--{MIME_BOUNDARY}--", ""]
    return "\n".join(lines)


def kubelet_settings(gc: ImageGcConfig) -> dict[str, Any]:
    """Every KubeletConfiguration field warmstart sets on EKS nodes."""
    return {**START_UP_KUBELET, **kubelet_image_gc(gc)}


def node_user_data(gc: ImageGcConfig) -> str:
    document = yaml.safe_dump(node_config(kubelet_settings(gc)), sort_keys=False)
    return user_data([(NODECONFIG_CONTENT_TYPE, "---\n" + document)])


def sandbox_kubelet_settings() -> str:
    """The start-up fields as lines of the local cluster's KubeletConfiguration (its image GC
    thresholds are its own: that node shares its disk with build caches)."""
    header = "# Generated from components/cluster/node_settings.py START_UP_KUBELET: do not edit\n"
    return header + yaml.safe_dump(START_UP_KUBELET, sort_keys=False)
