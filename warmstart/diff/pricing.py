"""One side of the diff's cost column: the plan's monthly estimate, or why there is none.

A plan the price table cannot price (a region `prices.json` has no prices for, an instance
type it lacks) is not free: the comment says "not priced" and why, instead of $0 and a
"stack removed" that would read as a saving.
"""

from __future__ import annotations

from typing import Any

from warmstart.components.config.cost import CostConfig
from warmstart.cost.estimate import estimate
from warmstart.cost.prices import PriceError, load_prices


def provider_region(document: dict[str, Any]) -> str | None:
    """The region of the plan's AWS provider; None for a plan without one."""
    return next(
        (
            resource["inputs"].get("region")
            for resource in document["resources"]
            if resource["type"] == "pulumi:providers:aws"
        ),
        None,
    )


def monthly_cost(
    document: dict[str, Any] | None, usage: CostConfig
) -> tuple[float | None, str | None]:
    """(monthly total, None), or (None, why it is not priced); (None, None) without a plan
    (the stack is not at that revision)."""
    if document is None:
        return None, None
    region = provider_region(document)
    if region is None:
        try:
            return estimate(document, usage, None).total, None
        except ValueError:
            return None, "AWS resources but no AWS provider region"
    try:
        prices = load_prices(region, usage.spot_discounts, usage.fargate_spot_discount)
    except PriceError:
        return None, f"no prices for {region}"
    try:
        return estimate(document, usage, prices).total, None
    except PriceError as error:
        return None, str(error).split(":")[0]
