"""`up` does exactly what the reviewed preview showed: update plans on the real engine.

The up workflow (.github/workflows/up.yml) saves `pulumi preview --save-plan` for approval
and applies it with `pulumi up --plan`. Here, on the local stack against the real cluster:
a first deploy from a plan (images whose digests are unknown at preview included), a
reviewed change applied from its plan, and a change made after the review refused by the
engine before it touches the resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.e2e.cluster import kube_json, local_stack
from tests.e2e.project import Project

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-plan"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    copied = local_stack(tmp_path_factory, NAMESPACE)
    yield copied
    copied.ok("destroy", "--yes", "--skip-preview")


def set_hello_budget(project: Project, seconds: int) -> None:
    path = project.root / "stacks" / "Pulumi.local.yaml"
    document = yaml.safe_load(path.read_text())
    hello = next(s for s in document["config"]["warmstart:services"] if s["name"] == "hello")
    hello["startup"]["budgetSeconds"] = seconds
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def save_plan(project: Project, name: str) -> Path:
    plan = project.root.parent / name
    project.ok("preview", f"--save-plan={plan}")
    return plan


def hello_liveness_delay() -> int:
    deployment = kube_json("-n", NAMESPACE, "get", "deployment", "hello")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container["livenessProbe"]["initialDelaySeconds"]


def test_the_first_deploy_follows_its_plan(project):
    plan = save_plan(project, "first.json")
    project.ok("up", f"--plan={plan}", "--yes", "--skip-preview")
    assert hello_liveness_delay() == 5
    project.ok("preview", "--expect-no-changes")


def test_a_change_made_after_the_review_is_refused(project):
    set_hello_budget(project, 8)
    plan = save_plan(project, "reviewed.json")
    set_hello_budget(project, 12)
    refused = project.pulumi("up", f"--plan={plan}", "--yes", "--skip-preview")
    assert refused.returncode != 0
    assert "violates plan" in refused.stdout
    # refused before the Deployment changed: it still runs the deployed budget
    assert hello_liveness_delay() == 5


def test_the_reviewed_change_is_applied_from_its_plan(project):
    set_hello_budget(project, 8)
    plan = save_plan(project, "reviewed-again.json")
    project.ok("up", f"--plan={plan}", "--yes", "--skip-preview")
    assert hello_liveness_delay() == 8
    project.ok("up", "--expect-no-changes", "--yes", "--skip-preview")
