"""`python -m warmstart diff --base REF [--head REF] [--out FILE]`: the PR comment, offline.

Each revision renders itself: the base is extracted with `git archive` and rendered by its
own code (`python -m warmstart render` in that tree), so the diff shows what merging changes,
even when the change is in the components rather than a stack file. Both sides are priced
by the head's cost rules with the head's usage assumptions, so the cost change is the
change in what is deployed, not in how it is priced.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from warmstart.components.config import ConfigError, parse_config
from warmstart.components.config.cost import CostConfig
from warmstart.diff.changes import OPERATIONS, counts, diff_plans
from warmstart.diff.comment import StackDiff, render_comment
from warmstart.diff.pricing import monthly_cost
from warmstart.diff.risks import engine_disagrees, risks
from warmstart.stackfile import Project, StackFileError, available_stacks, read_stack_config

EXIT_HEAD_BROKEN = 2


def add_parser(commands: argparse._SubParsersAction) -> None:
    diff = commands.add_parser("diff", help="the pull request comment: base revision -> head")
    diff.add_argument("--base", required=True, help="git revision to compare against (origin/main)")
    diff.add_argument("--head", help="git revision of the change (default: the working tree)")
    diff.add_argument("--out", type=Path, help="write the comment here (default: stdout)")
    diff.add_argument(
        "--preview",
        action="store_true",
        help="also run `pulumi preview --json` per stack (needs the engine and credentials)",
    )
    diff.add_argument(
        "--stack", action="append", dest="stacks", help="only this stack (repeatable; default: all)"
    )


@dataclass(frozen=True)
class Trees:
    """The two revisions being compared, and where each keeps its stack files."""

    base: Path
    head: Path
    stacks: Path


def run(args: argparse.Namespace) -> int:
    project: Project = args.project
    if args.preview and args.head:
        print("error: --preview previews the working tree; leave out --head", file=sys.stderr)
        return EXIT_HEAD_BROKEN
    with tempfile.TemporaryDirectory(prefix="warmstart-diff-") as scratch:
        work = Path(scratch)
        try:
            base_tree = _extract(project, args.base, work / "base")
            head_tree = _extract(project, args.head, work / "head") if args.head else project.root
        except subprocess.CalledProcessError as error:
            reason = error.stderr.decode(errors="replace").strip().splitlines()
            said = reason[-1] if reason else str(error)
            print(f"error: git archive {error.cmd[-1]}: {said}", file=sys.stderr)
            return EXIT_HEAD_BROKEN
        known = sorted(
            set(available_stacks(base_tree / project.stacks_path))
            | set(available_stacks(head_tree / project.stacks_path))
        )
        unknown = [name for name in args.stacks or [] if name not in known]
        if unknown:
            print(
                f"error: no stack {', '.join(unknown)} in {project.stacks_path} at either "
                f"revision (stacks: {', '.join(known)})",
                file=sys.stderr,
            )
            return EXIT_HEAD_BROKEN
        trees = Trees(base_tree, head_tree, project.stacks_path)
        stacks = [_stack_diff(name, trees, work) for name in args.stacks or known]
    if args.preview:
        stacks = [with_engine_preview(project, stack) for stack in stacks]
    head = _short(project, args.head) if args.head else "working tree"
    text = render_comment(_short(project, args.base), head, stacks)
    if args.out:
        args.out.write_text(text)
        print(f"wrote {args.out} ({len(text):,} characters)")
    else:
        print(text, end="")
    head_errors = [stack for stack in stacks if stack.error and stack.error.startswith("head")]
    return EXIT_HEAD_BROKEN if head_errors else 0


def _extract(project: Project, revision: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(project.root), "archive", "--format=tar", revision],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _short(project: Project, revision: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(project.root), "rev-parse", "--short", revision],
        capture_output=True,
        text=True,
        check=False,
    )
    return f"{revision} ({result.stdout.strip()})" if result.returncode == 0 else revision


def _render(
    tree: Path, stacks: Path, stack: str, out: Path
) -> tuple[dict[str, Any] | None, str | None]:
    """The stack's plan as that tree's own code renders it; (None, None) if it has no such stack."""
    if not (tree / stacks / f"Pulumi.{stack}.yaml").is_file():
        return None, None
    result = subprocess.run(
        [sys.executable, "-m", "warmstart", "render", "--stack", stack, "--out", str(out)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        problem = (result.stderr.strip().splitlines() or ["render failed"])[-1]
        return None, problem
    return json.loads((out / "plan.json").read_text()), None


def _stack_diff(stack: str, trees: Trees, work: Path) -> StackDiff:
    before, base_error = _render(trees.base, trees.stacks, stack, work / "out-base" / stack)
    after, head_error = _render(trees.head, trees.stacks, stack, work / "out-head" / stack)
    if head_error or base_error:
        return StackDiff(
            stack, error=f"head: {head_error}" if head_error else f"base: {base_error}"
        )
    usage = _usage(trees.head if after else trees.base, trees.stacks, stack)
    changes = diff_plans(before, after)
    cost_before, before_unpriced = monthly_cost(before, usage)
    cost_after, after_unpriced = monthly_cost(after, usage)
    unpriced = dict.fromkeys(why for why in (before_unpriced, after_unpriced) if why)
    return StackDiff(
        stack,
        changes=tuple(changes),
        risks=tuple(risks(changes)),
        cost_before=cost_before,
        cost_after=cost_after,
        not_priced="; ".join(unpriced) or None,
    )


def with_engine_preview(project: Project, stack: StackDiff) -> StackDiff:
    """The stack with the engine's own plan of the working tree, or why there is none."""
    if stack.error:
        return stack
    engine, why_not = engine_summary(project, stack.stack)
    offline = counts(list(stack.changes))
    return replace(
        stack,
        engine=engine,
        engine_error=why_not,
        risks=(*engine_disagrees(offline, engine), *stack.risks),
    )


def engine_summary(project: Project, stack: str) -> tuple[dict[str, int] | None, str | None]:
    """`pulumi preview --json`'s changeSummary for the stack, or why it could not run."""
    if shutil.which("pulumi") is None:
        return None, "no pulumi CLI"
    result = subprocess.run(
        ["pulumi", "preview", "--json", "--stack", stack, "--non-interactive"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    try:
        summary = json.loads(result.stdout).get("changeSummary")
    except json.JSONDecodeError:
        summary = None
    if result.returncode != 0 or summary is None:
        return None, (result.stderr.strip().splitlines() or ["pulumi preview failed"])[-1]
    return {operation: int(summary.get(operation, 0)) for operation in OPERATIONS}, None


def _usage(tree: Path, stacks: Path, stack: str) -> CostConfig:
    try:
        config = read_stack_config(stack, tree / stacks)
        return parse_config(config.values, config.secret_keys).cost
    except (ConfigError, StackFileError):
        return CostConfig()
