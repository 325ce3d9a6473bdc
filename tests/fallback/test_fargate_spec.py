"""The Fargate task derived from a service: its environment, stop timeout and strategy."""

from tests.conftest import routed_service as typed
from warmstart.components.config.fallback import FargateStrategyConfig
from warmstart.components.fallback.fargate_spec import (
    capacity_strategy,
    cpu_architecture,
    stop_timeout,
    task_env,
)


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
    assert stop_timeout(svc) == 45  # routed: preStop 20 + drain 20 + 5
    slow, _ = typed(shutdown={"preStopSleepSeconds": 60, "drainSeconds": 600})
    assert stop_timeout(slow) == 120


def test_capacity_strategy_and_architecture():
    assert capacity_strategy(FargateStrategyConfig(base=2, on_demand_weight=1, spot_weight=3)) == [
        {"capacity_provider": "FARGATE", "base": 2, "weight": 1},
        {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3},
    ]
    assert cpu_architecture("AL2023_ARM_64_STANDARD") == "ARM64"
    assert cpu_architecture("AL2023_x86_64_STANDARD") == "X86_64"
