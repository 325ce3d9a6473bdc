"""The policy pack on what the real engine plans for the local stack.

`pulumi preview --json` (real engine, real cluster) gives every resource's planned inputs;
each goes to the policy pack over the analyzer protocol (tests/policy/analyzer_client.py),
as `pulumi preview --policy-pack policy` would send it. (That flag itself needs the Python
language host to run policy packs; the sandbox's host, built from SDK v3.79, predates it:
see the README.) The stack as written passes; an image tagged `latest` fails with the
rule's message, mandatory.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
import yaml

from tests.e2e.cluster import local_stack
from tests.e2e.project import Project
from warmstart.stackfile import PROJECT_ROOT

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-policy"
PACK = PROJECT_ROOT / "policy"
CLIENT = PROJECT_ROOT / "tests" / "policy" / "analyzer_client.py"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return local_stack(tmp_path_factory, NAMESPACE)


def edit(project: Project, change: Any) -> None:
    path = project.root / "stacks" / "Pulumi.local.yaml"
    document = yaml.safe_load(path.read_text())
    change(document["config"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def planned(project: Project) -> list[dict[str, Any]]:
    """Every custom resource the engine plans, with its inputs as the analyzer receives them."""
    preview = json.loads(project.ok("preview", "--json"))
    return [
        {
            "type": state["type"],
            "name": step["urn"].rsplit("::", 1)[1],
            "urn": step["urn"],
            "inputs": state.get("inputs", {}),
            "protect": state.get("protect", False),
        }
        for step in preview["steps"]
        if (state := step.get("newState"))
        and state.get("custom")
        and not state["type"].startswith("pulumi:")
    ]


def analyze(resources: list[dict[str, Any]]) -> list[dict[str, str]]:
    result = subprocess.run(
        [str(PACK / ".venv" / "bin" / "python"), str(CLIENT), str(PACK)],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)["diagnostics"]


def mandatory(diagnostics: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [
        (d["policy"], d["message"].splitlines()[-1])
        for d in diagnostics
        if d["enforcement"] == "mandatory"
    ]


def test_the_local_stack_passes_every_guardrail(project):
    resources = planned(project)
    assert {"kubernetes:apps/v1:Deployment", "docker-build:index:Image"} <= {
        r["type"] for r in resources
    }
    diagnostics = analyze(resources)
    assert mandatory(diagnostics) == []
    # what the engine cannot know yet (digests of images built by this up) is reported, not failed
    assert all("during preview" in d["message"] for d in diagnostics)


def test_an_image_tagged_latest_is_refused(project):
    def latest(config: dict[str, Any]) -> None:
        hello = next(s for s in config["warmstart:services"] if s["name"] == "hello")
        hello.pop("build")
        hello["image"] = "127.0.0.1:5000/warmstart/hello:latest"

    edit(project, latest)
    # the stack runs it through the mirror: the rule sees the reference the pods get
    assert mandatory(analyze(planned(project))) == [
        (
            "no-latest-tags",
            "hello/hello: image 127.0.0.1:5001/warmstart/hello:latest has no version: "
            "use a tag or a digest, never latest",
        )
    ]
