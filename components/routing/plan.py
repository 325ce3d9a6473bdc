"""What the load balancer does for each service: weights, health checks, names. Pure.

Every routed service has up to three target groups behind one listener rule: the
Kubernetes pods (IP targets kept current by a TargetGroupBinding), the Fargate tasks and
the Lambda alias. The rule forwards by weight; the failover function swaps between the
normal and the failover weights computed here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from warmstart.components.config.fallback import WeightsConfig
from warmstart.components.config.routing import RoutingConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.components.service.spec import health_targets, pre_stop_seconds

# Spot gives two minutes' warning; a target must be drained well inside that.
SPOT_WARNING_SECONDS = 120
MAX_DEREGISTRATION_SECONDS = SPOT_WARNING_SECONDS - 10
# Split of the failover share when both fallbacks are on: Fargate takes the steady load,
# Lambda absorbs the burst while Fargate tasks start.
FAILOVER_SPLIT = {"fargate": 80, "lambda": 20}
AWS_NAME_LIMIT = 32


@dataclass(frozen=True)
class Weights:
    kubernetes: int
    fargate: int
    lambda_: int

    def by_path(self) -> dict[str, int]:
        return {"kubernetes": self.kubernetes, "fargate": self.fargate, "lambda": self.lambda_}


def _weights(config: WeightsConfig) -> Weights:
    return Weights(config.kubernetes, config.fargate, config.lambda_)


def enabled_paths(service: ServiceConfig) -> list[str]:
    fallback = service.fallback
    paths = ["kubernetes"]
    if fallback.fargate.enabled:
        paths.append("fargate")
    if fallback.lambda_.enabled:
        paths.append("lambda")
    return paths


def normal_weights(service: ServiceConfig, routing: RoutingConfig) -> Weights:
    return _weights(service.fallback.weights or routing.weights)


def failover_weights(service: ServiceConfig) -> Weights | None:
    """Configured, or the whole share split over the enabled fallbacks; None without any."""
    if service.fallback.failover_weights is not None:
        return _weights(service.fallback.failover_weights)
    fallbacks = [path for path in enabled_paths(service) if path != "kubernetes"]
    if not fallbacks:
        return None
    share = {fallbacks[0]: 100} if len(fallbacks) == 1 else dict(FAILOVER_SPLIT)
    return Weights(0, share.get("fargate", 0), share.get("lambda", 0))


def health_check(service: ServiceConfig) -> dict[str, object]:
    """The readiness endpoint, probed about as often as the kubelet probes it."""
    return {
        "enabled": True,
        "path": health_targets(service)["readiness"],
        "protocol": "HTTP",
        "matcher": "200",
        "interval": 5,
        "timeout": 2,
        "healthy_threshold": 2,
        "unhealthy_threshold": 2,
    }


def deregistration_delay(service: ServiceConfig) -> int:
    """Long enough for preStop plus the drain, never past the Spot warning."""
    wanted = pre_stop_seconds(service) + service.shutdown.drain_seconds
    return min(wanted, MAX_DEREGISTRATION_SECONDS)


def aws_name(*parts: str) -> str:
    """A readable, unique name within AWS's 32-character limit for ALBs and target groups.

    The hash covers every part, so truncating the readable prefix never makes two names
    collide across stacks or services. Parts are joined with `/` and, only where a part holds
    `/` or `\\` itself, escaped first: ("a/b", "c") and ("a", "b/c") hash apart, and every
    name of parts without them (all real ones: a stack's, a service's) keeps its hash.
    """
    encoded = "/".join(part.replace("\\", "\\\\").replace("/", "\\/") for part in parts)
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:6]
    readable = "-".join(parts)[: AWS_NAME_LIMIT - len(digest) - 1].rstrip("-")
    return f"{readable}-{digest}"
