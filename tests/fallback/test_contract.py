"""The fallbacks used directly: services written as a stack file writes them, checked by the
stack file's rules, and what Fargate and Lambda would refuse caught before anything exists."""

import pytest

from tests.conftest import registered, service
from warmstart.components import (
    FargateSpotFallback,
    FargateSpotFallbackArgs,
    LambdaFallback,
    LambdaFallbackArgs,
)
from warmstart.components.config import ConfigError

ON_FARGATE = service(fallback={"fargate": {"enabled": True, "cpu": 512, "memoryMib": 1024}})
ON_LAMBDA = service(fallback={"lambda": {"enabled": True, "memoryMb": 512}})


def fargate_args(cluster: str, *services, **overrides) -> FargateSpotFallbackArgs:
    values = {
        "services": services or (ON_FARGATE,),
        "images": {"hello": "repo/hello:1"},
        "cluster_name": cluster,
        "strategy": {},
        "region": "eu-west-1",
        "ami_type": "AL2023_ARM_64_STANDARD",
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-1"],
        "load_balancer_security_group_id": "sg-1",
        "target_group_arns": {"hello": "arn:aws:elasticloadbalancing:tg/hello"},
        "log_retention_days": 14,
    }
    return FargateSpotFallbackArgs(**{**values, **overrides})


def test_two_fargate_fallbacks_coexist():
    def program():
        FargateSpotFallback("blue", fargate_args("blue-fallback"))
        FargateSpotFallback("green", fargate_args("green-fallback"))

    resources = registered(program)
    assert len({r.urn for r in resources}) == len(resources)
    clusters = {r.name: r.inputs["name"] for r in resources if r.type == "aws:ecs/cluster:Cluster"}
    assert clusters == {"blue": "blue-fallback", "green": "green-fallback"}


def test_fargate_refuses_what_ecs_and_cloudwatch_would():
    small = service(fallback={"fargate": {"enabled": True, "cpu": 256, "memoryMib": 4096}})
    with pytest.raises(ConfigError) as raised:
        FargateSpotFallback(
            "blue",
            fargate_args(
                "blue-fallback",
                small,
                service(name="other"),
                images={},
                log_retention_days=10,
            ),
        )
    assert [p.describe() for p in raised.value.problems] == [
        "services[0].fallback.fargate.memoryMib: Fargate cpu 256 allows 512, 1024, 2048 MiB"
        " (got 4096)",
        "services[1].fallback.fargate.enabled: must be true here (got false)",
        "images.other: required for every service",
        "targetGroupArns.other: required for every service",
        "logRetentionDays: one of CloudWatch's periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150,"
        " 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
    ]


def test_a_lambda_fallback_takes_a_mapping_and_refuses_a_name_lambda_would():
    def program():
        LambdaFallback(
            "hello-lambda",
            LambdaFallbackArgs(service=ON_LAMBDA, function_name="team-hello", log_retention_days=7),
        )

    function = next(r for r in registered(program) if r.type == "aws:lambda/function:Function")
    assert (function.inputs["name"], function.inputs["memorySize"]) == ("team-hello", 512)
    with pytest.raises(ConfigError) as raised:
        LambdaFallback(
            "hello-lambda",
            LambdaFallbackArgs(service=service(), function_name="team.hello", log_retention_days=7),
        )
    assert [p.describe() for p in raised.value.problems] == [
        "service.fallback.lambda.enabled: must be true here (got false)",
        'functionName: 1-64 letters, digits, hyphens or underscores (got "team.hello")',
    ]
