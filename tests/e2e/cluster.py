"""The local cluster the end-to-end tests run against, and a copy of the local stack on it.

Needs the kubeconfig context warmstart-local (`make up` or scripts/sandbox/cluster.sh start)
and, for stacks that build, a builder and registry (WARMSTART_BUILDER for BUILDX_BUILDER).
Each test module deploys into a namespace of its own, so a running `make up` is left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.e2e.project import Project, copy_project
from warmstart.stackfile import PROJECT_ROOT

CONTEXT = "warmstart-local"
STACK = "local"
# SANDBOX-ONLY test aids (forced image GC, containerd's view of images and processes).
SANDBOX_CLUSTER = PROJECT_ROOT / "scripts" / "sandbox" / "cluster.sh"


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


def local_stack(tmp_path_factory: pytest.TempPathFactory, namespace: str) -> Project:
    """A copy of the project whose local stack deploys into `namespace` of the cluster."""
    try:
        kubectl("get", "--raw", "/readyz")
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.fail(f"no cluster answers on context {CONTEXT}: make up, or sandbox cluster.sh")
    copied = copy_project(tmp_path_factory, STACK)
    stack_file = copied.root / "stacks" / f"Pulumi.{STACK}.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["warmstart:namespace"] = namespace
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    if os.environ.get("WARMSTART_BUILDER"):
        copied.env["BUILDX_BUILDER"] = os.environ["WARMSTART_BUILDER"]
    return copied


def on_sandbox_cluster() -> bool:
    """The cluster is scripts/sandbox/cluster.sh's (one node named warmstart, on this host)."""
    return kubectl("get", "nodes", "-o", "name").strip() == "node/warmstart"


def sandbox_aid(*args: str, timeout: int = 120) -> str:
    """One of cluster.sh's test aids; its standard output."""
    return subprocess.run(
        [str(SANDBOX_CLUSTER), *args], capture_output=True, text=True, check=True, timeout=timeout
    ).stdout


def node_images() -> set[str]:
    """Every image on the node: containerd's own list on the sandbox cluster; elsewhere the
    nodes' status, where the kubelet reports only the 50 largest (nodeStatusMaxImages), so
    a node that holds many large images may leave out small ones that are there."""
    if on_sandbox_cluster():
        return set(sandbox_aid("images").split())
    return {
        name
        for node in kube_json("get", "nodes")["items"]
        for image in node["status"].get("images", [])
        for name in image["names"]
    }


def wait_for_node_images(done: Callable[[set[str]], bool], timeout_s: float = 120) -> set[str]:
    """The node's images once `done(images)` (a node's status is refreshed every 30 s)."""
    deadline = time.monotonic() + timeout_s
    while not done(images := node_images()) and time.monotonic() < deadline:
        time.sleep(3)
    return images
