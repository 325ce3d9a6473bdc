"""Node settings for AL2023 EKS nodes, as `nodeadm` NodeConfig user-data parts.

Prewarming only pays off if the kubelet keeps what was pulled. The kubelet never garbage-
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


def image_gc_user_data(gc: ImageGcConfig) -> str:
    document = yaml.safe_dump(node_config(kubelet_image_gc(gc)), sort_keys=False)
    return user_data([(NODECONFIG_CONTENT_TYPE, "---\n" + document)])
