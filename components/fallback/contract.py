"""What the fallbacks check about their args before they register anything: each service by
the stack file's `warmstart:services[]` rules (its `fallback` included), with paths that start
at the args (`services[0].fallback.fargate.memoryMib`, `service.fallback.lambda`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from warmstart.components.config.base import Problem
from warmstart.components.config.fallback import FargateStrategyConfig
from warmstart.components.config.problems import ConfigError, parsed_model
from warmstart.components.config.service import ServiceConfig
from warmstart.components.service.contract import checked_service

# Lambda's function names: letters, digits, hyphens and underscores, at most 64.
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)


def validated_fargate(
    name: str,
    services: Sequence[ServiceConfig | Mapping[str, Any]],
    *,
    strategy: FargateStrategyConfig | Mapping[str, Any],
    images: Mapping[str, object],
    target_group_arns: Mapping[str, object],
    log_retention_days: int,
) -> tuple[list[ServiceConfig], FargateStrategyConfig]:
    """The services parsed, each with Fargate on, an image and a target group, and the
    strategy; or ConfigError naming every problem."""
    parsed: list[ServiceConfig] = []
    parsed_strategy = parsed_model(FargateStrategyConfig, strategy, "strategy")
    problems = parsed_strategy if isinstance(parsed_strategy, list) else []
    for index, value in enumerate(services):
        at = f"services[{index}]"
        service = checked_service(at, value)
        if isinstance(service, list):
            problems += service
            continue
        parsed.append(service)
        if not service.fallback.fargate.enabled:
            problems.append(Problem(f"{at}.fallback.fargate.enabled", "must be true here", False))
        for key, given in (("images", images), ("targetGroupArns", target_group_arns)):
            if service.name not in given:
                problems.append(Problem(f"{key}.{service.name}", "required for every service"))
    problems += _retention_problems(log_retention_days)
    if problems or not isinstance(parsed_strategy, FargateStrategyConfig):
        raise ConfigError(problems, subject=f"FargateSpotFallback {name} args")
    return parsed, parsed_strategy


def validated_lambda(
    name: str,
    service: ServiceConfig | Mapping[str, Any],
    function_name: str,
    log_retention_days: int,
) -> ServiceConfig:
    """The service parsed, with its Lambda fallback on; or ConfigError naming every problem."""
    parsed = checked_service("service", service)
    problems = parsed if isinstance(parsed, list) else []
    if isinstance(parsed, ServiceConfig) and not parsed.fallback.lambda_.enabled:
        problems.append(Problem("service.fallback.lambda.enabled", "must be true here", False))
    if not _FUNCTION_NAME.fullmatch(function_name):
        problems.append(
            Problem("functionName", "1-64 letters, digits, hyphens or underscores", function_name)
        )
    problems += _retention_problems(log_retention_days)
    if problems or not isinstance(parsed, ServiceConfig):
        raise ConfigError(problems, subject=f"LambdaFallback {name} args")
    return parsed


def _retention_problems(days: int) -> list[Problem]:
    """CloudWatch refuses any other period (at `up`, half-way through)."""
    if days in LOG_RETENTION_DAYS:
        return []
    allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
    return [Problem("logRetentionDays", f"one of CloudWatch's periods: {allowed}", days)]
