import pytest

from warmstart.components.service.probes import (
    ProbeTiming,
    default_health_targets,
    plan_probes,
    probe_handler,
)


@pytest.mark.parametrize(("budget", "delay"), [(0.2, 1), (1, 1), (5, 5), (5.5, 6), (45, 45)])
def test_liveness_waits_for_the_whole_budget_rounded_up(budget, delay):
    plan = plan_probes(budget, liveness_tolerance_seconds=30)
    assert plan.liveness == ProbeTiming(
        period_seconds=10, timeout_seconds=2, failure_threshold=3, initial_delay_seconds=delay
    )
    assert plan.unstarted_restart_seconds == delay + 30


def test_readiness_polls_every_second_from_the_start():
    plan = plan_probes(5, liveness_tolerance_seconds=30)
    assert plan.readiness == ProbeTiming(period_seconds=1, timeout_seconds=1, failure_threshold=2)
    assert "initialDelaySeconds" not in plan.readiness.as_fields()


def test_worst_cases():
    plan = plan_probes(45, liveness_tolerance_seconds=60)
    assert plan.worst_case_ready_seconds(0.01) == pytest.approx(1.01)
    assert plan.worst_case_ready_seconds(45) == 46
    assert plan.unstarted_restart_seconds == 105  # 45 s budget, then 6 failures x 10 s
    assert plan.worst_case_restart_seconds == 62  # 6 failures x 10 s + the last 2 s timeout
    assert plan.worst_case_unready_seconds == 3


def test_liveness_tolerance_rounds_up_to_whole_periods():
    assert plan_probes(5, liveness_tolerance_seconds=25).liveness.failure_threshold == 3


@pytest.mark.parametrize(("budget", "tolerance"), [(0, 30), (-3, 30), (5, 0)])
def test_rejects_non_positive_inputs(budget, tolerance):
    with pytest.raises(ValueError, match="must be > 0"):
        plan_probes(budget, tolerance)


def test_as_fields_uses_api_names():
    assert ProbeTiming(1, 1, 5, initial_delay_seconds=7).as_fields() == {
        "initialDelaySeconds": 7,
        "periodSeconds": 1,
        "timeoutSeconds": 1,
        "failureThreshold": 5,
        "successThreshold": 1,
    }


def test_handlers_per_kind():
    assert probe_handler("http", "http", 8080, "/readyz") == {
        "httpGet": {"path": "/readyz", "port": "http"}
    }
    assert probe_handler("grpc", "grpc", 9090, "readiness") == {
        "grpc": {"port": 9090, "service": "readiness"}
    }
    assert probe_handler("tcp", "tcp", 7000, "ignored") == {"tcpSocket": {"port": "tcp"}}


def test_default_targets_separate_liveness_from_readiness():
    for kind in ("http", "grpc", "tcp"):
        targets = default_health_targets(kind)
        assert targets["liveness"] != targets["readiness"]
    assert default_health_targets("http") == {"readiness": "/readyz", "liveness": "/livez"}
