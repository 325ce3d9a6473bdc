"""`warmstart:cost`: the usage assumptions `python -m warmstart cost` prices a stack with.

What a stack deploys (node groups, NAT gateways, standby tasks) comes from its plan; how much
it is used (traffic, failover hours, log volume) cannot, so each of those is a named input
here, with a default, printed beside every estimate. Prices themselves are data
(`warmstart/cost/prices.json`), not config.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from warmstart.components.config.base import ConfigModel

InstanceFamily = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
Discount = Annotated[float, Field(ge=0, lt=1)]


class CostConfig(ConfigModel):
    """Usage assumptions behind the monthly estimate; none changes what is deployed."""

    requests_per_second: float = Field(default=20.0, ge=0, le=1_000_000)
    """Average requests per second to each routed service over the month."""
    failover_hours_per_month: float = Field(default=1.0, ge=0, le=730)
    """Hours a month each routed service runs on its failover weights (Kubernetes down)."""
    alb_lcus: float = Field(default=1.0, ge=0, le=10_000)
    """Average load balancer capacity units per hour, per ALB."""
    nat_gib_per_month: float = Field(default=20.0, ge=0, le=10_000_000)
    """Data through each NAT gateway a month, besides image pulls."""
    image_mib: float = Field(default=2.5, gt=0, le=100_000)
    """Compressed size of one service image (`make bench-images`: hello is 2.45 MB; the
    articles' images are 15 MB)."""
    image_pulls_per_month: int = Field(default=2000, ge=0, le=100_000_000)
    """Image pulls from the registry a month (new nodes, rollouts, prewarm on Spot churn)."""
    images_stored_per_repository: int = Field(default=30, ge=0, le=100_000)
    """Images each ECR repository holds on average (its lifecycle policy caps it)."""
    cached_upstream_gib: float = Field(default=1.0, ge=0, le=1_000_000)
    """Upstream images the pull-through cache holds."""
    log_gib_per_month: float = Field(default=5.0, ge=0, le=10_000_000)
    """CloudWatch Logs ingested a month (control plane, functions, tasks)."""
    lambda_duration_ms: float = Field(default=15.0, gt=0, le=900_000)
    """Average billed duration of one request on the Lambda fallback."""
    lambda_init_ms: float = Field(default=60.0, ge=0, le=900_000)
    """Billed INIT of one cold start (provided.al2023 bills INIT; `make bench` measures it)."""
    lambda_cold_starts_per_month: int = Field(default=500, ge=0, le=100_000_000)
    """Cold starts of each Lambda fallback a month, beyond its provisioned environments."""
    control_function_ms: float = Field(default=300.0, gt=0, le=900_000)
    """Average duration of one run of the failover function (runs every minute)."""
    spot_discounts: dict[InstanceFamily, Discount] = {}
    """Average Spot discount per instance family (`m7g: 0.62`), over the shipped defaults."""
    fargate_spot_discount: float | None = Field(default=None, ge=0, lt=1)
    """Fargate Spot's discount off Fargate; none takes the shipped default."""
