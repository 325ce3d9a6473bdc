"""`warmstart diff --format json`: the comment's content for programs, not people.

The same `StackDiff`s the Markdown comment is written from, without its limits: every risk
and every change, risks as objects, amounts in dollars rounded to cents. A stack that does
not render has `error` set and no counts, cost, risks or changes (null, not zeros).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from warmstart.diff.changes import ResourceChange, counts
from warmstart.diff.comment import StackDiff


def json_report(base: str, head: str, stacks: list[StackDiff]) -> str:
    document = {"base": base, "head": head, "stacks": [_stack(stack) for stack in stacks]}
    return json.dumps(document, indent=2) + "\n"


def _stack(stack: StackDiff) -> dict[str, Any]:
    rendered = stack.error is None
    return {
        "stack": stack.stack,
        "error": stack.error,
        "counts": counts(list(stack.changes)) if rendered else None,
        "cost": _cost(stack) if rendered else None,
        "risks": [asdict(risk) for risk in stack.risks] if rendered else None,
        "changes": [_change(change) for change in stack.changes] if rendered else None,
        "engine": stack.engine,
        "engineError": stack.engine_error,
    }


def _cost(stack: StackDiff) -> dict[str, Any]:
    return {
        "before": _cents(stack.cost_before),
        "after": _cents(stack.cost_after),
        "notPriced": stack.not_priced,
    }


def _cents(amount: float | None) -> float | None:
    return None if amount is None else round(float(amount), 2)


def _change(change: ResourceChange) -> dict[str, Any]:
    return {
        "operation": change.operation,
        "type": change.type,
        "name": change.name,
        "urn": change.urn,
        "inputs": [
            {"path": item.path, "before": item.before, "after": item.after}
            for item in change.changes
        ],
    }
