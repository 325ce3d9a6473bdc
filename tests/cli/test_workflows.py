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
        match = re.search(r"python -m warmstart (.*?)(\||$)", line)
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


def commands(step: dict) -> list[str]:
    """The shell commands of a run step, continuation lines joined."""
    return [line.strip() for line in step.get("run", "").replace("\\\n", " ").splitlines()]


def pulumi_runs(job: dict) -> list[str]:
    return [
        " ".join(command.split())
        for step in job.get("steps", [])
        for command in commands(step)
        if command.startswith(("pulumi preview", "pulumi up"))
    ]


def test_deploy_goes_dev_staging_prod_each_through_up():
    jobs = load(PROJECT_ROOT / ".github/workflows/deploy.yml")["jobs"]
    assert [jobs[name]["with"]["stack"] for name in ("dev", "staging", "prod")] == [
        "dev",
        "staging",
        "prod",
    ]
    assert {jobs[name]["uses"] for name in jobs} == {"./.github/workflows/up.yml"}
    assert (jobs["staging"]["needs"], jobs["prod"]["needs"]) == ("dev", "staging")


def test_up_applies_exactly_the_plan_its_environment_approved_then_checks_convergence():
    jobs = load(PROJECT_ROOT / ".github/workflows/up.yml")["jobs"]
    (preview,) = pulumi_runs(jobs["plan"])
    assert "--save-plan plan.json" in preview and "environment" not in jobs["plan"]
    assert (jobs["up"]["needs"], jobs["up"]["environment"]) == ("plan", "${{ inputs.stack }}")
    constrained, converged = pulumi_runs(jobs["up"])
    assert "--plan plan.json" in constrained and "--expect-no-changes" not in constrained
    assert "--expect-no-changes" in converged and "--plan" not in converged
    uploaded = next(s for s in jobs["plan"]["steps"] if "upload-artifact" in s.get("uses", ""))
    downloaded = next(s for s in jobs["up"]["steps"] if "download-artifact" in s.get("uses", ""))
    assert uploaded["with"]["name"] == downloaded["with"]["name"] == "plan-${{ inputs.stack }}"
    # the Lambda package the plan was computed from is the one deployed
    assert uploaded["with"]["path"].split() == ["plan.json", "build/lambda/hello.zip"]


def test_every_engine_run_applies_the_policy_pack_and_prod_its_production_config():
    prod_config = "== 'prod' && 'policy/production.json'"
    actions, commands_run = [], []
    for path in WORKFLOWS:
        workflow = load(path)
        for job in workflow["jobs"].values():
            steps = job.get("steps", [])
            actions += [
                s["with"]
                for s in steps
                if s.get("uses", "").startswith("pulumi/actions") and "command" in s.get("with", {})
            ]
            if runs := pulumi_runs(job):
                env = {**workflow.get("env", {}), **job.get("env", {})}
                assert prod_config in env["POLICY_CONFIG"]
                commands_run += runs
    assert (len(actions), len(commands_run)) == (1, 4)
    for inputs in actions:
        assert inputs["policyPacks"] == "policy"
        assert prod_config in inputs["policyPackConfigs"]
    for command in commands_run:
        assert '--policy-pack policy ${POLICY_CONFIG:+--policy-pack-config "$POLICY_CONFIG"}' in (
            command
        )
    assert (PROJECT_ROOT / "policy" / "production.json").is_file()


def test_every_workflow_a_workflow_names_exists():
    for path in WORKFLOWS:
        named = set(re.findall(r"\b([\w-]+\.yml)\b", path.read_text()))
        missing = {name for name in named if not (path.parent / name).is_file()}
        assert not missing, f"{path.name} names {sorted(missing)}"


def test_promotion_goes_one_stage_up_and_opens_a_pull_request():
    workflow = load(PROJECT_ROOT / ".github/workflows/promote.yml")
    inputs = workflow[True]["workflow_dispatch"]["inputs"]
    assert (inputs["from"]["options"], inputs["to"]["options"]) == (
        ["dev", "staging"],
        ["staging", "prod"],
    )
    (job,) = workflow["jobs"].values()
    lines = [command for step in job["steps"] for command in commands(step)]
    assert any(line.startswith("gh pr create --base main") for line in lines)


def test_every_step_runs_bash_with_pipefail():
    # GitHub's default Linux shell is `bash -e`: `failing | tee log` would stay green.
    for path in WORKFLOWS:
        assert load(path).get("defaults") == {"run": {"shell": "bash"}}, path.name
        for job in load(path)["jobs"].values():
            for step in job.get("steps", []):
                assert step.get("shell", "bash") == "bash", (path.name, step)


def test_the_pulumi_cli_of_every_workflow_is_the_one_requirements_pin():
    pinned = next(
        line.split("==")[1]
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith("pulumi==")
    )
    installs = [
        (path.name, step.get("with", {}).get("pulumi-version"))
        for path in WORKFLOWS
        for job in load(path)["jobs"].values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith("pulumi/actions@")
    ]
    assert len(installs) == 5
    assert {version for _, version in installs} == {pinned}, installs


def test_drift_runs_read_only_without_an_environment_and_files_only_real_drift():
    (job,) = load(PROJECT_ROOT / ".github/workflows/drift.yml")["jobs"].values()
    # An environment's reviewers would hold every morning's run, and its role may write.
    assert "environment" not in job
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert (
        credentials["with"]["role-to-assume"] == "${{ vars[format('AWS_ROLE_{0}', matrix.stack)] }}"
    )
    (preview,) = pulumi_runs(job)
    assert "--refresh --json" in preview and "--expect-no-changes" not in preview
    # A failing preview fails its step: nothing lets it through to the drift decision.
    assert not any(step.get("continue-on-error") for step in job["steps"])
    drift = next(s for s in job["steps"] if s.get("id") == "drift")
    assert "python -m warmstart drift preview.json" in drift["run"]
    filed = [s for s in job["steps"] if "steps.drift" in s.get("if", "")]
    assert [s["if"] for s in filed] == ["steps.drift.outputs.drifted == 'true'"] * 2


def test_pulumi_cloud_is_reached_by_oidc_never_a_stored_token():
    for path in WORKFLOWS:
        assert "secrets.PULUMI_ACCESS_TOKEN" not in path.read_text(), path.name
        for job in load(path)["jobs"].values():
            steps = job.get("steps", [])
            for index, step in enumerate(steps):
                if str(step.get("uses", "")).startswith("pulumi/actions@"):
                    auth = steps[index - 1]
                    assert auth["uses"] == "pulumi/auth-actions@v1", path.name
                    assert auth["with"] == {
                        "organization": "${{ vars.PULUMI_ORGANIZATION }}",
                        "requested-token-type": "urn:pulumi:token-type:access_token:organization",
                    }
                    # Skipped where the backend is not Pulumi Cloud (no organization set).
                    assert auth["if"].endswith("vars.PULUMI_ORGANIZATION != ''"), path.name
