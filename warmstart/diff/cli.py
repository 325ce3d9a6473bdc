"""`python -m warmstart diff --base REF [--head REF] [--out FILE] [--format json]`: the PR
comment, offline.

Each revision renders itself: the base is extracted with `git archive` and rendered by its
own code (`python -m warmstart render` in that tree), so the diff shows what merging changes,
even when the change is in the components rather than a stack file. Both sides are priced
by the head's cost rules with the head's usage assumptions, so the cost change is the
change in what is deployed, not in how it is priced.

A run renders every stack twice (about 50 s for this repository's five): a line per render
goes to stderr, so stdout holds the comment (or the JSON) and nothing else. A bad revision,
a missing directory or a file that cannot be read or written is one line on stderr and
exit 2, like a configuration error, not a traceback.
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
from warmstart.diff.json_report import json_report
from warmstart.diff.pricing import monthly_cost
from warmstart.diff.revisions import RevisionError, Side, extract, has_stack, render, short
from warmstart.diff.risks import engine_disagrees, risks
from warmstart.stackfile import Project, StackFileError, available_stacks, read_stack_config

EXIT_HEAD_BROKEN = 2  # also a revision, directory or file the diff cannot use
FORMATS = {"markdown": render_comment, "json": json_report}

Plan = dict[str, Any]
Rendered = dict[tuple[str, str], tuple[Plan | None, str | None]]


def add_parser(commands: argparse._SubParsersAction) -> None:
    diff = commands.add_parser("diff", help="the pull request comment: base revision -> head")
    diff.add_argument("--base", required=True, help="git revision to compare against (origin/main)")
    diff.add_argument("--head", help="git revision of the change (default: the working tree)")
    diff.add_argument("--out", type=Path, help="write the comment here (default: stdout)")
    diff.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="markdown",
        help="markdown: the PR comment (default); json: the same content for programs",
    )
    diff.add_argument(
        "--preview",
        action="store_true",
        help="also run `pulumi preview --json` per stack (needs the engine and credentials)",
    )
    diff.add_argument(
        "--stack", action="append", dest="stacks", help="only this stack (repeatable; default: all)"
    )


class DiffError(Exception):
    """Arguments the diff cannot work with, said in one line."""


@dataclass(frozen=True)
class Trees:
    """The two sides being compared, and where each keeps its stack files."""

    base: Side
    head: Side
    stacks: Path


def run(args: argparse.Namespace) -> int:
    try:
        return _diff(args)
    except (DiffError, RevisionError) as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{error.filename}: {error.strerror}" if error.filename else str(error))


def _fail(problem: str) -> int:
    print(f"error: {problem}", file=sys.stderr)
    return EXIT_HEAD_BROKEN


def _diff(args: argparse.Namespace) -> int:
    project: Project = args.project
    _check_arguments(args)
    with tempfile.TemporaryDirectory(prefix="warmstart-diff-") as scratch:
        work = Path(scratch)
        trees = _trees(project, args, work)
        names = _stack_names(args.stacks, trees)
        rendered = _render_all(names, trees, work)
        stacks = [_stack_diff(name, rendered, trees) for name in names]
    if args.preview:
        stacks = _preview_all(project, stacks)
    head = short(project.root, args.head) if args.head else trees.head.label
    text = FORMATS[args.format](short(project.root, args.base), head, stacks)
    if args.out:
        args.out.write_text(text)
        print(f"wrote {args.out} ({len(text):,} characters)")
    else:
        print(text, end="")
    head_errors = [stack for stack in stacks if stack.error and stack.error.startswith("head")]
    return EXIT_HEAD_BROKEN if head_errors else 0


def _check_arguments(args: argparse.Namespace) -> None:
    """What can be refused before the minute of rendering, is."""
    if args.preview and args.head:
        raise DiffError("--preview previews the working tree; leave out --head")
    if args.out and args.out.is_dir():
        raise DiffError(f"--out {args.out}: a directory, not a file")
    if args.out and not args.out.parent.is_dir():
        raise DiffError(f"--out {args.out}: no directory {args.out.parent}")


def _trees(project: Project, args: argparse.Namespace, work: Path) -> Trees:
    base = Side(args.base, extract(project.root, args.base, work / "base"))
    head = (
        Side(args.head, extract(project.root, args.head, work / "head"))
        if args.head
        else Side("working tree", project.root)
    )
    return Trees(base, head, project.stacks_path)


def _stack_names(wanted: list[str] | None, trees: Trees) -> list[str]:
    """The stacks asked for (all the stacks of either side by default); an unknown one is an
    error before anything renders."""
    known = sorted(
        set(available_stacks(trees.base.tree / trees.stacks))
        | set(available_stacks(trees.head.tree / trees.stacks))
    )
    unknown = [name for name in wanted or [] if name not in known]
    if unknown:
        raise DiffError(
            f"no stack {', '.join(unknown)} in {trees.stacks} at either revision "
            f"(stacks: {', '.join(known)})"
        )
    return wanted or known


def _render_all(names: list[str], trees: Trees, work: Path) -> Rendered:
    """Every stack on every side that has it, one progress line each on stderr."""
    jobs = [
        (name, which, side)
        for name in names
        for which, side in (("base", trees.base), ("head", trees.head))
        if has_stack(side.tree, trees.stacks, name)
    ]
    rendered: Rendered = {}
    for number, (name, which, side) in enumerate(jobs, 1):
        print(f"rendering {name} at {side.label} ({number}/{len(jobs)})...", file=sys.stderr)
        rendered[name, which] = render(side.tree, trees.stacks, name, work / which / name)
    return rendered


def _stack_diff(stack: str, rendered: Rendered, trees: Trees) -> StackDiff:
    before, base_error = rendered.get((stack, "base"), (None, None))
    after, head_error = rendered.get((stack, "head"), (None, None))
    if head_error or base_error:
        return StackDiff(
            stack, error=f"head: {head_error}" if head_error else f"base: {base_error}"
        )
    usage = _usage(trees.head.tree if after else trees.base.tree, trees.stacks, stack)
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


def _preview_all(project: Project, stacks: list[StackDiff]) -> list[StackDiff]:
    """Every stack with the engine's plan, one progress line each on stderr."""
    previewed = []
    for number, stack in enumerate(stacks, 1):
        print(f"previewing {stack.stack} ({number}/{len(stacks)})...", file=sys.stderr)
        previewed.append(with_engine_preview(project, stack))
    return previewed


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
