"""Another team's project, from `examples/consumer-*`: the example copied with a copy of the
reference services beside it (its build context), a file backend and a `dev` stack aimed at
the local cluster, the sandbox registry and builder.

Needs the cluster (`cluster.sh start`) and BuildKit with its registry (`buildkit.sh start`,
whose `env` sets WARMSTART_REGISTRY, WARMSTART_BUILDER and WARMSTART_GO_IMAGE).
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.cluster import CONTEXT, kubectl
from tests.e2e.project import COPY_IGNORES, Project, toolchain_env
from warmstart.stackfile import PROJECT_ROOT

NEEDED = ("WARMSTART_REGISTRY", "WARMSTART_BUILDER", "WARMSTART_GO_IMAGE")


def consumer_project(tmp_path_factory: pytest.TempPathFactory, example: str) -> Project:
    """`examples/<example>` as a project of its own with a `dev` stack; nothing else set."""
    missing = [name for name in NEEDED if not os.environ.get(name)]
    if missing:
        pytest.fail(f"set {', '.join(missing)}: scripts/sandbox/buildkit.sh start; eval its env")
    kubectl("get", "--raw", "/readyz")
    root = tmp_path_factory.mktemp(example)
    project = root / "project"
    shutil.copytree(PROJECT_ROOT / "examples" / example, project, ignore=COPY_IGNORES)
    shutil.copytree(PROJECT_ROOT / "services", project / "services", ignore=COPY_IGNORES)
    (root / "state").mkdir()
    env = toolchain_env()
    env.update(
        PULUMI_BACKEND_URL=f"file://{root / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="consumer-test-only",
        BUILDX_BUILDER=os.environ["WARMSTART_BUILDER"],
    )
    consumer = Project(root=project, env=env, stack="dev")
    consumer.unstacked("stack", "init", "dev")
    consumer.unstacked("config", "set", "kubernetes:context", CONTEXT)
    consumer.unstacked("config", "set", "registry", os.environ["WARMSTART_REGISTRY"])
    return consumer
