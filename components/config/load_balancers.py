"""Which load balancer serves each routed service, and the quotas each one keeps.

One ALB holds at most 100 listener rules and 100 target groups (AWS's default quotas), so
a stack with more routed services spreads them over `routing.loadBalancers` ALBs. A service
goes to `routes.loadBalancer` when set, else to a hash of its name modulo the count: the
assignment depends on nothing but the service and the count, so adding or removing a
service never moves another one. Changing the count moves services (their DNS names
change); that is a decision the stack file states, and the PR diff reports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from warmstart.components.config.base import Problem
from warmstart.components.config.route_order import priority_problems
from warmstart.components.config.service import ServiceConfig

RULES_PER_ALB = 100
TARGET_GROUPS_PER_ALB = 100
MAX_LOAD_BALANCERS = 20  # far below the 50 ALBs per region quota


def load_balancer_index(service: ServiceConfig, count: int) -> int:
    """`routes.loadBalancer`, else a stable hash of the name modulo `count`."""
    routes = service.routes
    if routes is not None and routes.load_balancer is not None:
        return routes.load_balancer
    digest = hashlib.sha256(f"load-balancer/{service.name}".encode()).hexdigest()
    return int(digest, 16) % count


def target_groups_of(service: ServiceConfig) -> int:
    return 1 + service.fallback.fargate.enabled + service.fallback.lambda_.enabled


def placement(
    routed: Sequence[tuple[int, ServiceConfig]], count: int
) -> dict[int, list[tuple[int, ServiceConfig]]]:
    """Load balancer index -> its (config index, service) pairs, every index present."""
    placed: dict[int, list[tuple[int, ServiceConfig]]] = {k: [] for k in range(count)}
    for index, service in routed:
        placed.setdefault(load_balancer_index(service, count), []).append((index, service))
    return placed


def _overflows(routed: Sequence[tuple[int, ServiceConfig]], count: int) -> list[str]:
    found = []
    for k, services in sorted(placement(routed, count).items()):
        rules, groups = len(services), sum(target_groups_of(s) for _, s in services)
        if rules > RULES_PER_ALB:
            found.append(f"load balancer {k}: {rules} listener rules (quota {RULES_PER_ALB})")
        if groups > TARGET_GROUPS_PER_ALB:
            found.append(
                f"load balancer {k}: {groups} target groups (quota {TARGET_GROUPS_PER_ALB})"
            )
    return found


def fewest_that_fit(routed: Sequence[tuple[int, ServiceConfig]], start: int) -> int | None:
    """The smallest count from `start` whose hash placement keeps every quota."""
    return next(
        (n for n in range(start, MAX_LOAD_BALANCERS + 1) if not _overflows(routed, n)), None
    )


def load_balancer_problems(
    routed: Sequence[tuple[int, ServiceConfig]], count: int
) -> Iterator[Problem]:
    """Explicit indexes in range, each load balancer within its quotas, and rule priorities
    and order per load balancer (a listener's rules are the ones that compete)."""
    bad = False
    for index, service in routed:
        chosen = service.routes.load_balancer if service.routes is not None else None
        if chosen is not None and chosen >= count:
            bad = True
            yield Problem(
                f"services[{index}].routes.loadBalancer",
                f"routing.loadBalancers is {count}: an index from 0 to {count - 1}",
                chosen,
            )
    if bad:
        return
    overflows = _overflows(routed, count)
    if overflows:
        fits = fewest_that_fit(routed, count + 1)
        advice = (
            f"set routing.loadBalancers to {fits} (this moves services between load "
            "balancers), or routes.loadBalancer on some services"
            if fits
            else "split the services over stacks"
        )
        yield Problem("routing.loadBalancers", f"{'; '.join(overflows)}: {advice}", count)
    for services in placement(routed, count).values():
        yield from priority_problems(services)
