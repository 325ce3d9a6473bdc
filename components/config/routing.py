"""`warmstart:routing`: the stack's load balancer, and the rules routed services must keep."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from warmstart.components.config.base import ConfigModel, Problem, partition
from warmstart.components.config.cluster import is_existing_eks
from warmstart.components.config.fallback import (
    FargateStrategyConfig,
    WeightsConfig,
    fallback_problems,
)
from warmstart.components.config.load_balancers import MAX_LOAD_BALANCERS, load_balancer_problems
from warmstart.components.config.service import ServiceConfig

if TYPE_CHECKING:
    from warmstart.components.config.stack import WarmstartConfig

_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$")


class RoutingConfig(ConfigModel):
    """One ALB for the stack; per routed service, weighted paths and alarm-driven failover."""

    enabled: bool = False
    """Create the ALB and the fallback paths (needs `cluster.mode: eks`)."""
    certificate_arn: str | None = None
    """ACM certificate for HTTPS; required in production. Without one, plain HTTP."""
    weights: WeightsConfig = WeightsConfig()
    """Default listener weights of every routed service (0-999 each)."""
    down_after_seconds: int = Field(default=120, ge=60, le=600, multiple_of=60)
    """Fail over after Kubernetes has had no healthy target this long (a multiple of 60)."""
    healthy_for_seconds: int = Field(default=300, ge=60, le=3600, multiple_of=60)
    """Restore the normal weights after Kubernetes has been healthy this long (a multiple of 60)."""
    log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 180, 365] = 14
    """Retention of the fallback and failover functions' logs."""
    fargate_strategy: FargateStrategyConfig = FargateStrategyConfig()
    """ECS capacity provider strategy of the Fargate fallback cluster."""
    load_balancers: int = Field(default=1, ge=1, le=MAX_LOAD_BALANCERS)
    """ALBs the routed services are spread over (100 rules and 100 target groups each): a
    service by `routes.loadBalancer`, else by a hash of its name. Adding a service never
    moves another; changing this count moves services to other ALBs (new DNS names)."""
    lambda_concurrency_limit: int = Field(default=1000, ge=10, le=1_000_000)
    """The account's Lambda concurrency limit in the region (new accounts may have 10):
    the stack's reservations must leave AWS's 100 unreserved executions."""


def routing_problems(config: WarmstartConfig) -> Iterator[Problem]:
    """Routes and fallbacks need routing on; routing needs EKS, routes and sane weights."""
    routing = config.routing
    routed = [(i, s) for i, s in enumerate(config.services) if s.routes is not None]
    uses_fallback = [
        (i, s)
        for i, s in enumerate(config.services)
        if s.fallback.fargate.enabled or s.fallback.lambda_.enabled
    ]
    if not routing.enabled:
        for index, _ in routed:
            yield Problem(f"services[{index}].routes", "needs warmstart:routing.enabled")
        for index, _ in uses_fallback:
            yield Problem(f"services[{index}].fallback", "needs warmstart:routing.enabled")
        return
    cluster = config.cluster
    if not (cluster.mode == "eks" or (is_existing_eks(cluster) and cluster.network is not None)):
        yield Problem(
            "routing.enabled",
            "the load balancer needs an EKS cluster: cluster.mode eks, or existing with "
            "name and network (vpcId, cidr, subnets)",
            True,
        )
    arn = routing.certificate_arn
    if arn is not None and not _CERTIFICATE_ARN.fullmatch(arn):
        yield Problem("routing.certificateArn", "not an ACM certificate ARN", arn)
    elif arn is not None and config.aws is not None:
        yield from _certificate_place_problems(arn, config.aws.account_id, config.aws.region)
    if config.production and arn is None:
        yield Problem("routing.certificateArn", "production serves HTTPS only: required")
    if not routed:
        yield Problem("routing.enabled", "no service has routes (hosts or paths)", True)
    yield from _weights_problems("routing.weights", routing.weights, {})
    for index, service in routed:
        yield from _service_routing_problems(f"services[{index}]", service, routing)
    yield from _concurrency_problems(config)
    yield from _port_problems([service for _, service in routed])
    yield from load_balancer_problems(routed, routing.load_balancers)
    for index, service in uses_fallback:
        if service.routes is None:
            yield Problem(
                f"services[{index}].fallback", "fallbacks are reached through routes: add routes"
            )


