"""`python -m warmstart diff` on a real git change: a clone, a commit, both sides rendered."""

import json
import subprocess
import sys

from warmstart.stackfile import PROJECT_ROOT


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def warmstart(cwd, *args):
    command = [sys.executable, "-m", "warmstart", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_diff_of_a_committed_and_an_uncommitted_change(tmp_path):
    repo = tmp_path / "repo"
    git(PROJECT_ROOT, "clone", "--quiet", "--no-hardlinks", str(PROJECT_ROOT), str(repo))
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    prod = repo / "stacks" / "Pulumi.prod.yaml"
    prod.write_text(
        prod.read_text().replace(
            "weights: {kubernetes: 90, fargate: 10, lambda: 0}",
            "weights: {kubernetes: 80, fargate: 20, lambda: 0}",
        )
    )
    git(repo, "commit", "--quiet", "-am", "shift 10% more to Fargate")
    staging = repo / "stacks" / "Pulumi.staging.yaml"
    staging.write_text(
        staging.read_text().replace("config:\n", "config:\n  warmstart:nonsense: 1\n", 1)
    )

    def diff(*args):
        # this checkout's diff on the clone's project: each revision renders with its own code
        return warmstart(PROJECT_ROOT, "--project-dir", str(repo), "diff", *args)

    committed = diff(
        "--base", "HEAD~1", "--head", "HEAD", "--stack", "prod", "--out", str(tmp_path / "c.md")
    )
    assert committed.returncode == 0, committed.stderr
    assert committed.stderr == (
        "rendering prod at HEAD~1 (1/2)...\nrendering prod at HEAD (2/2)...\n"
    )
    comment = (tmp_path / "c.md").read_text()
    assert "## warmstart diff: `HEAD~1 (" in comment
    assert "| prod | 0 | 3 | 0 | 0 | $884.41 -> $884.41 (±$0.00) |" in comment
    assert "| dev |" not in comment  # --stack prod: only prod rendered
    assert (
        "ListenerRule routing-hello: traffic weights routing-hello-ecs 10 -> 20,"
        " routing-hello-k8s 90 -> 80"
    ) in comment

    dev = repo / "stacks" / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace("eu-west-1", "us-east-1"))  # region, zones, registry

    working = diff("--base", "HEAD", "--stack", "staging", "--stack", "dev", "--format", "json")
    assert working.returncode == 2  # staging's head does not render
    assert working.stderr == (
        "rendering staging at HEAD (1/4)...\n"
        "rendering staging at working tree (2/4)...\n"
        "rendering dev at HEAD (3/4)...\n"
        "rendering dev at working tree (4/4)...\n"
    )
    report = json.loads(working.stdout)  # stdout holds the JSON and nothing else
    staging, dev_diff = report["stacks"]
    assert (staging["stack"], staging["counts"], staging["risks"]) == ("staging", None, None)
    assert staging["error"].startswith("head: ")
    assert "warmstart:nonsense: unknown key" in staging["error"]
    assert dev_diff["error"] is None
    assert dev_diff["cost"]["after"] is None
    assert dev_diff["cost"]["notPriced"] == "no prices for us-east-1"
    assert dev_diff["counts"]["update"] > 0


def test_an_unknown_stack_or_revision_is_one_line_and_exit_2():
    def diff(*args):
        return warmstart(PROJECT_ROOT, "diff", *args)

    unknown = diff("--base", "HEAD", "--stack", "nope")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        "error: no stack nope in stacks at either revision"
        " (stacks: dev, local, prod, render, staging)\n"
    )
    revision = diff("--base", "no-such-revision", "--stack", "dev")
    assert revision.returncode == 2
    assert revision.stderr == (
        "error: git archive no-such-revision: fatal: not a valid object name: no-such-revision\n"
    )


def test_git_and_file_problems_are_one_line_and_exit_2(tmp_path):
    def diff(*args):
        return warmstart(PROJECT_ROOT, "diff", *args)

    missing = tmp_path / "missing" / "c.md"
    into_nowhere = diff("--base", "HEAD", "--stack", "local", "--out", str(missing))
    assert (into_nowhere.returncode, into_nowhere.stdout) == (2, "")
    assert into_nowhere.stderr == f"error: --out {missing}: no directory {missing.parent}\n"

    onto_a_directory = diff("--base", "HEAD", "--stack", "local", "--out", str(tmp_path))
    assert onto_a_directory.returncode == 2
    assert onto_a_directory.stderr == f"error: --out {tmp_path}: a directory, not a file\n"

    # an option where the revision goes: git must not take it (--output would write a file)
    written = tmp_path / "archive.tar"
    option = diff(f"--base=--output={written}", "--stack", "local")
    assert option.returncode == 2
    assert option.stderr == (
        f"error: git archive --output={written}: fatal: not a valid object name: "
        f"--output={written}\n"
    )
    assert not written.exists()

    not_a_repository = tmp_path / "project"
    not_a_repository.mkdir()
    (not_a_repository / "Pulumi.yaml").write_text("name: team\nruntime: python\n")
    outside = warmstart(
        PROJECT_ROOT, "--project-dir", str(not_a_repository), "diff", "--base", "HEAD"
    )
    assert outside.returncode == 2
    assert outside.stderr.startswith("error: git archive HEAD: fatal: not a git repository")
    assert outside.stderr.count("\n") == 1
