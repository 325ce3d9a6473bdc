"""`pulumi preview --policy-pack policy` on the local stack: the real engine runs the pack.

The engine starts the pack, configures it (`--policy-pack-config`), sends it every planned
resource and fails the preview on a mandatory violation; the test reads the engine's report.

SANDBOX route: a Python pack is started by the Python language host, and the toolchain's host
(built from SDK v3.79, see scripts/toolchain.sh) predates that. With that host, the test's copy
of the pack names a runtime no language host serves, so the engine takes its other route, the
analyzer plugin `pulumi-analyzer-policy-<runtime>` on PATH: scripts/sandbox/policy-analyzer,
which starts the pack in its virtualenv as a current host does. With any other Pulumi CLI
the pack runs as it is in the repository.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.cluster import local_stack
from tests.e2e.project import COPY_IGNORES, Project
from warmstart.stackfile import PROJECT_ROOT

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-policy"
PACK = PROJECT_ROOT / "policy"
SANDBOX_RUNTIME = "sandbox-python"
# "- [mandatory]  no-latest-tags  (kubernetes:apps/v1:Deployment: hello)", then the policy's
# description and the violation's message on the next two lines
VIOLATION = re.compile(r"^\s+- \[(\w+)\]\s+(\S+)\s+\((\S+): (\S+)\)\n.*\n\s+(.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return local_stack(tmp_path_factory, NAMESPACE)


@pytest.fixture(scope="module")
def pack(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    host = shutil.which("pulumi-language-python", path=project.env["PATH"]) or ""
    if "warmstart-toolchain" not in host:
        return PACK
    return sandbox_pack(project, tmp_path_factory.mktemp("policy"))


def sandbox_pack(project: Project, directory: Path) -> Path:
    """A copy of the pack the engine starts through scripts/sandbox/policy-analyzer."""
    copied = directory / "pack"
    shutil.copytree(PACK, copied, ignore=COPY_IGNORES)
    (copied / ".venv").symlink_to(PACK / ".venv")
    manifest = copied / "PulumiPolicy.yaml"
    document = yaml.safe_load(manifest.read_text())
    document["runtime"]["name"] = SANDBOX_RUNTIME
    manifest.write_text(yaml.safe_dump(document, sort_keys=False))
    plugins = directory / "bin"
    plugins.mkdir()
    launcher = PROJECT_ROOT / "scripts" / "sandbox" / "policy-analyzer"
    (plugins / f"pulumi-analyzer-policy-{SANDBOX_RUNTIME}").symlink_to(launcher)
    project.env["PATH"] = f"{plugins}{os.pathsep}{project.env['PATH']}"
    return copied


def edit(project: Project, change: Any) -> None:
    path = project.root / "stacks" / "Pulumi.local.yaml"
    document = yaml.safe_load(path.read_text())
    change(document["config"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def hello_runs(image: str) -> Any:
    def change(config: dict[str, Any]) -> None:
        hello = next(s for s in config["warmstart:services"] if s["name"] == "hello")
        hello.pop("build", None)
        hello["image"] = image

    return change


def preview(project: Project, pack: Path, *options: str) -> tuple[int, list[tuple[str, ...]]]:
    """The exit code and the mandatory violations (policy, resource, message) reported."""
    result = project.pulumi("preview", "--policy-pack", str(pack), *options)
    assert "Policies:" in result.stdout, result.stdout + result.stderr
    found = [
        (policy, name, message)
        for level, policy, _type, name, message in VIOLATION.findall(result.stdout)
        if level == "mandatory"
    ]
    return result.returncode, found


def test_the_local_stack_passes_every_guardrail(project, pack):
    code, mandatory = preview(project, pack)
    assert (code, mandatory) == (0, [])


def test_an_image_tagged_latest_fails_the_preview(project, pack):
    edit(project, hello_runs("127.0.0.1:5000/warmstart/hello:latest"))
    # the stack runs it through the mirror: the rule sees the reference the pods get
    assert preview(project, pack) == (
        1,
        [
            (
                "no-latest-tags",
                "hello",
                "hello/hello: image 127.0.0.1:5001/warmstart/hello:latest has no version: "
                "use a tag or a digest, never latest",
            )
        ],
    )


def test_the_production_config_requires_digests(project, pack):
    edit(project, hello_runs("127.0.0.1:5000/warmstart/hello:1.0"))
    assert preview(project, pack) == (0, [])
    code, mandatory = preview(project, pack, "--policy-pack-config", str(PACK / "production.json"))
    assert code == 1
    assert mandatory == [
        (
            "images-by-digest",
            "hello",
            "hello/hello: production runs images by digest, not 127.0.0.1:5001/warmstart/hello:1.0",
        ),
        (
            "stateful-protected",
            NAMESPACE,
            f"{NAMESPACE}: kubernetes:core/v1:Namespace holds state and must be protected "
            "in production",
        ),
    ]
