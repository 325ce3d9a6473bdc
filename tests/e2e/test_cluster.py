"""The local stack on a real cluster: real engine, real kubelet, images built and pulled.

Needs the kubeconfig context warmstart-local (`make up` or scripts/sandbox/cluster.sh start)
and a builder and registry as for test_images (WARMSTART_BUILDER for BUILDX_BUILDER). The
stack deploys into a namespace of its own, so a running `make up` is left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any

import pytest
import yaml

from tests.e2e.project import Project, copy_project

pytestmark = pytest.mark.e2e

STACK = "local"
CONTEXT = "warmstart-local"
NAMESPACE = "warmstart-e2e"


def kubectl(*args: str) -> str:
    return subprocess.run(
        ["kubectl", "--context", CONTEXT, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout


def kube_json(*args: str) -> dict[str, Any]:
    return json.loads(kubectl(*args, "-o", "json"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    try:
        kubectl("get", "--raw", "/readyz")
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.fail(f"no cluster answers on context {CONTEXT}: make up, or sandbox cluster.sh")
    copied = copy_project(tmp_path_factory, STACK)
    stack_file = copied.root / "stacks" / f"Pulumi.{STACK}.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["warmstart:namespace"] = NAMESPACE
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    if os.environ.get("WARMSTART_BUILDER"):
        copied.env["BUILDX_BUILDER"] = os.environ["WARMSTART_BUILDER"]
    return copied


def test_up_waits_for_every_deployment_and_the_prewarm_daemonset(project):
    project.ok("up", "--yes", "--skip-preview")
    deployments = kube_json("-n", NAMESPACE, "get", "deployments")["items"]
    assert sorted(d["metadata"]["name"] for d in deployments) == ["edge-proxy", "hello", "ledger"]
    for deployment in deployments:
        assert deployment["status"].get("readyReplicas") == deployment["spec"]["replicas"]
    [daemonset] = kube_json("-n", NAMESPACE, "get", "daemonsets")["items"]
    assert daemonset["status"]["numberReady"] == daemonset["status"]["desiredNumberScheduled"] >= 1


def test_the_namespace_enforces_restricted_and_every_pod_is_admitted(project):
    labels = kube_json("get", "namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    pods = kube_json("-n", NAMESPACE, "get", "pods")["items"]
    assert len(pods) == 4  # three services, one prewarm holder
    assert {pod["status"]["phase"] for pod in pods} == {"Running"}


def test_every_stack_image_is_on_the_node_by_its_digest(project):
    outputs = json.loads(project.ok("stack", "output", "--json"))
    wanted = {service["image"] for service in outputs["services"].values()}
    assert all("@sha256:" in image for image in wanted)
    assert set(outputs["prewarmImages"]) == wanted
    # The kubelet reports its images with the node's status, every 10 s at most.
    deadline = time.monotonic() + 60
    while not wanted <= (on_node := node_images()) and time.monotonic() < deadline:
        time.sleep(2)
    assert wanted <= on_node


def node_images() -> set[str]:
    return {
        name
        for node in kube_json("get", "nodes")["items"]
        for image in node["status"].get("images", [])
        for name in image["names"]
    }


def test_a_second_up_changes_nothing(project):
    project.ok("up", "--yes", "--expect-no-changes")


def test_destroy_leaves_no_objects(project):
    project.ok("destroy", "--yes", "--skip-preview")
    namespaces = kube_json("get", "namespaces")["items"]
    assert NAMESPACE not in {n["metadata"]["name"] for n in namespaces}
