"""A stack's monthly estimate from its plan: line items per component, a total, what is free.

`estimate` is a pure function of (plan document, usage assumptions, prices, scenario); the
CLI, `warmstart diff` and the articles' comparison all call it, so a figure in a PR comment
and one in docs/cost.md come from the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from warmstart.components.config.cost import CostConfig
from warmstart.cost.plan import Plan
from warmstart.cost.pricers import PRICED, Context, Scenario, free_reason
from warmstart.cost.prices import Prices, family_of

WARMSTART = Scenario()
# Components that only exist for the fallback paths; the baseline has none.
FALLBACK_COMPONENTS = frozenset(
    {"warmstart:aws:FargateSpotFallback", "warmstart:aws:LambdaFallback"}
)


@dataclass(frozen=True)
class LineItem:
    component: str
    resource: str
    what: str
    monthly: float


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: str | None
    items: tuple[LineItem, ...]
    free: dict[str, str]
    unpriced: tuple[str, ...]
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(item.monthly for item in self.items)

    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for item in self.items:
            totals[item.component] = totals.get(item.component, 0.0) + item.monthly
        return totals


def estimate(
    document: dict[str, Any],
    usage: CostConfig,
    prices: Prices | None,
    scenario: Scenario = WARMSTART,
) -> Estimate:
    """Price every resource of the plan; `prices` may be None only for a plan with no AWS."""
    plan = Plan(document)
    resources = plan.custom()
    charged = [r for r in resources if r["type"] in PRICED]
    if prices is None and charged:
        raise ValueError(f"{plan.stack}: AWS resources but no region to price them in")
    context = Context(plan, prices, usage, scenario) if prices else None
    items = []
    rule_order = list(PRICED)
    for resource in sorted(charged, key=lambda r: (rule_order.index(r["type"]), r["name"])):
        component_type, component = plan.component(resource)
        if component_type in FALLBACK_COMPONENTS and not scenario.fallbacks:
            continue
        label = f"{resource['type'].rpartition(':')[2]} {resource['name']}"
        for what, monthly in PRICED[resource["type"]](resource, context):
            items.append(LineItem(component, label, what, monthly))
    free = {r["type"]: reason for r in resources if (reason := free_reason(r["type"]))}
    unpriced = sorted({r["type"] for r in resources} - set(PRICED) - set(free))
    return Estimate(
        stack=plan.stack,
        region=prices.region if prices else None,
        items=tuple(sorted(items, key=_by_component_cost(items))),
        free=dict(sorted(free.items())),
        unpriced=tuple(unpriced),
        assumptions=_assumptions(usage, prices, plan),
    )


def _assumptions(usage: CostConfig, prices: Prices | None, plan: Plan) -> dict[str, Any]:
    """The usage inputs, with the discounts as applied (shipped defaults or overrides)."""
    inputs = usage.model_dump(by_alias=True, exclude={"spot_discounts", "fargate_spot_discount"})
    if prices is None:
        return inputs
    families = {
        family_of(instance_type)
        for group in plan.of_type("aws:eks/nodeGroup:NodeGroup")
        if group["inputs"].get("capacityType") == "SPOT"
        for instance_type in group["inputs"]["instanceTypes"]
    }
    discounts = {family: prices.spot_discounts.get(family) for family in sorted(families)}
    return {
        **inputs,
        "spotDiscounts": discounts,
        "fargateSpotDiscount": prices.fargate_spot_discount,
    }


def _by_component_cost(items: list[LineItem]) -> Callable[[LineItem], tuple[float, str]]:
    """Costliest component first; within one, the rules' order (stable sort keeps it)."""
    totals: dict[str, float] = {}
    for item in items:
        totals[item.component] = totals.get(item.component, 0.0) + item.monthly
    return lambda item: (-round(totals[item.component], 6), item.component)


@dataclass(frozen=True)
class Difference:
    """Per component and in total: `after - before`, USD a month."""

    before: Estimate
    after: Estimate

    @property
    def total(self) -> float:
        return self.after.total - self.before.total

    def by_component(self) -> dict[str, tuple[float, float]]:
        before, after = self.before.by_component(), self.after.by_component()
        return {
            component: (before.get(component, 0.0), after.get(component, 0.0))
            for component in sorted(before.keys() | after.keys())
        }
