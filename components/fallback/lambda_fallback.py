"""LambdaFallback: the service's own handler, compiled a second time, as a Lambda function.

`make lambda` builds services/cmd/lambda for provided.al2023 arm64 and zips it
deterministically, so an unchanged source gives the same archive and no preview diff. The
load balancer invokes the `live` alias, which points at a published version: provisioned
concurrency, if any, stays on the version traffic actually reaches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from warmstart.components.config.service import ServiceConfig
from warmstart.components.fallback.contract import validated_lambda
from warmstart.components.iam import lambda_trust_policy, log_writer_policy
from warmstart.components.service.goruntime import go_runtime_env
from warmstart.components.service.spec import container_env

TYPE_TOKEN = "warmstart:aws:LambdaFallback"
ALIAS = "live"
# Lambda reserves these names, and PORT means nothing to a function.
NOT_FOR_LAMBDA = {"PORT"}


@dataclass(frozen=True)
class LambdaFallbackArgs:
    service: ServiceConfig | Mapping[str, Any]
    """One `warmstart:services` entry as a stack file writes it (or parsed): its
    `fallback.lambda` (package, memory, timeout, concurrency) and the environment its pods
    get, with the Go runtime sized to the function's memory."""
    function_name: str
    """The Lambda function's name, also that of its log group."""
    log_retention_days: int
    """Retention of the function's log group."""


def lambda_env(service: ServiceConfig) -> dict[str, str]:
    """The Kubernetes environment, with the Go runtime sized to the function's memory."""
    memory = service.fallback.lambda_.memory_mb
    sized = go_runtime_env("1", f"{memory}Mi")
    env = {item["name"]: item["value"] for item in container_env(service)}
    return {
        name: sized.get(name, value) for name, value in env.items() if name not in NOT_FOR_LAMBDA
    }


class LambdaFallback(pulumi.ComponentResource):
    """The service's handler as an arm64 function, published, behind a `live` alias."""

    log_group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    function: aws.lambda_.Function
    alias: aws.lambda_.Alias

    def __init__(
        self, name: str, args: LambdaFallbackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        service = validated_lambda(name, args.service, args.function_name, args.log_retention_days)
        super().__init__(TYPE_TOKEN, name, None, opts)
        config = service.fallback.lambda_
        child = pulumi.ResourceOptions(parent=self)
        self.log_group = aws.cloudwatch.LogGroup(
            name,
            name=f"/aws/lambda/{args.function_name}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.role = aws.iam.Role(
            name,
            description=f"warmstart: Lambda fallback of {service.name}",
            assume_role_policy=json.dumps(lambda_trust_policy()),
            opts=child,
        )
        aws.iam.RolePolicy(
            name,
            role=self.role.id,
            policy=self.log_group.arn.apply(lambda arn: json.dumps(log_writer_policy(arn))),
            opts=child,
        )
        self.function = aws.lambda_.Function(
            name,
            name=args.function_name,
            role=self.role.arn,
            runtime="provided.al2023",
            architectures=["arm64"],
            handler="bootstrap",
            # Relative to the project directory, where `pulumi` runs the program.
            code=pulumi.FileArchive(config.package),
            memory_size=config.memory_mb,
            timeout=config.timeout_seconds,
            reserved_concurrent_executions=config.reserved_concurrency,
            publish=True,
            environment={"variables": lambda_env(service)},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            opts=child,
        )
        self.alias = aws.lambda_.Alias(
            name,
            name=ALIAS,
            function_name=self.function.name,
            function_version=self.function.version,
            opts=child,
        )
        if config.provisioned_concurrency > 0:
            aws.lambda_.ProvisionedConcurrencyConfig(
                name,
                function_name=self.function.name,
                qualifier=self.alias.name,
                provisioned_concurrent_executions=config.provisioned_concurrency,
                opts=child,
            )
        self.register_outputs({"functionName": self.function.name, "aliasArn": self.alias.arn})
