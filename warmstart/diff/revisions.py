"""The two sides of a diff on disk, and a stack's plan as each side's own code renders it.

A revision is extracted with `git archive`; the working tree is used where it is. What goes
wrong with git or tar (a bad ref, no repository, no git) is a `RevisionError` of one line,
never a traceback: the CLI prints it and exits 2, as for any configuration error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class RevisionError(Exception):
    """A revision or a tree the diff cannot use, said in one line."""


@dataclass(frozen=True)
class Side:
    """One side of the diff: how it is named (a revision, or "working tree") and its files."""

    label: str
    tree: Path


def extract(root: Path, revision: str, into: Path) -> Path:
    """`revision` of the repository at `root`, unpacked into `into`.

    `--end-of-options`: a revision such as `--output=FILE` is a revision git does not know,
    not an option that writes a file.
    """
    into.mkdir(parents=True)
    archive = _tool(
        ["git", "-C", str(root), "archive", "--format=tar", "--end-of-options", revision],
        f"git archive {revision}",
    )
    _tool(["tar", "-x", "-C", str(into)], "tar", stdin=archive)
    return into


def _tool(command: list[str], what: str, stdin: bytes | None = None) -> bytes:
    """The command's output; its last line of stderr as a `RevisionError` when it fails."""
    try:
        result = subprocess.run(command, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError(f"{what}: {command[0]} is not installed") from None
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip().splitlines()
        raise RevisionError(f"{what}: {said[-1] if said else f'exit {result.returncode}'}")
    return result.stdout


def short(root: Path, revision: str) -> str:
    """`revision (abc1234)` as the comment names it; the revision alone if git cannot say."""
    result = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "--end-of-options", revision],
        capture_output=True,
        text=True,
        check=False,
    )
    return f"{revision} ({result.stdout.strip()})" if result.returncode == 0 else revision


def has_stack(tree: Path, stacks: Path, stack: str) -> bool:
    return (tree / stacks / f"Pulumi.{stack}.yaml").is_file()


def render(
    tree: Path, stacks: Path, stack: str, out: Path
) -> tuple[dict[str, Any] | None, str | None]:
    """(the stack's plan, None) as that tree's own code renders it, or (None, why not)."""
    result = subprocess.run(
        [sys.executable, "-m", "warmstart", "render", "--stack", stack, "--out", str(out)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None, (result.stderr.strip().splitlines() or ["render failed"])[-1]
    return json.loads((out / "plan.json").read_text()), None
