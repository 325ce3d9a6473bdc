"""`warmstart drift PREVIEW_JSON`: whether `pulumi preview --refresh --json` found drift.

The daily drift job used `--expect-no-changes`, whose failure it could not tell from any
other (expired credentials, a throttled API, a policy violation): each became a "Drift"
issue. Now the job fails on its own when the preview fails, and drift is decided only from
a preview that ran: its change summary counts operations other than `same`.

Prints `drifted=true|false` and `summary=...` (the GITHUB_OUTPUT format the workflow
appends), and with `--report FILE` writes the issue body: the summary and each resource
that would change, by operation. Exit 2 when the file is not a preview's JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
REPORTED_RESOURCES = 50  # an issue body stays readable; the run's log has the rest


@dataclass(frozen=True)
class Drift:
    changes: dict[str, int]  # operation -> count, `same` excluded, zero counts dropped
    resources: list[tuple[str, str]]  # (operation, URN) of every step that is not `same`

    @property
    def drifted(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        return ", ".join(f"{op} {n}" for op, n in sorted(self.changes.items())) or "no changes"


def read_drift(preview: dict[str, Any]) -> Drift:
    """The drift in one `pulumi preview --json` document (ValueError if it is not one)."""
    counts = preview.get("changeSummary")
    if not isinstance(counts, dict):
        raise ValueError("no changeSummary: not the JSON of `pulumi preview --json`")
    changes = {op: int(n) for op, n in counts.items() if op != "same" and int(n) > 0}
    resources = [
        (str(step.get("op")), str(step.get("urn")))
        for step in preview.get("steps", [])
        if step.get("op") not in ("same", None)
    ]
    return Drift(changes, resources)


def report(stack: str, drift: Drift) -> str:
    lines = [f"`pulumi preview --refresh` of `{stack}` would change: {drift.summary()}.", ""]
    shown = drift.resources[:REPORTED_RESOURCES]
    lines += [f"- {op} `{urn}`" for op, urn in shown]
    if len(drift.resources) > len(shown):
        lines.append(f"- ... and {len(drift.resources) - len(shown)} more (see the run's log)")
    return "\n".join(lines) + "\n"


def add_parser(commands: Any) -> None:
    drift = commands.add_parser("drift", help="read a `pulumi preview --refresh --json` file")
    drift.add_argument("preview", type=Path, help="the preview's JSON output")
    drift.add_argument("--stack", required=True, help="the stack it previewed (for the report)")
    drift.add_argument("--report", type=Path, help="write the drift issue's body here")


def run(args: argparse.Namespace) -> int:
    try:
        drift = read_drift(json.loads(args.preview.read_text()))
    except (OSError, ValueError) as error:  # JSONDecodeError is a ValueError
        print(f"error: {args.preview}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"drifted={'true' if drift.drifted else 'false'}")
    print(f"summary={drift.summary()}")
    if args.report is not None:
        args.report.write_text(report(args.stack, drift))
    return 0
