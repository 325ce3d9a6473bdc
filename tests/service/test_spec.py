"""The pure builders behind GoService, without the Pulumi runtime."""

import pytest

from tests.conftest import routed_service, service, stack_values
from warmstart.components.config import parse_config
from warmstart.components.service.spec import (
    common_labels,
    container,
    container_env,
    health_targets,
    port_name,
    pre_stop_seconds,
    progress_deadline_seconds,
    rollout_timeout_seconds,
    service_spec,
    surge_pods,
    termination_grace_seconds,
    topology_spread,
)
from warmstart.stackfile import config_from_mapping


def typed(**overrides):
    raw = config_from_mapping("test", stack_values(service(**overrides)))
    return parse_config(raw.values).services[0]


def test_grace_period_covers_sleep_and_drain():
    assert termination_grace_seconds(5, 20) == 30
    assert termination_grace_seconds(10, 60) == 75


def test_health_targets_fall_back_per_kind():
    assert health_targets(typed(health={"readiness": "/ready"})) == {
        "readiness": "/ready",
        "liveness": "/livez",
    }
    grpc = typed(startup={"budgetSeconds": 3, "probe": "grpc"})
    assert health_targets(grpc) == {
        "readiness": "readiness",
        "liveness": "liveness",
    }


def test_port_is_named_after_its_protocol():
    assert port_name(typed()) == "http"
    assert port_name(typed(startup={"budgetSeconds": 3, "probe": "grpc"})) == "grpc"


def test_container_env_for_small_limits():
    env = container_env(
        typed(
            resources={
                "requests": {"cpu": "10m", "memory": "8Mi"},
                "limits": {"cpu": "10m", "memory": "16Mi"},
            }
        )
    )
    assert env == [
        {"name": "GOMAXPROCS", "value": "1"},
        {"name": "GOMEMLIMIT", "value": "14MiB"},
        {"name": "PORT", "value": "8080"},
        {"name": "SHUTDOWN_TIMEOUT", "value": "20s"},
    ]


def test_grpc_service_port_speaks_h2c():
    spec = service_spec(typed(port=9090, startup={"budgetSeconds": 3, "probe": "grpc"}))
    assert spec["ports"] == [
        {
            "name": "grpc",
            "port": 80,
            "targetPort": "grpc",
            "protocol": "TCP",
            "appProtocol": "kubernetes.io/h2c",
        }
    ]


def test_spread_selects_only_the_service_pods():
    constraint = topology_spread("hello", production=False)[1]
    assert constraint == {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "hello"}},
        "matchLabelKeys": ["pod-template-hash"],
    }


def test_labels():
    assert common_labels("hello") == {
        "app.kubernetes.io/name": "hello",
        "app.kubernetes.io/part-of": "warmstart",
        "app.kubernetes.io/managed-by": "pulumi",
    }


def test_pre_stop_covers_the_load_balancers_deregistration_for_routed_services():
    routed, _ = routed_service()
    chosen, _ = routed_service(shutdown={"preStopSleepSeconds": 8})
    assert [pre_stop_seconds(s) for s in (typed(), routed, chosen)] == [5, 20, 8]
    lifecycle = container(routed, "img")["lifecycle"]
    assert lifecycle == {"preStop": {"sleep": {"seconds": 20}}}


def test_a_rollout_fails_once_a_pod_misses_allowance_plus_budget():
    # 60 s to schedule, pull and start; the 45 s budget; two 1 s readiness failures.
    assert progress_deadline_seconds(typed(startup={"budgetSeconds": 44.5})) == 107
    assert progress_deadline_seconds(typed(startup={"budgetSeconds": 5})) == 67


@pytest.mark.parametrize(
    ("surge", "replicas", "pods"), [("25%", 3, 1), ("25%", 10, 3), ("100%", 4, 4), (2, 5, 2)]
)
def test_surge_rounds_percentages_up(surge, replicas, pods):
    assert surge_pods(surge, replicas) == pods


def test_up_waits_for_every_wave_of_the_largest_rollout():
    # 10 replicas, 3 at a time: 4 waves of at most 67 s each.
    scaled = typed(autoscaling={"minReplicas": 2, "maxReplicas": 10})
    assert rollout_timeout_seconds(scaled) == 4 * 67
