"""What a ServiceRouting checks about its args before it registers anything: the stack file's
`warmstart:routing` rules and each routed service's, with paths that start at the args
(`routing.weights`, `services[0].config.routes`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from warmstart.components.config.base import DNS_LABEL, Problem
from warmstart.components.config.cluster import AwsConfig, ClusterConfig
from warmstart.components.config.network import VPC_PREFIXES, vpc_cidr_problem
from warmstart.components.config.problems import ConfigError, moved, parsed_model
from warmstart.components.config.routing import RoutingConfig, routing_problems
from warmstart.components.config.service import ServiceConfig
from warmstart.components.config.stack import WarmstartConfig
from warmstart.components.service.contract import checked_service


class Routed(Protocol):
    """What the contract reads of a RoutedService."""

    config: ServiceConfig | Mapping[str, Any]
    lambda_fallback: object | None


def validated_routing(
    name: str,
    routing: RoutingConfig | Mapping[str, Any],
    services: Sequence[Routed],
    *,
    namespace: str,
    vpc_cidr: str,
    production: bool,
    aws: tuple[str, str] | None = None,
) -> tuple[RoutingConfig, list[ServiceConfig]]:
    """The routing and each service parsed; or ConfigError naming every problem. `aws` is
    (account, region): checked as warmstart:aws is, and the certificate must be of them."""
    parsed_routing = parsed_model(RoutingConfig, routing, "routing")
    problems = parsed_routing if isinstance(parsed_routing, list) else []
    configs = []
    for index, routed in enumerate(services):
        service = checked_service(f"services[{index}].config", routed.config)
        if isinstance(service, list):
            problems += service
        else:
            configs.append(service)
    account = parsed_model(AwsConfig, _aws_args(aws), "aws") if aws is not None else None
    if isinstance(account, list):
        problems += [Problem(_ARG_KEYS.get(p.path, p.path), p.message, p.value) for p in account]
        account = None
    if not problems and isinstance(parsed_routing, RoutingConfig):
        problems = routing_arg_problems(parsed_routing, services, configs, production, account)
    problems += _place_problems(namespace, vpc_cidr)
    if problems or not isinstance(parsed_routing, RoutingConfig):
        raise ConfigError(problems, subject=f"ServiceRouting {name} args")
    return parsed_routing, configs


def routing_arg_problems(
    routing: RoutingConfig,
    services: Sequence[Routed],
    configs: list[ServiceConfig],
    production: bool,
    aws: AwsConfig | None = None,
) -> list[Problem]:
    """The stack file's routing rules over these services, and what the args must add:
    the Lambda fallback of every service that enables one."""
    view = WarmstartConfig.model_construct(
        routing=routing.model_copy(update={"enabled": True}),
        services=configs,
        cluster=ClusterConfig.model_construct(mode="eks"),
        production=production,
        aws=aws,
    )
    problems = list(routing_problems(view))
    for index in range(len(configs)):
        problems = moved(problems, f"services[{index}]", f"services[{index}].config")
    for index, (routed, config) in enumerate(zip(services, configs, strict=True)):
        if config.fallback.lambda_.enabled and routed.lambda_fallback is None:
            problems.append(
                Problem(
                    f"services[{index}].lambdaFallback",
                    "required: the service's fallback.lambda is enabled",
                )
            )
    return problems


# ServiceRouting's own arg names for warmstart:aws's keys.
_ARG_KEYS = {"aws.accountId": "accountId", "aws.region": "region"}


def _aws_args(aws: tuple[str, str]) -> dict[str, str]:
    account, region = aws
    return {"accountId": account, "region": region}


def _place_problems(namespace: str, vpc_cidr: str) -> list[Problem]:
    """Where the routing lives: a namespace the API server takes, a range the SG rule takes."""
    problems = []
    if not re.fullmatch(DNS_LABEL, namespace):
        problems.append(Problem("namespace", "not a Kubernetes namespace name", namespace))
    wrong = vpc_cidr_problem(vpc_cidr, VPC_PREFIXES.start, VPC_PREFIXES.stop - 1)
    if wrong is not None:
        problems.append(Problem("vpcCidr", wrong, vpc_cidr))
    return problems
