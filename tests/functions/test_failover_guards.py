"""The failover function's guards: the paths mutation testing showed no test reached.

Each test here fails when its guard is removed or inverted: a first deploy that is not a
failover, weights an operator set by hand, a floor already right, one service's error among
many, and Fargate shares that do not divide evenly.
"""

from hypothesis import given
from hypothesis import strategies as st

from tests.functions.failover_world import (
    HOLD,
    T0,
    AlarmSequence,
    desired,
    event,
    put_weights,
    register_fargate_task,
    register_healthy_target,
    set_alarm,
    split,
    weights,
)
from warmstart.functions.failover.decision import (
    ARMED_TAG,
    FAILOVER,
    NORMAL,
    OTHER,
    PHASE_TAG,
    WEIGHTS_TAG,
    Decision,
    Observed,
    classify,
    decide,
    failover_weights,
)
from warmstart.functions.failover.handler import FailoverError, handle, re_evaluate

NOT_ARMED = "not armed: Kubernetes has not been healthy since the rule was made"


def rule_tags(clients, config):
    arn = config["services"]["hello"]["ruleArn"]
    found = clients["elbv2"].describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
    return {tag["Key"]: tag["Value"] for tag in found}


def fresh_rule(clients, config):
    """The rule as `pulumi up` creates it: no tag of the function's yet."""
    arn = config["services"]["hello"]["ruleArn"]
    clients["elbv2"].remove_tags(ResourceArns=[arn], TagKeys=[ARMED_TAG])


def test_a_new_stacks_down_alarm_before_its_first_pods_changes_nothing(aws):
    config, clients, groups = aws
    fresh_rule(clients, config)
    alarms = AlarmSequence(config, clients)
    first = alarms.change("hello-down", "ALARM", T0)  # no data yet is breaching
    assert (first["shiftedTo"], first["reason"]) == (None, NOT_ARMED)
    assert alarms.minute(T0 + 60)["reason"] == NOT_ARMED
    assert weights(clients, config) == config["services"]["hello"]["normalWeights"]
    assert desired(clients) == (0, 0)
    assert ARMED_TAG not in rule_tags(clients, config)
    # The pods register and turn healthy: the next run that sees them (here the down
    # alarm's return to OK) arms the rule.
    register_healthy_target(clients, groups["k8s"])
    alarms.change("hello-down", "OK", T0 + 120)
    assert rule_tags(clients, config)[ARMED_TAG] == f"{T0 + 120:.0f}"
    assert alarms.minute(T0 + 180)["reason"] == "on the normal weights, down alarm clear"
    assert rule_tags(clients, config)[ARMED_TAG] == f"{T0 + 120:.0f}"
    # From then on, losing every Kubernetes target is a failover.
    clients["elbv2"].deregister_targets(
        TargetGroupArn=groups["k8s"], Targets=[{"Id": "10.0.1.10", "Port": 8080}]
    )
    down = alarms.change("hello-down", "ALARM", T0 + 300)
    assert (down["shiftedTo"], down["reason"]) == (FAILOVER, "no healthy Kubernetes targets")
    assert weights(clients, config) == split(groups, 0, 0, 100)


def test_a_rule_the_function_shifted_before_arming_existed_counts_as_armed(aws):
    config, clients, _ = aws
    fresh_rule(clients, config)
    arn = config["services"]["hello"]["ruleArn"]
    clients["elbv2"].add_tags(ResourceArns=[arn], Tags=[{"Key": WEIGHTS_TAG, "Value": "0,0,100"}])
    set_alarm(clients, "hello-down", "ALARM")
    result = handle(event("hello-down"), config, clients, T0)
    assert (result["shiftedTo"], result["reason"]) == (FAILOVER, "no healthy Kubernetes targets")


def test_healthy_targets_arm_a_rule_at_once():
    seen = Observed(
        current=NORMAL,
        down_alarm_state="ALARM",
        recovered_alarm_state="OK",
        healthy_targets=1,
        seconds_since_shift=None,
        armed_recorded=False,
    )
    assert decide("down", "ALARM", seen, HOLD) == Decision(
        FAILOVER, "no healthy Kubernetes targets"
    )
    unarmed = Observed(**{**seen.__dict__, "healthy_targets": 0})
    assert decide("down", "ALARM", unarmed, HOLD) == Decision(None, NOT_ARMED)


