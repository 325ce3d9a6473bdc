"""The GitHub workflows call warmstart the way its CLI accepts, and edit the one comment."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from warmstart.__main__ import build_parser
from warmstart.diff.comment import MARKER
from warmstart.stackfile import PROJECT_ROOT, available_stacks

WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def run_lines():
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for step in job.get("steps", []):
                for line in step.get("run", "").splitlines():
                    yield path.name, line.strip()


def warmstart_calls():
    for name, line in run_lines():
        match = re.search(r"python -m warmstart (.*?)(\|\||$)", line)
        if match:
            yield name, match.group(1)


def test_every_warmstart_command_line_parses():
    calls = list(warmstart_calls())
    assert calls, "the pull request workflow runs warmstart diff"
    parser = build_parser()
    for name, arguments in calls:
        words = [re.sub(r"\$\{?\w+\}?", "x", word) for word in shlex.split(arguments)]
        try:
            parser.parse_args(words)
        except SystemExit:
            pytest.fail(f"{name}: python -m warmstart {arguments} is not a valid command line")


def test_the_comment_step_edits_the_comment_that_starts_with_the_diff_marker():
    steps = load(PROJECT_ROOT / ".github/workflows/pull-request.yml")["jobs"]["diff"]["steps"]
    script = next(
        step["with"]["script"] for step in steps if "github-script" in step.get("uses", "")
    )
    assert f"const marker = '{MARKER}';" in script
    assert "updateComment" in script and "createComment" in script


@pytest.mark.parametrize("workflow", ["pull-request.yml", "drift.yml"])
def test_matrices_cover_every_cloud_stack(workflow):
    jobs = load(PROJECT_ROOT / ".github/workflows" / workflow)["jobs"]
    stacks = next(job["strategy"]["matrix"]["stack"] for job in jobs.values() if "strategy" in job)
    cloud = [name for name in available_stacks() if name not in ("local", "render")]
    assert sorted(stacks) == cloud


def test_deploy_goes_dev_staging_prod_and_checks_convergence():
    jobs = load(PROJECT_ROOT / ".github/workflows/deploy.yml")["jobs"]
    assert [jobs[name]["with"]["stack"] for name in ("dev", "staging", "prod")] == [
        "dev",
        "staging",
        "prod",
    ]
    assert (jobs["staging"]["needs"], jobs["prod"]["needs"]) == ("dev", "staging")
    steps = load(PROJECT_ROOT / ".github/workflows/up.yml")["jobs"]["up"]["steps"]
    pulumi = [step["with"] for step in steps if step.get("uses", "").startswith("pulumi/actions")]
    assert [(s["command"], s.get("expect-no-changes")) for s in pulumi] == [
        ("up", None),
        ("up", True),
    ]


def test_every_engine_run_applies_the_policy_pack_and_prod_its_production_config():
    runs = [
        step["with"]
        for path in WORKFLOWS
        for job in load(path)["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses", "").startswith("pulumi/actions")
    ]
    assert len(runs) == 4
    for inputs in runs:
        assert inputs["policyPacks"] == "policy"
        assert "== 'prod' && 'policy/production.json'" in inputs["policyPackConfigs"]
    assert (PROJECT_ROOT / "policy" / "production.json").is_file()
