"""The failover function against moto's ELBv2, CloudWatch and ECS emulation."""

import boto3
import pytest

from tests.functions.failover_world import (
    HOLD,
    PATH,
    REGION,
    T0,
    AlarmSequence,
    FailsOnce,
    desired,
    event,
    fail_over,
    put_weights,
    ramping,
    register_fargate_task,
    register_healthy_target,
    set_alarm,
    split,
    store,
    weights,
)
from warmstart.components.routing.policies import failover_policy
from warmstart.functions.failover.decision import (
    FAILOVER,
    NORMAL,
    RESTORING,
    Decision,
    Observed,
    decide,
    decide_standing,
)
from warmstart.functions.failover.handler import (
    FailoverError,
    handle,
    lambda_handler,
    load_config,
)


def test_unhealthy_shifts_weights_and_scales_fargate_up(aws):
    config, clients, groups = aws
    result = fail_over(config, clients)
    assert result == {
        "service": "hello",
        "alarm": "hello-down",
        "state": "ALARM",
        "shiftedTo": "failover",
        "reason": "no healthy Kubernetes targets",
    }
    # No Fargate task is healthy yet: Lambda, which serves at once, takes Fargate's 80 too.
    assert weights(clients, config) == split(groups, 0, 0, 100)
    assert desired(clients) == (2, 2)


def test_fargates_share_grows_with_its_healthy_targets(aws):
    config, clients, groups = aws
    alarms = AlarmSequence(config, clients)
    alarms.change("hello-down", "ALARM", T0)
    register_fargate_task(clients, groups, "10.0.1.21")
    assert alarms.minute(T0 + 60) == {
        "service": "hello",
        "shiftedTo": None,
        "reason": "already failed over",
    }
    assert weights(clients, config) == split(groups, 0, 40, 60)  # 1 of 2 tasks healthy
    register_fargate_task(clients, groups, "10.0.1.22")
    alarms.minute(T0 + 120)
    assert weights(clients, config) == split(groups, 0, 80, 20)  # the configured split


def test_recovery_ramps_back_then_scales_fargate_down(aws):
    config, clients, groups = aws
    alarms, result = ramping(aws)
    assert (result["shiftedTo"], result["reason"]) == (
        RESTORING,
        "Kubernetes healthy for the whole recovery window: ramp back",
    )
    assert weights(clients, config) == split(groups, 25, 0, 75)
    assert desired(clients) == (2, 2)  # the fallbacks keep their capacity on the way back
    second = alarms.minute(T0 + HOLD + 61)
    assert (second["shiftedTo"], second["reason"]) == (RESTORING, "ramp step 2 of 3")
    assert weights(clients, config) == split(groups, 50, 0, 50)
    last = alarms.minute(T0 + HOLD + 121)
    assert (last["shiftedTo"], last["reason"]) == (NORMAL, "ramp complete")
    assert weights(clients, config) == config["services"]["hello"]["normalWeights"]
    assert desired(clients) == (0, 0)


def test_the_down_alarm_during_the_ramp_fails_over_again(aws):
    config, clients, groups = aws
    alarms, _ = ramping(aws)
    again = alarms.change("hello-down", "ALARM", T0 + HOLD + 30)
    assert (again["shiftedTo"], again["reason"]) == (FAILOVER, "no healthy Kubernetes targets")
    assert weights(clients, config) == split(groups, 0, 0, 100)


def test_a_scaling_error_does_not_hold_the_shift_back(aws):
    config, clients, groups = aws
    set_alarm(clients, "hello-down", "ALARM")
    flaky = {
        **clients,
        "application-autoscaling": FailsOnce(
            clients["application-autoscaling"], "register_scalable_target"
        ),
    }
    with pytest.raises(RuntimeError, match="register_scalable_target: throttled"):
        handle(event("hello-down"), config, flaky, T0)
    assert weights(clients, config) == split(groups, 0, 0, 100)  # moved before scaling
    retried = handle(event("hello-down"), config, flaky, T0 + 1)  # Lambda's retry
    assert retried["reason"] == "already failed over"
    assert desired(clients) == (2, 2)


