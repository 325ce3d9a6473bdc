"""Shared builders: a valid stack config to start from, and the mock-runtime harness."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.skips import pytest_runtest_makereport  # noqa: F401  (the hook: e2e never skips)
from warmstart.components.config import ConfigError, parse_config
from warmstart.components.config.routing import RoutingConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.harness import ProgramRun, Registration, run_program, run_stack
from warmstart.stackfile import StackConfig, config_from_mapping

BASE_SERVICE: dict[str, Any] = {
    "name": "hello",
    "image": "registry.local/warmstart/hello:dev",
    "startup": {"budgetSeconds": 5, "probe": "http"},
    "resources": {
        "requests": {"cpu": "50m", "memory": "32Mi"},
        "limits": {"cpu": "250m", "memory": "64Mi"},
    },
}
DIGEST = "sha256:" + "ab" * 32
# Production pins every EKS add-on (illustrative versions; the rule checks that all are set).
PINNED_ADDONS = {
    "vpc-cni": "v1.20.4-eksbuild.1",
    "coredns": "v1.12.4-eksbuild.1",
    "kube-proxy": "v1.35.0-eksbuild.2",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.1",
    "metrics-server": "v0.8.0-eksbuild.1",
}


def service(**overrides: Any) -> dict[str, Any]:
    """BASE_SERVICE with top-level keys replaced."""
    return {**copy.deepcopy(BASE_SERVICE), **overrides}


def stack_values(*services: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A stack-file `config:` mapping; keys in overrides are warmstart keys (camelCase)."""
    values: dict[str, Any] = {
        "warmstart:cluster": {"mode": "render", "kubernetesVersion": "1.35"},
        "warmstart:services": list(services) or [service()],
    }
    values.update({f"warmstart:{key}": value for key, value in overrides.items()})
    return values


def config_problems(values: dict[str, Any]) -> list[str]:
    """Every problem parse_config reports for a stack's `config:` mapping; [] when valid."""
    raw = config_from_mapping("t", values)
    try:
        parse_config(raw.values, raw.secret_keys)
    except ConfigError as error:
        return [str(problem) for problem in error.problems]
    return []


def run(values: dict[str, Any], stack: str = "test") -> ProgramRun:
    return run_stack(config_from_mapping(stack, values))


def registered(program: Callable[[], None]) -> tuple[Registration, ...]:
    """What a program of the user's own registers: components used directly, no config."""
    empty = StackConfig(stack="test", values={}, secret_keys=frozenset())
    return run_program(program, empty).resources


@pytest.fixture
def local_like() -> ProgramRun:
    """Two services, one HTTP and one gRPC, as the local stack deploys them."""
    grpc = service(
        name="ledger",
        port=9090,
        servicePort=9090,
        startup={"budgetSeconds": 45, "probe": "grpc"},
        shutdown={"preStopSleepSeconds": 5, "drainSeconds": 30},
        resources={
            "requests": {"cpu": "250m", "memory": "256Mi"},
            "limits": {"cpu": "1500m", "memory": "512Mi"},
        },
    )
    return run(stack_values(service(), grpc))


ROUTED_AWS = {"accountId": "123456789012", "region": "eu-west-1"}
ROUTED_EKS = {
    "mode": "eks",
    "adminRoleArns": ["arn:aws:iam::123456789012:role/platform-admins"],
    "network": {"cidr": "10.0.0.0/16", "availabilityZones": ["eu-west-1a", "eu-west-1b"]},
}


def routed_service(fallback=None, **overrides) -> tuple[ServiceConfig, RoutingConfig]:
    """One routed service parsed as the program sees it, with its stack's routing config."""
    routed = service(routes={"hosts": ["h.example.com"]}, fallback=fallback or {}, **overrides)
    raw = config_from_mapping(
        "t", stack_values(routed, aws=ROUTED_AWS, cluster=ROUTED_EKS, routing={"enabled": True})
    )
    config = parse_config(raw.values)
    return config.services[0], config.routing


def production_problems(cluster: dict[str, Any]) -> list[str]:
    """The config problems of a production stack (a pinned, replicated service) on `cluster`."""
    pinned = service(image="repo/hello@" + DIGEST, autoscaling={"minReplicas": 2})
    aws = {"accountId": "123456789012", "region": "eu-west-1"}
    raw = config_from_mapping("t", stack_values(pinned, aws=aws, cluster=cluster, production=True))
    try:
        parse_config(raw.values)
    except ConfigError as error:
        return [str(p) for p in error.problems]
    return []
