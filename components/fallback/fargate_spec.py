"""The Fargate Spot fallback's task: same image, same environment, sized for Fargate. Pure.

The environment is the Kubernetes one (container_env) with GOMEMLIMIT and GOMAXPROCS
derived, by the same function, from the task's own CPU and memory rather than the pod's:
a runtime limit sized for another box would be wrong in one direction or the other.
"""

from __future__ import annotations

import json
from typing import Any

from warmstart.components.config.fallback import FargateStrategyConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.components.routing.plan import SPOT_WARNING_SECONDS
from warmstart.components.service.goruntime import go_runtime_env
from warmstart.components.service.pod_security import NONROOT_UID
from warmstart.components.service.spec import container_env, port_name, pre_stop_seconds

CPU_UNITS_PER_VCPU = 1024


def task_env(service: ServiceConfig) -> list[dict[str, str]]:
    fargate = service.fallback.fargate
    sized = go_runtime_env(
        f"{fargate.cpu * 1000 // CPU_UNITS_PER_VCPU}m", f"{fargate.memory_mib}Mi"
    )
    return [
        {"name": item["name"], "value": sized.get(item["name"], item["value"])}
        for item in container_env(service)
    ]


def stop_timeout(service: ServiceConfig) -> int:
    """Drain time, capped by the Spot warning: ECS allows at most 120 s anyway."""
    wanted = pre_stop_seconds(service) + service.shutdown.drain_seconds + 5
    return min(wanted, SPOT_WARNING_SECONDS)


def container_definitions(service: ServiceConfig, image: str, log_group: str, region: str) -> str:
    """ECS wants this as a JSON string; sorted keys keep previews free of spurious diffs."""
    definition: dict[str, Any] = {
        "name": service.name,
        "image": image,
        "essential": True,
        "portMappings": [
            {"containerPort": service.port, "protocol": "tcp", "name": port_name(service)}
        ],
        "environment": task_env(service),
        "readonlyRootFilesystem": True,
        "user": f"{NONROOT_UID}:{NONROOT_UID}",
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
        "stopTimeout": stop_timeout(service),
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": service.name,
            },
        },
    }
    return json.dumps([definition], sort_keys=True)


def capacity_strategy(strategy: FargateStrategyConfig) -> list[dict[str, Any]]:
    """`base` tasks always on regular FARGATE, the rest split on-demand:Spot by weight."""
    return [
        {
            "capacity_provider": "FARGATE",
            "base": strategy.base,
            "weight": strategy.on_demand_weight,
        },
        {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": strategy.spot_weight},
    ]


def cpu_architecture(ami_type: str) -> str:
    """The same architecture the node groups run, so one multi-arch image serves both."""
    return "ARM64" if ami_type.startswith("AL2023_ARM") else "X86_64"
