"""`pulumi preview --policy-pack policy` on the local stack: the real engine runs the pack.

The engine starts the pack, configures it (`--policy-pack-config`), sends it every planned
resource and fails the preview on a mandatory violation; the test reads the engine's report.

The pack runs exactly as it is in the repository, in its own virtualenv (policy/.venv,
`make policy-venv`), started by the Python language host, as for any user.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.e2e.cluster import local_stack
from tests.e2e.project import Project
from warmstart.stackfile import PROJECT_ROOT

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-policy"
PACK = PROJECT_ROOT / "policy"
# "- [mandatory]  no-latest-tags  (kubernetes:apps/v1:Deployment: hello)", then the policy's
# description and the violation's message on the next two lines
VIOLATION = re.compile(r"^\s+- \[(\w+)\]\s+(\S+)\s+\((\S+): (\S+)\)\n.*\n\s+(.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return local_stack(tmp_path_factory, NAMESPACE)


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


def preview(project: Project, *options: str) -> tuple[int, list[tuple[str, ...]]]:
    """The exit code and the mandatory violations (policy, resource, message) reported."""
    result = project.pulumi("preview", "--policy-pack", str(PACK), *options)
    assert "Policies:" in result.stdout, result.stdout + result.stderr
    found = [
        (policy, name, message)
        for level, policy, _type, name, message in VIOLATION.findall(result.stdout)
        if level == "mandatory"
    ]
    return result.returncode, found


def test_the_local_stack_passes_every_guardrail(project):
    code, mandatory = preview(project)
    assert (code, mandatory) == (0, [])


def test_an_image_tagged_latest_fails_the_preview(project):
    edit(project, hello_runs("127.0.0.1:5000/warmstart/hello:latest"))
    # the stack runs it through the mirror: the rule sees the reference the pods get
    assert preview(project) == (
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


def test_the_production_config_requires_digests(project):
    edit(project, hello_runs("127.0.0.1:5000/warmstart/hello:1.0"))
    assert preview(project) == (0, [])
    code, mandatory = preview(project, "--policy-pack-config", str(PACK / "production.json"))
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
