import pytest

from components.config import parse_config
from components.config.fallback import FargateStrategyConfig
from components.fallback.fargate_spec import (
    capacity_strategy,
    cpu_architecture,
    stop_timeout,
    task_env,
)
from components.routing.plan import (
    Weights,
    aws_name,
    deregistration_delay,
    failover_weights,
    health_check,
    normal_weights,
    rule_priority,
)
from tests.conftest import service, stack_values
from warmstart.stackfile import config_from_mapping

AWS = {"accountId": "123456789012", "region": "eu-west-1"}
EKS = {
    "mode": "eks",
    "network": {"cidr": "10.0.0.0/16", "availabilityZones": ["eu-west-1a", "eu-west-1b"]},
}


def typed(fallback=None, **overrides):
    routed = service(routes={"hosts": ["h.example.com"]}, fallback=fallback or {}, **overrides)
    raw = config_from_mapping(
        "t", stack_values(routed, aws=AWS, cluster=EKS, routing={"enabled": True})
    )
    config = parse_config(raw.values)
    return config.services[0], config.routing


@pytest.mark.parametrize(
    ("fallback", "expected"),
    [
        ({}, None),
        ({"fargate": {"enabled": True}}, Weights(0, 100, 0)),
        ({"lambda": {"enabled": True}}, Weights(0, 0, 100)),
        ({"fargate": {"enabled": True}, "lambda": {"enabled": True}}, Weights(0, 80, 20)),
        (
            {
                "fargate": {"enabled": True},
                "lambda": {"enabled": True},
                "failoverWeights": {"kubernetes": 0, "fargate": 1, "lambda": 3},
            },
            Weights(0, 1, 3),
        ),
    ],
)
def test_failover_weights(fallback, expected):
    svc, _ = typed(fallback)
    assert failover_weights(svc) == expected


def test_normal_weights_default_to_the_stack():
    svc, routing = typed(
        {"fargate": {"enabled": True}, "weights": {"kubernetes": 90, "fargate": 10}}
    )
    assert normal_weights(svc, routing).by_path() == {"kubernetes": 90, "fargate": 10, "lambda": 0}
    plain, routing = typed()
    assert normal_weights(plain, routing) == Weights(100, 0, 0)


def test_deregistration_stays_inside_the_spot_warning():
    svc, _ = typed(shutdown={"preStopSleepSeconds": 10, "drainSeconds": 60})
    assert deregistration_delay(svc) == 70
    slow, _ = typed(shutdown={"preStopSleepSeconds": 30, "drainSeconds": 300})
    assert deregistration_delay(slow) == 110


def test_health_check_uses_the_readiness_path():
    svc, _ = typed(health={"readiness": "/ready"})
    assert health_check(svc) == {
        "enabled": True,
        "path": "/ready",
        "protocol": "HTTP",
        "matcher": "200",
        "interval": 5,
        "timeout": 2,
        "healthy_threshold": 2,
        "unhealthy_threshold": 2,
    }


def test_names_fit_aws_limits_and_never_collide():
    long = aws_name("warmstart-production-eu", "a-very-long-service-name", "k8s")
    assert len(long) == 32
    assert long != aws_name("warmstart-production-eu", "a-very-long-service-name", "ecs")
    assert (
        aws_name("demo", "hello", "k8s")
        == f"demo-hello-k8s-{aws_name('demo', 'hello', 'k8s')[-6:]}"
    )
    assert rule_priority(0) == 100 and rule_priority(3) == 130


def test_task_env_is_the_pod_env_sized_to_the_task():
    svc, _ = typed({"fargate": {"enabled": True, "cpu": 2048, "memoryMib": 4096}})
    env = {item["name"]: item["value"] for item in task_env(svc)}
    assert env == {
        "GOMAXPROCS": "2",
        "GOMEMLIMIT": "3686MiB",
        "PORT": "8080",
        "SHUTDOWN_TIMEOUT": "20s",
    }


def test_stop_timeout_is_capped_by_the_spot_warning():
    svc, _ = typed()
    assert stop_timeout(svc) == 30
    slow, _ = typed(shutdown={"preStopSleepSeconds": 60, "drainSeconds": 600})
    assert stop_timeout(slow) == 120


def test_capacity_strategy_and_architecture():
    assert capacity_strategy(FargateStrategyConfig(base=2, on_demand_weight=1, spot_weight=3)) == [
        {"capacity_provider": "FARGATE", "base": 2, "weight": 1},
        {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3},
    ]
    assert cpu_architecture("AL2023_ARM_64_STANDARD") == "ARM64"
    assert cpu_architecture("AL2023_x86_64_STANDARD") == "X86_64"
