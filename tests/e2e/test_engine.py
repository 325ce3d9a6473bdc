"""The real Pulumi engine and Kubernetes provider on the render stack (marker `e2e`).

Runs in a copy of the project with its own file backend, so neither the repository's
stack files nor its state change. Needs the toolchain: `make toolchain` (or a pulumi CLI
with the kubernetes plugin); `make e2e` runs these.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.project import Project, copy_project
from warmstart.stackfile import PROJECT_ROOT

pytestmark = pytest.mark.e2e

STACK = "render"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_project(tmp_path_factory, STACK)


def provider_objects(root: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    objects = {}
    for path in sorted((root / "rendered" / STACK / "provider").glob("*/*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                meta = document["metadata"]
                objects[document["kind"], meta.get("namespace", ""), meta["name"]] = document
    return objects


def offline_objects(project: Project) -> dict[tuple[str, str, str], dict[str, Any]]:
    out = project.root / "offline"
    subprocess.run(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "python"),
            "-m",
            "warmstart",
            "render",
            "--stack",
            STACK,
            "--out",
            str(out),
        ],
        cwd=project.root,
        check=True,
        capture_output=True,
        text=True,
    )
    documents = yaml.safe_load_all((out / "manifests.yaml").read_text())
    return {
        (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]): d for d in documents
    }


def test_up_renders_every_object(project):
    project.ok("up", "--yes", "--skip-preview")
    objects = provider_objects(project.root)
    kinds = sorted({kind for kind, _, _ in objects})
    assert kinds == [
        "DaemonSet",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Namespace",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "PriorityClass",
        "Service",
        "ServiceAccount",
    ]
    # per service: SA, Deployment, Service, PDB, HPA, NetworkPolicy; the namespace and its
    # default deny; prewarm: PriorityClass, SA, DaemonSet, NetworkPolicy
    assert len(objects) == 3 * 6 + 2 + 4


def test_second_up_changes_nothing(project):
    project.ok("up", "--yes", "--expect-no-changes")


def test_a_budget_change_updates_only_that_deployment(project):
    stack_file = project.root / "stacks" / f"Pulumi.{STACK}.yaml"
    text = stack_file.read_text()
    assert text.count("startup: {budgetSeconds: 5, probe: http}") == 1
    stack_file.write_text(
        text.replace("budgetSeconds: 5, probe: http", "budgetSeconds: 8, probe: http")
    )
    preview = json.loads(project.ok("preview", "--diff", "--json"))
    changed = [step for step in preview["steps"] if step["op"] != "same"]
    assert [
        (step["op"], step["urn"].rsplit("::", 1)[-1], step["urn"].split("::")[2])
        for step in changed
    ] == [("update", "hello", "warmstart:kubernetes:GoService$kubernetes:apps/v1:Deployment")]
    # Both derive from the budget: when liveness first asks, and when a rollout has failed.
    assert sorted(changed[0]["detailedDiff"]) == [
        "spec.progressDeadlineSeconds",
        "spec.template.spec.containers[0].livenessProbe.initialDelaySeconds",
    ]
    project.ok("up", "--yes", "--skip-preview")


def test_the_provider_writes_exactly_what_render_writes(project):
    real, offline = provider_objects(project.root), offline_objects(project)
    assert sorted(real) == sorted(offline)
    for key, document in offline.items():
        assert real[key] == document, key
    hello = real["Deployment", "warmstart", "hello"]
    assert (
        hello["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["initialDelaySeconds"]
        == 8
    )


def test_destroy_leaves_nothing(project):
    project.ok("destroy", "--yes", "--skip-preview")
    assert provider_objects(project.root) == {}
    state = json.loads(project.ok("stack", "export"))
    assert state["deployment"].get("resources") in (None, [])