def test_flapping_is_suppressed(aws):
    config, clients, groups = aws
    fail_over(config, clients)
    clients["elbv2"].register_targets(
        TargetGroupArn=groups["k8s"], Targets=[{"Id": "10.0.1.5", "Port": 8080}]
    )
    set_alarm(clients, "hello-down", "OK")
    early = handle(event("hello-recovered"), config, clients, T0 + 30)
    assert (early["shiftedTo"], early["reason"]) == (None, "held: shifted 30s ago, hold is 300s")
    set_alarm(clients, "hello-down", "ALARM")
    still_down = handle(event("hello-recovered"), config, clients, T0 + HOLD + 1)
    assert (still_down["shiftedTo"], still_down["reason"]) == (
        None,
        "the down alarm is still firing",
    )
    assert weights(clients, config) == split(groups, 0, 0, 100)
    assert desired(clients) == (2, 2)


def test_recovered_alarm_without_healthy_targets_changes_nothing(aws):
    config, clients, _ = aws
    fail_over(config, clients)
    set_alarm(clients, "hello-down", "OK")
    result = handle(event("hello-recovered"), config, clients, T0 + HOLD + 1)
    assert (result["shiftedTo"], result["reason"]) == (
        None,
        "no healthy Kubernetes targets right now",
    )


def test_missing_target_group_is_a_clear_error_and_changes_nothing(aws):
    config, clients, groups = aws
    before = weights(clients, config)
    service = config["services"]["hello"]
    gone = groups["ecs"].replace("/hello-ecs/", "/hello-gone/")
    service["failoverWeights"] = {**service["failoverWeights"], gone: 80}
    service["normalWeights"] = {**service["normalWeights"], gone: 0}
    set_alarm(clients, "hello-down", "ALARM")
    with pytest.raises(
        FailoverError,
        match=r"service hello: a target group it routes to does not exist .*; no change made",
    ):
        handle(event("hello-down"), config, clients, T0)
    assert weights(clients, config) == before
    assert desired(clients) == (0, 0)


def test_unknown_alarm_is_refused(aws):
    config, clients, _ = aws
    with pytest.raises(FailoverError, match="alarm 'other' belongs to no configured service"):
        handle(event("other"), config, clients, T0)


def test_ok_transitions_do_nothing(aws):
    config, clients, _ = aws
    result = handle(event("hello-down", "OK"), config, clients, T0)
    assert (result["shiftedTo"], result["reason"]) == (None, "down alarm is OK: nothing to do")


def observed(*, current=NORMAL, down="OK", healthy=2, since=None, recovered="OK", step=0):
    return Observed(
        current=current,
        down_alarm_state=down,
        recovered_alarm_state=recovered,
        healthy_targets=healthy,
        seconds_since_shift=since,
        restore_step=step,
    )


RAMP_BACK = Decision(RESTORING, "Kubernetes healthy for the whole recovery window: ramp back")
RAMP_BACK_RESULT = (RAMP_BACK.target, RAMP_BACK.reason)


@pytest.mark.parametrize(
    ("trigger", "state", "seen", "expected"),
    [
        ("down", "ALARM", observed(), Decision(FAILOVER, "no healthy Kubernetes targets")),
        ("down", "ALARM", observed(current=FAILOVER), Decision(None, "already failed over")),
        (
            "down",
            "ALARM",
            observed(current="other"),
            Decision(FAILOVER, "no healthy Kubernetes targets"),
        ),
        (
            "recovered",
            "ALARM",
            observed(current=NORMAL),
            Decision(None, "already on the normal weights"),
        ),
        (
            "recovered",
            "ALARM",
            observed(current=FAILOVER, since=301),
            RAMP_BACK,
        ),
        ("recovered", "ALARM", observed(current=FAILOVER, since=None), RAMP_BACK),
        (
            "recovered",
            "ALARM",
            observed(current=RESTORING, since=400),
            Decision(None, "already on the way back"),
        ),
        (
            "down",
            "ALARM",
            observed(current=RESTORING, healthy=0),
            Decision(FAILOVER, "no healthy Kubernetes targets"),
        ),
        (
            "recovered",
            "INSUFFICIENT_DATA",
            observed(current=FAILOVER),
            Decision(None, "recovered alarm is INSUFFICIENT_DATA: nothing to do"),
        ),
    ],
)
def test_decide(trigger, state, seen, expected):
    assert decide(trigger, state, seen, HOLD) == expected


