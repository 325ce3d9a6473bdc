"""Listener rule priorities that belong to the service, not to its place in the list.

A rule's priority was its position among the services: reordering the list, or inserting a
service, moved other rules' priorities, and two rules trading places hit PriorityInUse half
way through an `up`. Now a service's priority comes from its name (a hash into
`DERIVED_PRIORITIES`), or from `routes.priority` (`EXPLICIT_PRIORITIES`, a range the derived
ones never use), so adding, removing or reordering services changes no other rule.

A priority is also an order: the ALB tries rules from the lowest. A hash gives no
meaningful order, so services whose routes can match the same request must say theirs
(`routes.priority` on each); services on distinct hosts need nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from itertools import combinations

from warmstart.components.config.base import Problem
from warmstart.components.config.service import RoutesConfig, ServiceConfig

EXPLICIT_PRIORITIES = range(1, 10_000)
# Above any priority the positional scheme gave (100 + 10 x position), so moving every rule
# once to its derived priority never lands on a priority another rule still holds.
DERIVED_PRIORITIES = range(10_000, 50_001)


def rule_priority(service: ServiceConfig) -> int:
    """`routes.priority`, else a stable hash of the service's name into DERIVED_PRIORITIES."""
    routes = service.routes
    if routes is not None and routes.priority is not None:
        return routes.priority
    digest = int(hashlib.sha256(service.name.encode()).hexdigest(), 16)
    return DERIVED_PRIORITIES.start + digest % len(DERIVED_PRIORITIES)


def _literal_prefix(pattern: str) -> str:
    return re.split(r"[*?]", pattern, maxsplit=1)[0].lower()


def _hosts_disjoint(a: RoutesConfig, b: RoutesConfig) -> bool:
    """Both name hosts, none a wildcard, and no host in common."""
    if not (a.hosts and b.hosts):
        return False
    if any(ch in host for host in (*a.hosts, *b.hosts) for ch in "*?"):
        return False
    return not {h.lower() for h in a.hosts} & {h.lower() for h in b.hosts}


def _paths_disjoint(a: RoutesConfig, b: RoutesConfig) -> bool:
    """Both name paths, and no pattern's literal prefix starts another's."""
    if not (a.paths and b.paths):
        return False
    return not any(
        x.startswith(y) or y.startswith(x)
        for x in map(_literal_prefix, a.paths)
        for y in map(_literal_prefix, b.paths)
    )


def may_overlap(a: RoutesConfig, b: RoutesConfig) -> bool:
    """Whether one request could match both (conservative: True when unsure)."""
    return not (_hosts_disjoint(a, b) or _paths_disjoint(a, b))


def priority_problems(routed: list[tuple[int, ServiceConfig]]) -> Iterator[Problem]:
    """Distinct priorities, and an explicit order wherever two services' routes overlap."""
    taken: dict[int, str] = {}
    for index, service in routed:
        priority = rule_priority(service)
        if priority in taken:
            yield Problem(
                f"services[{index}].routes.priority",
                f"priority {priority} is also {taken[priority]}'s: set routes.priority "
                f"({EXPLICIT_PRIORITIES.start}-{EXPLICIT_PRIORITIES.stop - 1}) on one of them",
                priority,
            )
        taken.setdefault(priority, service.name)
    unordered: dict[int, str] = {}  # index -> a service its routes overlap
    for (i, a), (j, b) in combinations(routed, 2):
        assert a.routes is not None and b.routes is not None  # routed services have routes
        if may_overlap(a.routes, b.routes):
            if a.routes.priority is None:
                unordered.setdefault(i, b.name)
            if b.routes.priority is None:
                unordered.setdefault(j, a.name)
    for index, other in sorted(unordered.items()):
        yield Problem(
            f"services[{index}].routes.priority",
            f"required: its routes can match the same requests as {other}'s, so the order "
            "must be explicit (the lower priority is matched first)",
        )
