"""The changes a reviewer must not miss, said in plain words, one `Risk` each.

Each rule reads `ResourceChange`s (both sides' inputs are at hand), so a risk names the
resource and the before and after values, not just a path.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from warmstart.diff.changes import DELETE, REPLACE, ResourceChange
from warmstart.diff.grants import added_grants
from warmstart.diff.moves import load_balancer_moves

STATEFUL = {
    "aws:ecr/repository:Repository": "its images go with it",
    "aws:kms/key:Key": "what it encrypted cannot be decrypted once the key is deleted",
    "aws:ec2/vpc:Vpc": "everything in the network is recreated",
    "kubernetes:core/v1:Namespace": "every object in the namespace is deleted",
    "aws:cloudwatch/logGroup:LogGroup": "its logs are deleted",
}
CLUSTER = {
    "aws:eks/cluster:Cluster": "a new control plane: every workload and access entry is recreated",
    "aws:eks/nodeGroup:NodeGroup": "every node of the group is drained and replaced",
}
WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:DaemonSet")
PROBES = ("startupProbe", "readinessProbe", "livenessProbe")
_DIGEST = re.compile(r"@(sha256:[0-9a-f]{64})$")


@dataclass(frozen=True)
class Risk:
    kind: str
    resource: str
    message: str


def label(change: ResourceChange) -> str:
    return f"{change.type.rpartition(':')[2]} {change.name}"


def stateful(change: ResourceChange) -> Iterator[Risk]:
    if change.operation not in (REPLACE, DELETE) or change.type in CLUSTER:
        return
    why = STATEFUL.get(change.type)
    if why or change.protected:
        protected = (
            " (protected: `pulumi up` will refuse until protect is lifted)"
            if change.protected
            else ""
        )
        yield Risk(
            "stateful",
            label(change),
            f"{change.operation}s {label(change)}{protected}: {why or 'it holds state'}",
        )


def cluster(change: ResourceChange) -> Iterator[Risk]:
    if change.operation in (REPLACE, DELETE) and change.type in CLUSTER:
        forcing = (
            ", ".join(c.path for c in change.changes if not c.path.startswith("(option)"))
            or "removed"
        )
        yield Risk(
            "cluster",
            label(change),
            f"{change.operation}s {label(change)} ({forcing}): {CLUSTER[change.type]}",
        )


def probes(change: ResourceChange) -> Iterator[Risk]:
    if change.type not in WORKLOADS or change.before is None or change.after is None:
        return
    if not any(probe in c.path for c in change.changes for probe in PROBES):
        return
    for before, after in zip(_containers(change.before), _containers(change.after), strict=False):
        if any(before.get(p) != after.get(p) for p in PROBES):
            old, new = ready_at_worst(before), ready_at_worst(after)
            yield Risk(
                "probes",
                label(change),
                f"{label(change)} container {after['name']}: probes change; worst-case time "
                f"to Ready for a start that takes its whole budget {old:g} s -> {new:g} s, "
                f"restarted if not live by {restart_bound(before):g} s -> "
                f"{restart_bound(after):g} s",
            )


def _containers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return (
        resource["inputs"].get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    )


def ready_at_worst(container: dict[str, Any]) -> float:
    """First readiness success after a start taking the budget (liveness initialDelaySeconds).

    A startupProbe gates readiness: its first success at or after the budget comes first,
    and readiness runs from then on its own period.
    """
    budget = (container.get("livenessProbe") or {}).get("initialDelaySeconds", 0)
    at = budget
    startup = container.get("startupProbe")
    if startup:
        at = _first_tick_at_or_after(startup, budget)
        readiness = container.get("readinessProbe")
        return at + (readiness or {}).get("periodSeconds", 10) if readiness else at
    readiness = container.get("readinessProbe")
    return _first_tick_at_or_after(readiness, budget) if readiness else at


def _first_tick_at_or_after(probe: dict[str, Any], moment: float) -> float:
    delay, period = probe.get("initialDelaySeconds", 0), probe.get("periodSeconds", 10)
    return delay if moment <= delay else delay + math.ceil((moment - delay) / period) * period


def restart_bound(container: dict[str, Any]) -> float:
    probe = container.get("startupProbe") or container.get("livenessProbe")
    if not probe:
        return math.inf
    return probe.get("initialDelaySeconds", 0) + probe.get("periodSeconds", 10) * probe.get(
        "failureThreshold", 3
    )


def digests(change: ResourceChange) -> Iterator[Risk]:
    for c in change.changes:
        if c.path.endswith(".image") and change.operation != DELETE and c.before is not None:
            yield Risk(
                "digest",
                label(change),
                f"{label(change)}: image {_short(c.before)} -> {_short(c.after)}",
            )


def _short(reference: Any) -> str:
    text = str(reference)
    match = _DIGEST.search(text)
    return f"{text[: match.start()].rsplit('/', 1)[-1]}@{match.group(1)[:19]}" if match else text


def weights(change: ResourceChange) -> Iterator[Risk]:
    if change.type != "aws:lb/listenerRule:ListenerRule" or not change.before or not change.after:
        return
    old, new = _forward_weights(change.before), _forward_weights(change.after)
    if old != new:
        shown = ", ".join(
            f"{group} {old.get(group, 0)} -> {new.get(group, 0)}"
            for group in sorted(old.keys() | new.keys())
            if old.get(group) != new.get(group)
        )
        yield Risk("weights", label(change), f"{label(change)}: traffic weights {shown}")


def _forward_weights(resource: dict[str, Any]) -> dict[str, int]:
    found = {}
    for action in resource["inputs"].get("actions", []):
        for group in action.get("forward", {}).get("targetGroups", []):
            match = re.match(r"^<known after apply: \S+ ([^.\s]+)\.", str(group["arn"]))
            found[match.group(1) if match else str(group["arn"])] = group.get("weight", 1)
    return found


IAM_DOCUMENTS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
}


def iam(change: ResourceChange) -> Iterator[Risk]:
    """Grants the policy (or the role's trust policy) gives that it did not give before:
    new actions or resources, new principals, everything-but statements, dropped conditions."""
    key = IAM_DOCUMENTS.get(change.type)
    if key is None or change.before is None:
        return
    added = added_grants(
        change.before.get("inputs", {}).get(key), (change.after or {}).get("inputs", {}).get(key)
    )
    if added:
        shown = "; ".join(grant.describe() for grant in added[:8])
        more = f" (+{len(added) - 8} more)" if len(added) > 8 else ""
        yield Risk("iam", label(change), f"{label(change)} now allows: {shown}{more}")


# (path, what, the direction that loses capacity: -1 a decrease, +1 an increase)
CAPACITY = (
    ("spec.replicas", "replicas", -1),
    ("spec.minReplicas", "minimum replicas", -1),
    ("spec.minAvailable", "PDB minAvailable", -1),
    ("spec.maxUnavailable", "PDB maxUnavailable", +1),
    ("scalingConfig.minSize", "node group minimum", -1),
    ("scalingConfig.desiredSize", "node group desired size", -1),
    ("desiredCount", "standby tasks", -1),
    ("provisionedConcurrentExecutions", "provisioned Lambda environments", -1),
)


def capacity(change: ResourceChange) -> Iterator[Risk]:
    """Less capacity kept, or more allowed down. A PDB's count against a percentage cannot be
    compared without the replica count, so that change is always shown."""
    for c in change.changes:
        for path, what, riskier in CAPACITY:
            if c.path != path:
                continue
            direction = _direction(c.before, c.after)
            if direction is None or direction == riskier:
                mixed = " (a count against a percentage: compare at the replica count)"
                yield Risk(
                    "capacity",
                    label(change),
                    f"{label(change)}: {what} {c.before} -> {c.after}"
                    + (mixed if direction is None else ""),
                )


def _direction(before: Any, after: Any) -> int | None:
    """+1 if `after` is more than `before`, -1 if less, 0 if the same; None when one is a
    percentage ("50%") and the other a count (2): which is more depends on the replicas.
    An absent value is 0 of either."""
    (unit_before, old), (unit_after, new) = _quantity(before), _quantity(after)
    if unit_before != unit_after and before is not None and after is not None:
        return None
    return (new > old) - (new < old)


def _quantity(value: Any) -> tuple[str, float]:
    """("%", 50.0) for "50%", ("", 2.0) for 2; ("", 0.0) for what is not a number."""
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    unit = "%" if text.endswith("%") else ""
    try:
        return unit, float(text.removesuffix("%"))
    except ValueError:
        return unit, 0.0


# (path pattern, value before, value after, what was switched off)
GUARANTEES: tuple[tuple[str, Callable[[Any, Any], bool], str], ...] = (
    (r"^\(option\) protect$", lambda old, new: old and not new, "protect is lifted"),
    (
        r"(^|\.)deletionProtection$|(^|\.)enableDeletionProtection$",
        lambda old, new: old and not new,
        "deletion protection is off",
    ),
    (
        r"whenUnsatisfiable$",
        lambda old, new: old == "DoNotSchedule" and new != old,
        "the zone spread is no longer enforced",
    ),
    (
        r"\.image$",
        lambda old, new: bool(_DIGEST.search(str(old))) and not _DIGEST.search(str(new or "")),
        "the image is no longer pinned by digest",
    ),
    (
        r"metadataOptions\.httpTokens$",
        lambda old, new: old == "required" and new != old,
        "IMDSv2 is no longer required",
    ),
    (
        r"(^|\.)encrypted$",
        lambda old, new: str(old).lower() == "true" and str(new).lower() != "true",
        "a volume is no longer encrypted",
    ),
    (
        r"publicAccessCidrs\[\d+\]$",
        lambda old, new: new == "0.0.0.0/0",
        "the API endpoint is open to the internet",
    ),
    (
        r"pod-security\.kubernetes\.io/enforce$",
        lambda old, new: old == "restricted" and new != old,
        "pod security is no longer restricted",
    ),
)


def guarantees(change: ResourceChange) -> Iterator[Risk]:
    for c in change.changes:
        for pattern, switched_off, what in GUARANTEES:
            if re.search(pattern, c.path) and switched_off(c.before, c.after):
                yield Risk(
                    "guarantee",
                    label(change),
                    f"{label(change)}: {what} ({c.path}: {_json(c.before)} -> {_json(c.after)})",
                )


def rollouts(change: ResourceChange) -> Iterator[Risk]:
    """An ECS service's capacity provider strategy reaches its tasks only by a new
    deployment (warmstart forces one), which replaces every task."""
    if change.type != "aws:ecs/service:Service" or change.operation == DELETE:
        return
    if change.before is None:
        return
    if any(c.path.startswith("capacityProviderStrategies") for c in change.changes):
        old = _strategy(change.before)
        new = _strategy(change.after or {})
        yield Risk(
            "rollout",
            label(change),
            f"{label(change)}: capacity provider strategy {old} -> {new}: a new deployment "
            "replaces every task",
        )


def _strategy(resource: dict[str, Any]) -> str:
    parts = [
        f"{entry.get('capacityProvider')} weight {entry.get('weight', 0)}"
        + (f" base {entry['base']}" if entry.get("base") else "")
        for entry in resource.get("inputs", {}).get("capacityProviderStrategies", [])
    ]
    return ", ".join(parts) or "none"


def _json(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) or value is None else str(value)


def dns(change: ResourceChange) -> Iterator[Risk]:
    for before, after, hosts in load_balancer_moves(change):
        shown = ", ".join(hosts) or "its paths"
        yield Risk(
            "dns",
            label(change),
            f"{label(change)} moves from listener {before} to {after} (another load "
            f"balancer): point {shown} at the new DNS name (stack output loadBalancerHosts)",
        )


RULES = (stateful, cluster, probes, digests, weights, iam, capacity, guarantees, rollouts, dns)
KINDS = (
    "engine",
    "stateful",
    "cluster",
    "guarantee",
    "iam",
    "dns",
    "capacity",
    "rollout",
    "probes",
    "digest",
    "weights",
)


def risks(changes: list[ResourceChange]) -> list[Risk]:
    """Every risk in `changes`, most serious kind first, then by resource."""
    found = [risk for change in changes for rule in RULES for risk in rule(change)]
    return sorted(found, key=lambda risk: (KINDS.index(risk.kind), risk.resource, risk.message))


def _times(count: int, operation: str) -> str:
    return f"{count} {operation}{'' if count == 1 else 's'}"


def engine_disagrees(offline: dict[str, int], engine: dict[str, int] | None) -> list[Risk]:
    """Replacements or deletions the engine plans that the offline diff did not predict."""
    if engine is None:
        return []
    return [
        Risk(
            "engine",
            "pulumi preview",
            f"the engine plans {_times(engine.get(operation, 0), operation)}, the offline "
            f"diff {offline.get(operation, 0)}: read the preview before merging",
        )
        for operation in ("replace", "delete")
        if engine.get(operation, 0) > offline.get(operation, 0)
    ]
