"""Per-service fallback paths (Fargate Spot, Lambda) and the listener weights between paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from warmstart.components.config.base import ConfigModel, Problem
from warmstart.components.config.paths import CreatedLater

FargateCpu = Literal[256, 512, 1024, 2048, 4096]
# Fargate's allowed memory (MiB) per CPU size.
FARGATE_MEMORY = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
}


class WeightsConfig(ConfigModel):
    """Listener weights for the three paths of one service (0-999 each, as ALB allows)."""

    kubernetes: int = Field(default=100, ge=0, le=999)
    """Share for the Kubernetes pods."""
    fargate: int = Field(default=0, ge=0, le=999)
    """Share for the Fargate Spot tasks (needs that fallback enabled)."""
    lambda_: int = Field(default=0, ge=0, le=999, alias="lambda")
    """Share for the Lambda function (needs that fallback enabled)."""


class FargateFallbackConfig(ConfigModel):
    """The service's own image as ECS tasks on Fargate and Fargate Spot."""

    enabled: bool = False
    """Run the Fargate Spot path for this service."""
    cpu: FargateCpu = 256
    """Task CPU units: 256, 512, 1024, 2048 or 4096."""
    memory_mib: int = 512
    """Task memory in MiB; must be one Fargate allows for the chosen cpu."""
    standby_tasks: int = Field(default=0, ge=0, le=100)
    """Tasks kept running while Kubernetes serves (0: cold standby)."""
    failover_tasks: int = Field(default=2, ge=1, le=100)
    """Tasks the failover function asks for while Kubernetes is down (<= maxTasks)."""
    max_tasks: int = Field(default=10, ge=1, le=1000)
    """Upper bound of the tasks' target tracking."""
    target_cpu_percent: int = Field(default=60, ge=10, le=95)
    """Average CPU the tasks' target tracking aims for."""


class LambdaFallbackConfig(ConfigModel):
    """The service's handler compiled as a Lambda function behind the same listener rule."""

    enabled: bool = False
    """Run the Lambda path for this service."""
    package: Annotated[str, CreatedLater("make lambda builds it")] = "build/lambda/hello.zip"
    """Deployment zip (`make lambda` builds it), relative to the project directory. Not
    checked when the config is read: the zip is a build output that `render` and `pulumi
    preview` do not need; `pulumi up` reads it, and names it if it is missing."""
    memory_mb: int = Field(default=256, ge=128, le=10240)
    """Function memory in MB (CPU scales with it)."""
    timeout_seconds: int = Field(default=15, ge=1, le=900)
    """Function timeout."""
    reserved_concurrency: int | None = Field(default=None, ge=1, le=10000)
    """Concurrency reserved for (and capping) the function; none: the account's pool."""
    provisioned_concurrency: int = Field(default=0, ge=0, le=10000)
    """Pre-initialised environments (no cold start); must be <= reservedConcurrency."""


class FallbackConfig(ConfigModel):
    """Where the service's traffic goes when its pods cannot serve it."""

    fargate: FargateFallbackConfig = FargateFallbackConfig()
    """Fargate Spot fallback."""
    lambda_: LambdaFallbackConfig = Field(default=LambdaFallbackConfig(), alias="lambda")
    """Lambda fallback."""
    weights: WeightsConfig | None = None
    """Normal weights of this service; none takes `routing.weights`."""
    failover_weights: WeightsConfig | None = None
    """Weights while Kubernetes has no healthy targets (`kubernetes` must be 0); none splits
    the share among the enabled fallbacks."""


class FargateStrategyConfig(ConfigModel):
    """Default capacity provider strategy: `base` tasks on FARGATE, the rest split by weight."""

    base: int = Field(default=1, ge=0, le=100000)
    """Tasks that always run on on-demand FARGATE."""
    on_demand_weight: int = Field(default=1, ge=0, le=1000)
    """Weight of FARGATE for the tasks above base."""
    spot_weight: int = Field(default=4, ge=0, le=1000)
    """Weight of FARGATE_SPOT for the tasks above base."""


def fallback_problems(at: str, fallback: FallbackConfig) -> Iterator[Problem]:
    """Sizes Fargate and Lambda would reject, caught before either is asked."""
    fargate, lambda_ = fallback.fargate, fallback.lambda_
    if fargate.enabled and fargate.memory_mib not in FARGATE_MEMORY[fargate.cpu]:
        allowed = FARGATE_MEMORY[fargate.cpu]
        yield Problem(
            f"{at}.fallback.fargate.memoryMib",
            f"Fargate cpu {fargate.cpu} allows {', '.join(map(str, allowed))} MiB",
            fargate.memory_mib,
        )
    if fargate.enabled and fargate.failover_tasks > fargate.max_tasks:
        yield Problem(
            f"{at}.fallback.fargate.failoverTasks",
            f"must be <= maxTasks ({fargate.max_tasks})",
            fargate.failover_tasks,
        )
    provisioned, reserved = lambda_.provisioned_concurrency, lambda_.reserved_concurrency
    if lambda_.enabled and reserved is not None and provisioned > reserved:
        yield Problem(
            f"{at}.fallback.lambda.provisionedConcurrency",
            f"must be <= reservedConcurrency ({reserved})",
            provisioned,
        )