def _certificate_place_problems(arn: str, account: str, region: str) -> Iterator[Problem]:
    """An ALB's listener takes an ACM certificate of its own account and region only."""
    arn_partition, _, arn_region, arn_account = arn.split(":")[1:5]
    expected = f"arn:{partition(region)}:acm:{region}:{account}:certificate/..."
    if (arn_partition, arn_region, arn_account) != (partition(region), region, account):
        yield Problem(
            "routing.certificateArn",
            f"the load balancer takes a certificate of its own account and region: {expected}",
            arn,
        )


# AWS's default quota of rules per security group: the ALBs' security group has an egress
# rule per distinct service port, and past it `pulumi up` fails half-way
# (RulesPerSecurityGroupLimitExceeded), so the config is refused before anything exists.
RULES_PER_SECURITY_GROUP = 60


def _port_problems(routed: list[ServiceConfig]) -> Iterator[Problem]:
    ports = len({service.port for service in routed})
    if ports > RULES_PER_SECURITY_GROUP:
        yield Problem(
            "services",
            f"routed services listen on {ports} distinct ports; the ALB's security group takes "
            f"{RULES_PER_SECURITY_GROUP} egress rules (quota 'Inbound or outbound rules per "
            "security group'): use fewer ports",
            ports,
        )


# AWS keeps this many executions unreserved in every account and region: a function may
# reserve up to the account's unreserved concurrency minus 100 (Lambda's concurrency docs).
UNRESERVED_MINIMUM = 100
# The failover function reserves one execution: one weight change at a time.
FAILOVER_RESERVED = 1


def _concurrency_problems(config: WarmstartConfig) -> Iterator[Problem]:
    """Reservations AWS would refuse: more than the limit minus the unreserved minimum."""
    reserved = [
        service.fallback.lambda_.reserved_concurrency or 0
        for service in config.services
        if service.routes is not None and service.fallback.lambda_.enabled
    ]
    total = sum(reserved) + (FAILOVER_RESERVED if any_failover(config) else 0)
    limit = config.routing.lambda_concurrency_limit
    if total > limit - UNRESERVED_MINIMUM:
        yield Problem(
            "routing.lambdaConcurrencyLimit",
            f"the stack reserves {total} Lambda executions; AWS keeps {UNRESERVED_MINIMUM} "
            f"unreserved, so the account's limit must be at least {total + UNRESERVED_MINIMUM}",
            limit,
        )


def any_failover(config: WarmstartConfig) -> bool:
    """Whether the stack has a failover function: a routed service with a fallback."""
    return any(
        service.routes is not None
        and (service.fallback.fargate.enabled or service.fallback.lambda_.enabled)
        for service in config.services
    )


def _service_routing_problems(
    at: str, service: ServiceConfig, routing: RoutingConfig
) -> Iterator[Problem]:
    routes, fallback = service.routes, service.fallback
    if routes is not None and not (routes.hosts or routes.paths):
        yield Problem(f"{at}.routes", "set hosts, paths or both")
    if service.startup.probe != "http":
        yield Problem(
            f"{at}.routes",
            "the load balancer health-checks over HTTP: only http services",
            service.startup.probe,
        )
    off = {
        kind: f"{at}.fallback.{kind}.enabled"
        for kind, path_config in (("fargate", fallback.fargate), ("lambda", fallback.lambda_))
        if not path_config.enabled
    }
    yield from _weights_problems(f"{at}.fallback.weights", fallback.weights or routing.weights, off)
    if fallback.failover_weights is not None:
        at_failover = f"{at}.fallback.failoverWeights"
        yield from _weights_problems(at_failover, fallback.failover_weights, off)
        if fallback.failover_weights.kubernetes != 0:
            yield Problem(
                f"{at_failover}.kubernetes",
                "must be 0: failover is for when it has no healthy pods",
                fallback.failover_weights.kubernetes,
            )
    yield from fallback_problems(at, fallback)


def _weights_problems(at: str, weights: WeightsConfig, off: Mapping[str, str]) -> Iterator[Problem]:
    """`off`: the fallbacks that are not enabled, each with the path of its `enabled` flag."""
    if weights.kubernetes + weights.fargate + weights.lambda_ == 0:
        yield Problem(at, "at least one weight must be > 0")
    for kind, weight in (("fargate", weights.fargate), ("lambda", weights.lambda_)):
        if weight and kind in off:
            yield Problem(
                f"{at}.{kind}", f"weight for a fallback that is off ({off[kind]} is false)", weight
            )
