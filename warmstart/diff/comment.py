"""The pull request comment: summary first, then risks, then collapsed details.

GitHub rejects comments over 65,536 characters. The summary and the risks always go in
(risks capped per stack); details are added stack by stack while they fit, and what did
not fit is named. The same input always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmstart.cost.report import money, signed
from warmstart.diff.changes import OPERATIONS, ResourceChange, counts
from warmstart.diff.risks import Risk

MARKER = "<!-- warmstart-diff -->"
GITHUB_LIMIT = 65_536
MAX_RISKS_PER_STACK = 50
MAX_VALUE = 100
FOOTER = (
    "\n_Offline renders of both revisions; replacements predicted from the providers' "
    "immutable inputs. `pulumi preview` is the authority where it runs._\n"
)


@dataclass(frozen=True)
class StackDiff:
    """One stack's side of the comment; `error` when either revision does not render."""

    stack: str
    changes: tuple[ResourceChange, ...] = ()
    risks: tuple[Risk, ...] = ()
    cost_before: float | None = None
    cost_after: float | None = None
    not_priced: str | None = None  # why a side has no estimate (no prices for its region)
    error: str | None = None
    engine: dict[str, int] | None = None  # `pulumi preview --json`'s changeSummary
    engine_error: str | None = None


def render_comment(base: str, head: str, stacks: list[StackDiff], limit: int = GITHUB_LIMIT) -> str:
    head_part = "\n".join(
        [
            MARKER,
            f"## warmstart diff: `{base}` -> `{head}`",
            "",
            *_summary(stacks),
            "",
            *_risks(stacks),
            "",
        ]
    )
    footer = FOOTER
    body = head_part
    left_out = []
    for stack in stacks:
        details = _details(stack)
        if not details:
            continue
        if len(body) + len(details) + len(footer) + 200 > limit:
            left_out.append(stack.stack)
            continue
        body += details
    if left_out:
        body += (
            f"\nDetails left out to stay under GitHub's {limit:,}-character limit: "
            f"{', '.join(left_out)} (run `python -m warmstart diff` locally).\n"
        )
    return body + footer


def _summary(stacks: list[StackDiff]) -> list[str]:
    engine = any(stack.engine is not None or stack.engine_error for stack in stacks)
    extra = (" engine preview |", "---|") if engine else ("", "")
    lines = [
        f"| stack | create | update | replace | delete | monthly cost |{extra[0]}",
        f"|---|---:|---:|---:|---:|---|{extra[1]}",
    ]
    for stack in stacks:
        if stack.error:
            lines.append(f"| {stack.stack} | | | | | does not render: {_cell(stack.error)} |")
            continue
        tally = counts(list(stack.changes))
        row = f"| {stack.stack} | " + " | ".join(str(tally[op]) for op in OPERATIONS)
        row += f" | {_cost(stack)} |"
        lines.append(row + (f" {_engine(stack)} |" if engine else ""))
    return lines


def _engine(stack: StackDiff) -> str:
    """The engine's own counts, in the same order as the offline columns."""
    if stack.engine is None:
        return f"n/a: {_cell(stack.engine_error or 'not run', 80)}"
    return " / ".join(str(stack.engine.get(op, 0)) for op in OPERATIONS)


def _cost(stack: StackDiff) -> str:
    before, after = stack.cost_before, stack.cost_after
    if stack.not_priced:
        return f"not priced: {_cell(stack.not_priced, 120)}"
    if before is None and after is None:
        return "n/a"
    if before is None or after is None:
        event = "added" if before is None else "removed"
        return f"{money(before or 0.0)} -> {money(after or 0.0)} (stack {event})"
    return f"{money(before)} -> {money(after)} ({signed(after - before)})"


def _risks(stacks: list[StackDiff]) -> list[str]:
    total = sum(len(stack.risks) for stack in stacks)
    if not total:
        return ["No risks flagged."]
    lines = [f"### Risks ({total})", ""]
    for stack in stacks:
        for risk in stack.risks[:MAX_RISKS_PER_STACK]:
            lines.append(f"- **{stack.stack}** · {risk.kind} · {_cell(risk.message, 300)}")
        if len(stack.risks) > MAX_RISKS_PER_STACK:
            lines.append(f"- **{stack.stack}** · and {len(stack.risks) - MAX_RISKS_PER_STACK} more")
    return lines


def _details(stack: StackDiff) -> str:
    if stack.error or not stack.changes:
        return ""
    count = len(stack.changes)
    changed = f"{count} resource changes" if count == 1 else f"{count} resources change"
    lines = ["", f"<details><summary>{stack.stack}: {changed}</summary>", ""]
    for change in stack.changes:
        lines.append(f"- **{change.operation}** `{change.type}` `{change.name}`")
        for item in change.changes:
            lines.append(f"  - `{item.path}`: {_value(item.before)} -> {_value(item.after)}")
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _value(value: Any) -> str:
    return "(none)" if value is None else f"`{_cell(str(value), MAX_VALUE)}`"


def _cell(text: str, width: int = 200) -> str:
    flat = " ".join(text.split()).replace("|", "\\|").replace("`", "'")
    return flat if len(flat) <= width else flat[: width - 3] + "..."
