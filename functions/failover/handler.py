"""Failover function: moves a service's listener weights off Kubernetes and back.

An ALB keeps sending a target group its weighted share even when every target in it is
unhealthy (it fails open), so a dead cluster path would keep eating its share of traffic.
Two CloudWatch alarms watch the Kubernetes target group's HealthyHostCount; EventBridge
delivers their state changes here:

- the *down* alarm (no healthy hosts for a short window) shifts the weights to the
  configured fallbacks, scaling the Fargate service up first when it has one;
- the *recovered* alarm (healthy hosts for `healthyForSeconds`) shifts them back, but only
  if the down alarm is clear, Kubernetes has healthy targets right now, and the last
  shift is at least `holdSeconds` old: a flapping target group cannot flap the weights.

Its configuration for a service is the SSM parameter named after the alarm that fired,
under WARMSTART_FAILOVER_PARAMETERS (`load_config`); an alarm without one is not ours.
Runs on the Lambda Python runtime with only the standard library and boto3. The decision
is the pure function `decide`; `handle` reads AWS, decides, and writes AWS.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

SHIFTED_AT_TAG = "warmstart:failover-shifted-at"
NORMAL, FAILOVER, OTHER = "normal", "failover", "other"


class FailoverError(Exception):
    """The function was asked to act on something that is not there; nothing was changed."""


@dataclass(frozen=True)
class Observed:
    current: str  # NORMAL, FAILOVER or OTHER (weights someone set by hand)
    down_alarm_state: str
    recovered_alarm_state: str
    healthy_targets: int
    seconds_since_shift: float | None


@dataclass(frozen=True)
class Decision:
    target: str | None  # NORMAL, FAILOVER, or None for no change
    reason: str


def decide(trigger: str, state: str, observed: Observed, hold_seconds: int) -> Decision:
    """What to do when alarm `trigger` ("down" or "recovered") entered `state`."""
    if state != "ALARM":
        return Decision(None, f"{trigger} alarm is {state}: nothing to do")
    if trigger == "down":
        return _on_down(observed)
    return _on_recovered(observed, hold_seconds)


def _on_down(observed: Observed) -> Decision:
    if observed.current == FAILOVER:
        return Decision(None, "already failed over")
    return Decision(FAILOVER, "no healthy Kubernetes targets")


def _on_recovered(observed: Observed, hold_seconds: int) -> Decision:
    """Restore only when everything agrees Kubernetes is back, and not too soon."""
    since = observed.seconds_since_shift
    blockers = [
        (observed.current == NORMAL, "already on the normal weights"),
        (observed.down_alarm_state == "ALARM", "the down alarm is still firing"),
        (observed.healthy_targets < 1, "no healthy Kubernetes targets right now"),
        (
            since is not None and since < hold_seconds,
            f"held: shifted {since or 0:.0f}s ago, hold is {hold_seconds}s",
        ),
    ]
    for blocked, reason in blockers:
        if blocked:
            return Decision(None, reason)
    return Decision(NORMAL, "Kubernetes healthy for the whole recovery window")


def decide_standing(observed: Observed, hold_seconds: int) -> Decision:
    """What to do, a minute later, about the alarms as they stand now.

    Alarms send one event per state change. If a blocker held when it came (the hold time,
    no healthy target yet), or an `up` reset the weights during a failover, no event would
    ever come again: this makes the same decision again from the standing states.
    """
    if observed.current == OTHER:
        return Decision(None, "weights set by hand: left alone")
    if observed.down_alarm_state == "ALARM":
        return _on_down(observed)
    if observed.current == NORMAL:
        return Decision(None, "on the normal weights, down alarm clear")
    return decide("recovered", observed.recovered_alarm_state, observed, hold_seconds)


def classify(weights: dict[str, int], service: dict[str, Any]) -> str:
    if weights == service["normalWeights"]:
        return NORMAL
    if weights == service["failoverWeights"]:
        return FAILOVER
    return OTHER


def handle(
    event: dict[str, Any], config: dict[str, Any], clients: dict[str, Any], now: float
) -> dict[str, Any]:
    """Act on one EventBridge "CloudWatch Alarm State Change" event."""
    alarm = event["detail"]["alarmName"]
    state = event["detail"]["state"]["value"]
    name, service, trigger = _find(config, alarm)
    elb = clients["elbv2"]
    _require_target_groups(elb, name, service)
    observed = _observe(clients, service, now)
    decision = decide(trigger, state, observed, service["holdSeconds"])
    _act(clients, service, decision, observed, now)
    return {
        "service": name,
        "alarm": alarm,
        "state": state,
        "shiftedTo": decision.target,
        "reason": decision.reason,
    }


def _find(config: dict[str, Any], alarm: str) -> tuple[str, dict[str, Any], str]:
    for name, service in config["services"].items():
        if alarm == service["downAlarm"]:
            return name, service, "down"
        if alarm == service["recoveredAlarm"]:
            return name, service, "recovered"
    raise FailoverError(f"alarm {alarm!r} belongs to no configured service; no change made")


def _require_target_groups(elb: Any, name: str, service: dict[str, Any]) -> None:
    arns = sorted(service["normalWeights"])
    try:
        found = elb.describe_target_groups(TargetGroupArns=arns)["TargetGroups"]
    except elb.exceptions.TargetGroupNotFoundException as error:
        raise FailoverError(
            f"service {name}: a target group it routes to does not exist ({error}); no change made"
        ) from error
    missing = set(arns) - {group["TargetGroupArn"] for group in found}
    if missing:
        raise FailoverError(
            f"service {name}: target groups {sorted(missing)} do not exist; no change made"
        )


def _observe(clients: dict[str, Any], service: dict[str, Any], now: float) -> Observed:
    elb, cloudwatch = clients["elbv2"], clients["cloudwatch"]
    rule = elb.describe_rules(RuleArns=[service["ruleArn"]])["Rules"][0]
    forward = next(action for action in rule["Actions"] if action["Type"] == "forward")
    weights = {g["TargetGroupArn"]: g["Weight"] for g in forward["ForwardConfig"]["TargetGroups"]}
    names = [service["downAlarm"], service["recoveredAlarm"]]
    states = {
        alarm["AlarmName"]: alarm["StateValue"]
        for alarm in cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]
    }
    health = elb.describe_target_health(TargetGroupArn=service["kubernetesTargetGroupArn"])
    healthy = sum(
        1 for t in health["TargetHealthDescriptions"] if t["TargetHealth"]["State"] == "healthy"
    )
    tags = elb.describe_tags(ResourceArns=[service["ruleArn"]])["TagDescriptions"][0]["Tags"]
    shifted = next((float(tag["Value"]) for tag in tags if tag["Key"] == SHIFTED_AT_TAG), None)
    return Observed(
        current=classify(weights, service),
        down_alarm_state=states.get(names[0], "INSUFFICIENT_DATA"),
        recovered_alarm_state=states.get(names[1], "INSUFFICIENT_DATA"),
        healthy_targets=healthy,
        seconds_since_shift=None if shifted is None else now - shifted,
    )


def _act(
    clients: dict[str, Any],
    service: dict[str, Any],
    decision: Decision,
    observed: Observed,
    now: float,
) -> None:
    """Shift as decided; with no shift, still make the Fargate floor match the weights."""
    if decision.target is not None:
        _apply(clients, service, decision.target, now)
    else:
        _reconcile_floor(clients, service, observed.current)


def _apply(clients: dict[str, Any], service: dict[str, Any], target: str, now: float) -> None:
    ecs = service.get("ecs")
    if ecs and target == FAILOVER:
        # Capacity first: the Fargate share is only useful once its tasks exist.
        _scale(clients, ecs, ecs["failoverCount"])
    weights = service["failoverWeights" if target == FAILOVER else "normalWeights"]
    clients["elbv2"].modify_rule(
        RuleArn=service["ruleArn"],
        Actions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": arn, "Weight": weight}
                        for arn, weight in sorted(weights.items())
                    ]
                },
            }
        ],
    )
    clients["elbv2"].add_tags(
        ResourceArns=[service["ruleArn"]], Tags=[{"Key": SHIFTED_AT_TAG, "Value": f"{now:.0f}"}]
    )
    if ecs and target == NORMAL:
        _scale(clients, ecs, ecs["standbyCount"])


def _reconcile_floor(clients: dict[str, Any], service: dict[str, Any], current: str) -> None:
    """Finish a shift whose scaling failed after its weight change: a retried event then
    finds the weights already moved and decides nothing, yet the Fargate floor is wrong."""
    ecs = service.get("ecs")
    if not ecs or current == OTHER:
        return
    wanted = ecs["failoverCount" if current == FAILOVER else "standbyCount"]
    targets = clients["application-autoscaling"].describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[_scalable_target_id(ecs)]
    )["ScalableTargets"]
    if targets and targets[0]["MinCapacity"] != wanted:
        _scale(clients, ecs, wanted)


def _scalable_target_id(ecs: dict[str, Any]) -> str:
    return f"service/{ecs['cluster']}/{ecs['service']}"


def _scale(clients: dict[str, Any], ecs: dict[str, Any], count: int) -> None:
    """Move the autoscaling floor too, or target tracking would undo the change.

    The floor is what `_reconcile_floor` checks, so it is written so that a failure part-way
    leaves it wrong: raising, first (a floor above the current count scales out by itself);
    lowering, last (a failed update of the count leaves the floor high for the retry).
    """
    register = clients["application-autoscaling"].register_scalable_target
    floor = {
        "ServiceNamespace": "ecs",
        "ResourceId": _scalable_target_id(ecs),
        "ScalableDimension": "ecs:service:DesiredCount",
        "MinCapacity": count,
    }
    lowering = count == ecs["standbyCount"]
    if not lowering:
        register(**floor)
    clients["ecs"].update_service(
        cluster=ecs["cluster"], service=ecs["service"], desiredCount=count
    )
    if lowering:
        register(**floor)


RE_EVALUATE = {"warmstart": "re-evaluate"}  # the scheduled event's constant input


def re_evaluate(config: dict[str, Any], clients: dict[str, Any], now: float) -> list[dict]:
    """The scheduled pass: `decide_standing` for every service, acting where it says so."""
    results = []
    for name, service in sorted(config["services"].items()):
        observed = _observe(clients, service, now)
        decision = decide_standing(observed, service["holdSeconds"])
        _act(clients, service, decision, observed, now)
        results.append({"service": name, "shiftedTo": decision.target, "reason": decision.reason})
    return results


def load_all_config(ssm: Any, path: str) -> dict[str, Any]:
    """Every service under `path` (two parameters, one per alarm, hold each service)."""
    services: dict[str, Any] = {}
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=path.rstrip("/"))
    for page in pages:
        for parameter in page["Parameters"]:
            services.update(json.loads(parameter["Value"])["services"])
    return {"services": services}


def load_config(ssm: Any, path: str, alarm: str) -> dict[str, Any]:
    """The configuration stored for `alarm` under `path`: `{"services": {name: ...}}`."""
    try:
        parameter = ssm.get_parameter(Name=f"{path}{alarm}")["Parameter"]
    except ssm.exceptions.ParameterNotFound:
        raise FailoverError(
            f"alarm {alarm!r} has no configuration at {path}{alarm}: not ours; no change made"
        ) from None
    config: dict[str, Any] = json.loads(parameter["Value"])
    return config


def lambda_handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    import boto3  # noqa: PLC0415 (the Lambda runtime provides it; tests pass their own clients)

    names = ("elbv2", "cloudwatch", "ecs", "application-autoscaling", "ssm")
    clients = {name: boto3.client(name) for name in names}
    path = os.environ["WARMSTART_FAILOVER_PARAMETERS"]
    if event == RE_EVALUATE:
        passes = re_evaluate(load_all_config(clients["ssm"], path), clients, time.time())
        print(json.dumps(passes))
        return {"reEvaluated": passes}
    config = load_config(clients["ssm"], path, event["detail"]["alarmName"])
    result = handle(event, config, clients, time.time())
    print(json.dumps(result))
    return result
