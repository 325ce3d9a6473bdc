"""`warmstart diff --preview` beside the real engine: the offline diff and the engine's plan.

A copy of the project made a git repository, its local stack initialised in its own file
backend, one change made in the working tree: the comment has the offline counts and, in
the engine column, what `pulumi preview` plans for the (never deployed) stack.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.e2e.cluster import local_stack
from tests.e2e.project import Project

pytestmark = pytest.mark.e2e


def git(project: Project, *args: str) -> None:
    subprocess.run(["git", "-C", str(project.root), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    copied = local_stack(tmp_path_factory, "warmstart-diff")
    git(copied, "init", "--quiet")
    git(copied, "add", "-A")
    git(
        copied,
        "-c",
        "user.name=ci",
        "-c",
        "user.email=ci@example.com",
        "commit",
        "--quiet",
        "-m",
        "base",
    )
    return copied


def test_the_comment_shows_the_engines_plan_beside_the_offline_diff(project):
    stack_file = project.root / "stacks" / "Pulumi.local.yaml"
    document = yaml.safe_load(stack_file.read_text())
    hello = next(s for s in document["config"]["warmstart:services"] if s["name"] == "hello")
    assert hello["startup"]["budgetSeconds"] == 5
    hello["startup"]["budgetSeconds"] = 8
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    result = subprocess.run(
        [
            str(project.root / ".venv" / "bin" / "python"),
            "-m",
            "warmstart",
            "diff",
            "--base",
            "HEAD",
            "--stack",
            "local",
            "--preview",
        ],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| local |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # offline: the budget change updates hello's Deployment (probes) and nothing else is replaced
    assert cells[1:5] == ["0", "1", "0", "0"]
    # the engine: nothing is deployed yet, so it creates everything and replaces nothing
    created, updated, replaced, deleted = (int(n) for n in cells[6].split(" / "))
    assert created > 20 and (updated, replaced, deleted) == (0, 0, 0)
    assert "· probes · Deployment hello container hello" in result.stdout
    assert "· engine ·" not in result.stdout