def test_weights_set_by_hand_during_a_failover_are_left_alone(aws):
    config, clients, groups = aws
    alarms = AlarmSequence(config, clients)
    alarms.change("hello-down", "ALARM", T0)
    by_hand = split(groups, 50, 50, 0)  # an operator sends half back to a cluster they fixed
    put_weights(clients, config, by_hand)
    for minute in (60, 120):
        passed = alarms.minute(T0 + minute)
        assert (passed["shiftedTo"], passed["reason"]) == (None, "weights set by hand: left alone")
        assert weights(clients, config) == by_hand
    assert desired(clients) == (2, 2)  # the floor is the operator's too


def test_classify_tells_the_functions_weights_from_an_operators():
    normal = {"k8s": 100, "ecs": 0, "fn": 0}
    service = {"normalWeights": normal}
    recorded = {WEIGHTS_TAG: "0,80,20", PHASE_TAG: "restoring:1"}  # sorted: ecs, fn, k8s
    assert classify(normal, service, recorded) == NORMAL
    assert classify({"k8s": 20, "ecs": 0, "fn": 80}, service, recorded) == "restoring"
    assert classify({"k8s": 0, "ecs": 20, "fn": 80}, service, recorded) == OTHER
    assert classify({"k8s": 20, "ecs": 0, "fn": 80}, service, {}) == OTHER


def test_a_pass_leaves_an_autoscaled_count_alone_when_the_floor_is_right(aws):
    config, clients, _ = aws
    alarms = AlarmSequence(config, clients)
    alarms.change("hello-down", "ALARM", T0)
    assert desired(clients) == (2, 2)
    # Target tracking scales the Fargate service out under the failover's load.
    clients["ecs"].update_service(cluster="warmstart-dev", service="hello", desiredCount=5)
    alarms.minute(T0 + 60)
    assert desired(clients) == (5, 2)


def test_one_services_error_does_not_stop_the_others_pass(aws):
    config, clients, groups = aws
    hello = config["services"]["hello"]
    broken_rule = hello["ruleArn"].rsplit("/", 1)[0] + "/0123456789abcdef"
    config["services"]["a-broken"] = {**hello, "ruleArn": broken_rule}  # sorted first
    set_alarm(clients, "hello-down", "ALARM")
    try:
        re_evaluate(config, clients, T0)
    except FailoverError as error:
        message = str(error)
    else:
        raise AssertionError("the broken service's error was not raised")
    assert message.startswith("re-evaluation failed for a-broken: ")
    assert "'service': 'hello', 'shiftedTo': 'failover'" in message
    assert weights(clients, config) == split(groups, 0, 0, 100)
    assert desired(clients) == (2, 2)


ECS = {"cluster": "c", "service": "s", "standbyCount": 0}


def fargate_service(fargate, function, count):
    return {
        "failoverWeights": {"k8s": 0, "ecs": fargate, "fn": function},
        "fargateTargetGroupArn": "ecs",
        "lambdaTargetGroupArn": "fn",
        "ecs": {**ECS, "failoverCount": count},
    }


def test_more_healthy_tasks_than_the_failover_count_give_fargate_its_share_only():
    service = fargate_service(80, 20, 2)
    assert failover_weights(service, 5) == {"k8s": 0, "ecs": 80, "fn": 20}


def test_a_share_that_does_not_divide_evenly_is_rounded_and_nothing_is_lost():
    assert failover_weights(fargate_service(80, 20, 3), 1) == {"k8s": 0, "ecs": 27, "fn": 73}
    assert failover_weights(fargate_service(80, 20, 3), 2) == {"k8s": 0, "ecs": 53, "fn": 47}


@given(
    fargate=st.integers(1, 999),
    function=st.integers(0, 999),
    count=st.integers(1, 50),
    healthy=st.integers(0, 80),
)
def test_failover_weights_keep_the_total_and_never_go_negative(fargate, function, count, healthy):
    shifted = failover_weights(fargate_service(fargate, function, count), healthy)
    assert sum(shifted.values()) == fargate + function
    assert all(isinstance(w, int) and w >= 0 for w in shifted.values())
    assert shifted["ecs"] <= fargate
    assert shifted["fn"] >= function
    if healthy >= count:
        assert (shifted["ecs"], shifted["fn"]) == (fargate, function)


def test_fargate_registration_reaches_the_weights_in_a_world(aws):
    """The share follows the tasks the target group reports healthy, one at a time."""
    config, clients, groups = aws
    config["services"]["hello"]["ecs"]["failoverCount"] = 3
    alarms = AlarmSequence(config, clients)
    alarms.change("hello-down", "ALARM", T0)
    register_fargate_task(clients, groups, "10.0.1.21")
    alarms.minute(T0 + 60)
    assert weights(clients, config) == split(groups, 0, 27, 73)