def test_the_entry_point_reads_its_configuration_from_the_alarms_parameter(aws, monkeypatch):
    config, clients, _ = aws
    store(config)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("WARMSTART_FAILOVER_PARAMETERS", PATH)
    set_alarm(clients, "hello-down", "ALARM")
    result = lambda_handler(event("hello-down"), None)
    assert (result["service"], result["shiftedTo"]) == ("hello", FAILOVER)
    assert desired(clients) == (2, 2)


def test_another_stacks_alarm_is_ignored_quietly(aws, monkeypatch):
    """Its alarm shares the event pattern's prefix: a failure would be retried twice and land
    in the failure queue, so it is a success that changes nothing."""
    config, clients, _ = aws
    store(config)
    ssm = boto3.client("ssm", region_name=REGION)
    assert load_config(ssm, PATH, "other-down") is None
    assert load_config(ssm, PATH, "hello-down") == config
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("WARMSTART_FAILOVER_PARAMETERS", PATH)
    before = weights(clients, config)
    assert lambda_handler(event("hello-downstream-down"), None) == {
        "alarm": "hello-downstream-down",
        "ignored": f"no configuration at {PATH}hello-downstream-down: not ours",
    }
    assert weights(clients, config) == before


@pytest.mark.parametrize(
    ("seen", "expected"),
    [
        (observed(down="ALARM"), Decision(FAILOVER, "no healthy Kubernetes targets")),
        (observed(current=FAILOVER, down="ALARM"), Decision(None, "already failed over")),
        (observed(), Decision(None, "on the normal weights, down alarm clear")),
        (
            observed(current="other", down="ALARM"),
            Decision(None, "weights set by hand: left alone"),
        ),
        (observed(current=FAILOVER, recovered="ALARM", since=301), RAMP_BACK),
        (observed(current=RESTORING, step=0), Decision(RESTORING, "ramp step 2 of 3", 1)),
        (observed(current=RESTORING, step=1), Decision(NORMAL, "ramp complete")),
        (
            observed(current=RESTORING, healthy=0),
            Decision(None, "ramp paused: no healthy Kubernetes targets right now"),
        ),
        (
            observed(current=RESTORING, down="ALARM"),
            Decision(FAILOVER, "no healthy Kubernetes targets"),
        ),
        (
            observed(current=FAILOVER, recovered="ALARM", since=120),
            Decision(None, "held: shifted 120s ago, hold is 300s"),
        ),
        (
            observed(current=FAILOVER, recovered="OK", since=900),
            Decision(None, "recovered alarm is OK: nothing to do"),
        ),
    ],
)
def test_decide_standing(seen, expected):
    assert decide_standing(seen, HOLD) == expected


def test_a_recovery_inside_the_hold_time_is_restored_by_the_scheduled_pass(aws):
    config, clients, groups = aws
    alarms = AlarmSequence(config, clients)
    register_healthy_target(clients, groups["k8s"])
    assert alarms.change("hello-down", "ALARM", T0)["shiftedTo"] == FAILOVER
    alarms.change("hello-down", "OK", T0 + 60)
    # The recovered alarm fires just inside the hold: blocked, and it will not fire again.
    recovered = alarms.change("hello-recovered", "ALARM", T0 + HOLD - 1)
    assert (recovered["shiftedTo"], recovered["reason"]) == (
        None,
        "held: shifted 299s ago, hold is 300s",
    )
    assert weights(clients, config) == split(groups, 0, 0, 100)
    restored = alarms.minute(T0 + HOLD + 59)
    assert (restored["shiftedTo"], restored["reason"]) == RAMP_BACK_RESULT
    alarms.minute(T0 + HOLD + 119)
    assert alarms.minute(T0 + HOLD + 179)["reason"] == "ramp complete"
    assert weights(clients, config) == config["services"]["hello"]["normalWeights"]
    assert desired(clients) == (0, 0)


