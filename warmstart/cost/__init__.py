"""`python -m warmstart cost`: monthly estimates from a stack's offline render.

- `plan`: the render's plan document, indexed and cross-referenced;
- `prices` (+ `prices.json`): the list prices, dated, per region;
- `pricers`: one rule per priced resource type, and the types that are free;
- `estimate`: the pure estimate and the difference of two; `claim`: the articles' 47%;
- `report`: Markdown and JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmstart.components.config import WarmstartConfig, parse_config
from warmstart.cost.estimate import Estimate, estimate
from warmstart.cost.prices import Prices, load_prices
from warmstart.harness import run_stack
from warmstart.render import plan_document
from warmstart.stackfile import StackConfig


@dataclass(frozen=True)
class PricedStack:
    """A stack's render, config and prices: everything an estimate of it needs."""

    document: dict[str, Any]
    config: WarmstartConfig
    prices: Prices | None

    def estimate(self) -> Estimate:
        return estimate(self.document, self.config.cost, self.prices)


def priced_stack(stack: StackConfig) -> PricedStack:
    """Render `stack` offline and load its region's prices (ConfigError on a bad config)."""
    config = parse_config(stack.values, stack.secret_keys)
    document = plan_document(run_stack(stack), stack.stack)
    prices = None
    if config.aws is not None:
        cost = config.cost
        prices = load_prices(config.aws.region, cost.spot_discounts, cost.fargate_spot_discount)
    return PricedStack(document, config, prices)
