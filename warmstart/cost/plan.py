"""Read a rendered plan (`plan.json`'s document) the way the pricing needs it.

Resources refer to each other through the render's placeholders
(`<known after apply: TYPE NAME.attribute>`); following them is how a node group finds its
launch template's disk, a Lambda alias its target group, a target group its listener weight.
Everything here is derived from the plan alone, so two renders (two commits, two stacks)
are priced by the same rules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

_REFERENCE = re.compile(r"^<known after apply: (\S+) ([^.\s]+)\.[\w.]+>$")
COMPONENT_PREFIX = "warmstart:"
HOURS_PER_MONTH = 730
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60


def reference(value: Any) -> tuple[str, str] | None:
    """(type, name) of the resource a placeholder points at; None for anything else."""
    match = _REFERENCE.match(value) if isinstance(value, str) else None
    return (match.group(1), match.group(2)) if match else None


def runs_per_month(schedule: str) -> float:
    """Invocations a month of an EventBridge `rate(...)` schedule; 0 for cron (not modelled)."""
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", schedule)
    if not match:
        return 0.0
    minutes = {"minute": 1, "hour": 60, "day": 1440}[match.group(2).rstrip("s")]
    return MINUTES_PER_MONTH / (int(match.group(1)) * minutes)


@dataclass(frozen=True)
class FailoverPlan:
    """What one routed service does while Kubernetes is down, from its SSM parameter."""

    weights: dict[tuple[str, str] | None, int]
    ecs_service: str | None
    ecs_failover_count: int


class Plan:
    """Index over one plan document: by (type, name), by component, and by reference."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.stack: str = document["stack"]
        self.resources: list[dict[str, Any]] = document["resources"]
        self._by_urn = {resource["urn"]: resource for resource in self.resources}
        self._by_key = {(r["type"], r["name"]): r for r in self.resources}

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [resource for resource in self.resources if resource["type"] == type_]

    def get(self, key: tuple[str, str] | None) -> dict[str, Any] | None:
        return self._by_key.get(key) if key else None

    def custom(self) -> list[dict[str, Any]]:
        """The resources a provider creates (components only group them)."""
        return [r for r in self.resources if r["custom"] and not r["type"].startswith("pulumi:")]

    def component(self, resource: dict[str, Any]) -> tuple[str, str]:
        """(type, name) of the outermost warmstart component above the resource."""
        found = ("", "stack")
        parent = resource.get("parent")
        while parent in self._by_urn:
            above = self._by_urn[parent]
            if above["type"].startswith(COMPONENT_PREFIX):
                found = (above["type"], above["name"])
            parent = above.get("parent")
        return found

    @cached_property
    def listener_shares(self) -> dict[tuple[str, str], tuple[tuple[str, str], float]]:
        """Target group -> (its listener rule, its share of the rule's normal weight)."""
        shares = {}
        for rule in self.of_type("aws:lb/listenerRule:ListenerRule"):
            groups = [
                (reference(group["arn"]), group["weight"])
                for action in rule["inputs"].get("actions", [])
                for group in action.get("forward", {}).get("targetGroups", [])
            ]
            total = sum(weight for _, weight in groups) or 1
            for target, weight in groups:
                if target:
                    shares[target] = (("rule", rule["name"]), weight / total)
        return shares

    @cached_property
    def failovers(self) -> dict[str, FailoverPlan]:
        """Routed service -> its failover plan, read from the failover SSM parameters."""
        plans: dict[str, FailoverPlan] = {}
        for parameter in self.of_type("aws:ssm/parameter:Parameter"):
            text = parameter["inputs"].get("insecureValue", "")
            if not text.startswith('{"services"'):
                continue
            for service, entry in json.loads(text)["services"].items():
                ecs = entry.get("ecs") or {}
                plans[service] = FailoverPlan(
                    weights={reference(arn): w for arn, w in entry["failoverWeights"].items()},
                    ecs_service=ecs.get("service"),
                    ecs_failover_count=ecs.get("failoverCount", 0),
                )
        return plans

    def failover_share(self, target_group: tuple[str, str]) -> float | None:
        """The target group's share while its service is failed over; None if not routed so."""
        for failover in self.failovers.values():
            if target_group in failover.weights:
                total = sum(failover.weights.values()) or 1
                return failover.weights[target_group] / total
        return None

    def scheduled_runs(self, function: tuple[str, str]) -> float:
        """Invocations a month of `function` by EventBridge schedules targeting it."""
        runs = 0.0
        for target in self.of_type("aws:cloudwatch/eventTarget:EventTarget"):
            rule = self.get(("aws:cloudwatch/eventRule:EventRule", target["name"]))
            schedule = (rule or {}).get("inputs", {}).get("scheduleExpression")
            if schedule and reference(target["inputs"].get("arn")) == function:
                runs += runs_per_month(schedule)
        return runs
