"""The articles' "47% lower deployment cost", tested on our own prod shape.

Baseline: the same plan priced all on-demand, on x86, with image pulls through NAT and no
fallback paths. Then warmstart's choices are switched on one at a time, in a stated order,
so each one's contribution is the change it makes on top of the ones before it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from warmstart.components.config.cost import CostConfig
from warmstart.cost.estimate import estimate
from warmstart.cost.pricers import Scenario
from warmstart.cost.prices import Prices
from warmstart.cost.report import money, signed

BASELINE = Scenario(spot=False, graviton=False, private_pulls=False, fallbacks=False)
STEPS = (
    ("graviton", "Graviton (arm64) nodes, tasks and functions"),
    ("spot", "Spot node group and Fargate Spot"),
    ("private_pulls", "image pulls through VPC endpoints, not NAT"),
    ("fallbacks", "Fargate and Lambda fallback paths (added cost)"),
)
ARTICLES_SAVING = 0.47


@dataclass(frozen=True)
class Step:
    label: str
    monthly: float
    change: float


@dataclass(frozen=True)
class Claim:
    baseline: float
    steps: tuple[Step, ...]

    @property
    def warmstart(self) -> float:
        return self.steps[-1].monthly if self.steps else self.baseline

    @property
    def saving(self) -> float:
        return 1 - self.warmstart / self.baseline if self.baseline else 0.0


def claim(document: dict[str, Any], usage: CostConfig, prices: Prices) -> Claim:
    scenario = BASELINE
    baseline = previous = estimate(document, usage, prices, scenario).total
    steps = []
    for field_name, label in STEPS:
        scenario = replace(scenario, **{field_name: True})
        monthly = estimate(document, usage, prices, scenario).total
        steps.append(Step(label, monthly, monthly - previous))
        previous = monthly
    return Claim(baseline, tuple(steps))


def claim_text(stack: str, result: Claim) -> str:
    lines = [
        f"# The articles' claim on {stack}: all on-demand x86 baseline -> warmstart",
        "",
        "| step | monthly | change |",
        "|---|---:|---:|",
        f"| baseline: on-demand x86, pulls over NAT, no fallbacks | {money(result.baseline)} | |",
        *(
            f"| + {step.label} | {money(step.monthly)} | {signed(step.change)} |"
            for step in result.steps
        ),
        "",
        f"Saving: {result.saving:.1%} (the articles claim {ARTICLES_SAVING:.0%}).",
    ]
    return "\n".join(lines) + "\n"