def test_weights_reset_by_an_up_during_a_failover_are_shifted_again_within_a_minute(aws):
    config, clients, groups = aws
    alarms = AlarmSequence(config, clients)
    alarms.change("hello-down", "ALARM", T0)
    put_weights(clients, config, config["services"]["hello"]["normalWeights"])  # pulumi up
    again = alarms.minute(T0 + 60)
    assert (again["shiftedTo"], again["reason"]) == (FAILOVER, "no healthy Kubernetes targets")
    assert weights(clients, config) == split(groups, 0, 0, 100)


def test_the_scheduled_event_reads_every_services_configuration(aws, monkeypatch):
    config, clients, _ = aws
    store(config)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("WARMSTART_FAILOVER_PARAMETERS", PATH)
    set_alarm(clients, "hello-down", "ALARM")
    result = lambda_handler({"warmstart": "re-evaluate"}, None)
    assert result == {
        "reEvaluated": [
            {"service": "hello", "shiftedTo": FAILOVER, "reason": "no healthy Kubernetes targets"}
        ]
    }


def test_a_retried_restore_still_lowers_the_fargate_floor(aws):
    config, clients, _ = aws
    alarms, _ = ramping(aws)
    alarms.minute(T0 + HOLD + 61)
    # The last step moves the weights back, then scaling down fails: the pass fails.
    alarms.clients = {**clients, "ecs": FailsOnce(clients["ecs"], "update_service")}
    with pytest.raises(FailoverError, match="hello: update_service: throttled"):
        alarms.minute(T0 + HOLD + 121)
    assert weights(clients, config) == config["services"]["hello"]["normalWeights"]
    later = alarms.minute(T0 + HOLD + 181)
    assert later["reason"] == "on the normal weights, down alarm clear"
    assert desired(clients) == (0, 0)


IAM_PREFIXES = {"elbv2": "elasticloadbalancing"}  # boto3 client name -> IAM service prefix


class Recorder:
    """Wraps a boto3 client and records the IAM action of every call made through it."""

    def __init__(self, name, client, calls):
        self._prefix = IAM_PREFIXES.get(name, name)
        self._client, self._calls = client, calls

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if (
            name.startswith("_")
            or name in {"exceptions", "meta", "get_paginator"}
            or not callable(attribute)
        ):
            if name == "get_paginator":
                return lambda op: self._record(op) or attribute(op)
            return attribute
        return lambda *args, **kwargs: self._record(name) or attribute(*args, **kwargs)

    def _record(self, method):
        self._calls.add(f"{self._prefix}:{''.join(p.title() for p in method.split('_'))}")


def test_every_call_the_function_makes_is_one_its_policy_allows(aws, monkeypatch):
    config, clients, groups = aws
    store(config)
    calls = set()
    recorded = {name: Recorder(name, client, calls) for name, client in clients.items()}
    recorded["ssm"] = Recorder("ssm", boto3.client("ssm", region_name=REGION), calls)
    monkeypatch.setattr(boto3, "client", lambda name, **_: recorded[name])
    monkeypatch.setenv("WARMSTART_FAILOVER_PARAMETERS", PATH)
    set_alarm(clients, "hello-down", "ALARM")
    lambda_handler(event("hello-down"), None)  # fail over: scale up, shift, tag
    register_healthy_target(clients, groups["k8s"])
    set_alarm(clients, "hello-down", "OK")
    set_alarm(clients, "hello-recovered", "ALARM")
    monkeypatch.setattr("time.time", lambda: T0 + 10 * HOLD)
    lambda_handler({"warmstart": "re-evaluate"}, None)  # restore: shift back, scale down
    lambda_handler({"warmstart": "re-evaluate"}, None)  # nothing to do: reads the floor
    policy = failover_policy(
        account_id="123456789012",
        region=REGION,
        rule_arn_patterns=["arn:aws:elasticloadbalancing:*"],
        alarm_name_prefix="hello-",
        parameter_path=PATH,
        ecs_cluster_name="warmstart-dev",
        log_group_arn="arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f",
    )
    allowed = {action for statement in policy["Statement"] for action in statement["Action"]}
    assert calls - allowed == set()
    assert {"ecs:UpdateService", "application-autoscaling:DescribeScalableTargets"} <= calls
    assert {"ssm:GetParameter", "ssm:GetParametersByPath"} <= calls
