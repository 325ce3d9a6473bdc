"""The local cluster the end-to-end tests run against, and a copy of the local stack on it.

Needs the kubeconfig context warmstart-local (`make up` or scripts/sandbox/cluster.sh start)
and, for stacks that build, a builder and registry (WARMSTART_BUILDER for BUILDX_BUILDER).
Each test module deploys into a namespace of its own, so a running `make up` is left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest
import yaml

from tests.e2e.project import Project, copy_project

CONTEXT = "warmstart-local"
STACK = "local"


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
