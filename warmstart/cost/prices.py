"""The shipped price table (`prices.json`): one region's list prices, Spot and x86 mappings.

Prices are data with a date and a source, never constants in code, so a refresh is a
reviewable diff of one file (`scripts/refresh_prices.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).with_name("prices.json")


class PriceError(Exception):
    """A price the table does not hold: an unknown region or instance type."""


@dataclass(frozen=True)
class Prices:
    region: str
    recorded: str
    table: dict[str, Any]
    spot_discounts: dict[str, float]
    fargate_spot_discount: float
    x86_families: dict[str, str]

    def __getitem__(self, key: str) -> Any:
        return self.table[key]

    def instance_hour(self, instance_type: str) -> float:
        try:
            return self.table["ec2Hour"][instance_type]
        except KeyError:
            raise PriceError(
                f"no {self.region} price for instance type {instance_type}: add it to "
                f"{PRICES_FILE.name} (scripts/refresh_prices.py --instance-types ...)"
            ) from None

    def spot_discount(self, instance_type: str) -> float:
        family = family_of(instance_type)
        if family not in self.spot_discounts:
            raise PriceError(
                f"no Spot discount for family {family}: set warmstart:cost.spotDiscounts"
            )
        return self.spot_discounts[family]

    def x86_equivalent(self, instance_type: str) -> str:
        """The same size in the x86 family the baseline uses (itself when already x86)."""
        family, _, size = instance_type.partition(".")
        return f"{self.x86_families.get(family, family)}.{size}"


def family_of(instance_type: str) -> str:
    return instance_type.partition(".")[0]


def load_prices(
    region: str,
    spot_overrides: dict[str, float] | None = None,
    fargate_spot_override: float | None = None,
    path: Path = PRICES_FILE,
) -> Prices:
    document = json.loads(path.read_text())
    if region not in document["regions"]:
        known = ", ".join(sorted(document["regions"]))
        raise PriceError(
            f"no prices for region {region} in {path.name} (has: {known}): "
            f"run scripts/refresh_prices.py --region {region}"
        )
    discount = document["fargateSpotDiscount"]
    return Prices(
        region=region,
        recorded=document["recorded"],
        table=document["regions"][region],
        spot_discounts={**document["spotDiscount"]["families"], **(spot_overrides or {})},
        fargate_spot_discount=discount if fargate_spot_override is None else fargate_spot_override,
        x86_families=document["x86Equivalent"]["families"],
    )
