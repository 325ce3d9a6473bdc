"""Estimates as people read them (Markdown tables) and as machines do (JSON).

Amounts are rounded to cents only here, at the edge; every sum is taken before rounding.
"""

from __future__ import annotations

from typing import Any

from warmstart.cost.estimate import Difference, Estimate


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def signed(amount: float) -> str:
    sign = "+" if amount >= 0.005 else "-" if amount <= -0.005 else "±"
    return f"{sign}${abs(amount):,.2f}"


def text(estimate: Estimate, recorded: str | None) -> str:
    """The estimate as Markdown: components, line items, free types, assumptions."""
    if not estimate.items and not estimate.unpriced:
        return (
            f"# {estimate.stack}: $0.00 a month\n\n"
            "No AWS resources: this stack runs on a cluster it does not pay for "
            "(a local or existing one), so warmstart adds no cloud cost.\n"
        )
    lines = [
        f"# {estimate.stack}: {money(estimate.total)} a month ({estimate.region}, "
        f"list prices recorded {recorded})",
        "",
        "| component | monthly |",
        "|---|---:|",
        *(f"| {name} | {money(total)} |" for name, total in estimate.by_component().items()),
        f"| **total** | **{money(estimate.total)}** |",
        "",
        "| component | resource | priced | monthly |",
        "|---|---|---|---:|",
        *(
            f"| {item.component} | {item.resource} | {item.what} | {money(item.monthly)} |"
            for item in estimate.items
        ),
        "",
        *free_lines(estimate.free),
        "",
        "Assumptions (warmstart:cost): "
        + ", ".join(f"{key}={value}" for key, value in estimate.assumptions.items()),
    ]
    if estimate.unpriced:
        lines += [
            "",
            "NOT PRICED (add a rule in warmstart/cost/pricers.py): " + ", ".join(estimate.unpriced),
        ]
    return "\n".join(lines) + "\n"


def free_lines(free: dict[str, str]) -> list[str]:
    """Free types grouped by the reason they are free, one line per reason."""
    by_reason: dict[str, list[str]] = {}
    for type_, reason in free.items():
        by_reason.setdefault(reason, []).append(short_type(type_))
    return [
        f"Free ({reason}): {', '.join(sorted(set(types)))}"
        for reason, types in sorted(by_reason.items())
    ]


def short_type(type_: str) -> str:
    """`aws:iam/policy:Policy` -> `iam Policy`: short, and still unambiguous."""
    _, module, name = type_.split(":")
    return f"{module.split('/')[0]} {name}"


def difference_text(difference: Difference) -> str:
    before, after = difference.before, difference.after
    lines = [
        f"# {before.stack} -> {after.stack}: {money(before.total)} -> {money(after.total)} "
        f"({signed(difference.total)} a month)",
        "",
        f"| component | {before.stack} | {after.stack} | change |",
        "|---|---:|---:|---:|",
    ]
    for component, (old, new) in difference.by_component().items():
        lines.append(f"| {component} | {money(old)} | {money(new)} | {signed(new - old)} |")
    return "\n".join(lines) + "\n"


def as_json(estimate: Estimate, recorded: str | None) -> dict[str, Any]:
    return {
        "stack": estimate.stack,
        "region": estimate.region,
        "pricesRecorded": recorded,
        "currency": "USD",
        "monthly": round(estimate.total, 2),
        "components": {name: round(total, 2) for name, total in estimate.by_component().items()},
        "items": [
            {
                "component": item.component,
                "resource": item.resource,
                "what": item.what,
                "monthly": round(item.monthly, 4),
            }
            for item in estimate.items
        ],
        "free": estimate.free,
        "unpriced": list(estimate.unpriced),
        "assumptions": estimate.assumptions,
    }


def difference_json(difference: Difference) -> dict[str, Any]:
    return {
        "before": {"stack": difference.before.stack, "monthly": round(difference.before.total, 2)},
        "after": {"stack": difference.after.stack, "monthly": round(difference.after.total, 2)},
        "change": round(difference.total, 2),
        "components": {
            name: {"before": round(old, 2), "after": round(new, 2), "change": round(new - old, 2)}
            for name, (old, new) in difference.by_component().items()
        },
    }
