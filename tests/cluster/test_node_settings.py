from pathlib import Path

import yaml

from tests.golden import assert_golden
from warmstart.components.cluster.node_settings import (
    MIME_BOUNDARY,
    kubelet_image_gc,
    node_user_data,
    sandbox_kubelet_settings,
)
from warmstart.components.config.cluster import ImageGcConfig


def test_kubelet_fields_default_keep_in_use_images_and_prune_old_ones():
    assert kubelet_image_gc(ImageGcConfig()) == {
        "imageGCHighThresholdPercent": 85,
        "imageGCLowThresholdPercent": 75,
        "imageMinimumGCAge": "2m",
        "imageMaximumGCAge": "168h",
    }


def test_user_data_is_a_deterministic_nodeadm_part():
    text = node_user_data(ImageGcConfig(low_threshold_percent=70, maximum_age="336h"))
    assert text == node_user_data(ImageGcConfig(low_threshold_percent=70, maximum_age="336h"))
    head, part, tail = text.split(f"--{MIME_BOUNDARY}")[0:3]
    assert (
        head == f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{MIME_BOUNDARY}"\n\n'
    )
    assert part.startswith("\nContent-Type: application/node.eks.aws\n\n---\n")
    assert tail == "--\n"
    document = yaml.safe_load(part.split("\n\n", 1)[1])
    assert document["apiVersion"] == "node.eks.aws/v1alpha1"
    assert document["kind"] == "NodeConfig"
    assert document["spec"]["kubelet"]["config"]["imageGCLowThresholdPercent"] == 70
    assert document["spec"]["kubelet"]["config"]["imageMaximumGCAge"] == "336h"
    assert document["spec"]["kubelet"]["config"]["serializeImagePulls"] is False
    assert document["spec"]["kubelet"]["config"]["maxParallelImagePulls"] == 5


def test_the_local_kubelet_runs_the_start_up_settings_eks_nodes_get():
    golden = Path(__file__).parents[2] / "scripts" / "sandbox" / "kubelet-settings.yaml"
    assert_golden(golden, sandbox_kubelet_settings())
    assert yaml.safe_load(golden.read_text()) == {
        "serializeImagePulls": False,
        "maxParallelImagePulls": 5,
    }
