"""Failover function: moves a service's listener weights off Kubernetes and back.

An ALB keeps sending a target group its weighted share even when every target in it is
unhealthy (it fails open), so a dead cluster path would keep eating its share of traffic.
Two CloudWatch alarms watch the Kubernetes target group's HealthyHostCount; EventBridge
delivers their state changes here:

- the *down* alarm (no healthy hosts for a short window) shifts the weights to the
  configured fallbacks, health-aware: Lambda serves at once, so it takes the share of
  Fargate tasks that are not healthy yet, and Fargate's share grows, minute by minute, with
  its healthy targets (a cold standby would otherwise answer its share with 503s). The
  weights move before the Fargate service is scaled up, so a scaling error cannot hold
  the shift back (it fails the run, and the retry or the next minute scales);
- the *recovered* alarm (healthy hosts for `healthyForSeconds`) starts the way back, but
  only if the down alarm is clear, Kubernetes has healthy targets right now, and the last
  shift is at least `holdSeconds` old: a flapping target group cannot flap the weights.
  The return is a ramp, one step a minute (a quarter, a half, then all of the normal
  weights), that falls back to the failover weights if the down alarm fires again.

Its configuration for a service is the SSM parameter named after the alarm that fired,
under WARMSTART_FAILOVER_PARAMETERS (`load_config`); an alarm without one is not ours.
A new stack's down alarm fires before its first pods register (missing data is breaching):
until Kubernetes has been healthy once behind a rule, which the function records on the
rule (ARMED_TAG), a down alarm changes nothing. Runs on the Lambda Python runtime with only
the standard library and boto3. The decisions are the pure functions in `decision`;
`handle` reads AWS, decides, and writes AWS.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from .decision import (
    ARMED_TAG,
    FAILOVER,
    OTHER,
    PHASE_TAG,
    RESTORING,
    SHIFTED_AT_TAG,
    WEIGHTS_TAG,
    Decision,
    Observed,
    classify,
    decide,
    decide_standing,
    failover_weights,
    vector,
    weights_for,
)


class FailoverError(Exception):
    """The function was asked to act on something that is not there; nothing was changed."""


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
    names = [service["downAlarm"], service["recoveredAlarm"]]
    states = {
        alarm["AlarmName"]: alarm["StateValue"]
        for alarm in cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]
    }
    tags = {
        tag["Key"]: tag["Value"]
        for tag in elb.describe_tags(ResourceArns=[service["ruleArn"]])["TagDescriptions"][0][
            "Tags"
        ]
    }
    shifted = tags.get(SHIFTED_AT_TAG)
    phase = tags.get(PHASE_TAG, "")
    return Observed(
        current=classify(_weights(elb, service), service, tags),
        down_alarm_state=states.get(names[0], "INSUFFICIENT_DATA"),
        recovered_alarm_state=states.get(names[1], "INSUFFICIENT_DATA"),
        healthy_targets=_healthy(elb, service["kubernetesTargetGroupArn"]),
        seconds_since_shift=None if shifted is None else now - float(shifted),
        restore_step=int(phase.split(":")[1]) if phase.startswith(f"{RESTORING}:") else 0,
        fargate_healthy=_healthy(elb, service.get("fargateTargetGroupArn")),
        armed_recorded=ARMED_TAG in tags or WEIGHTS_TAG in tags,
    )


def _weights(elb: Any, service: dict[str, Any]) -> dict[str, int]:
    rule = elb.describe_rules(RuleArns=[service["ruleArn"]])["Rules"][0]
    forward = next(action for action in rule["Actions"] if action["Type"] == "forward")
    return {g["TargetGroupArn"]: g["Weight"] for g in forward["ForwardConfig"]["TargetGroups"]}


def _healthy(elb: Any, target_group: str | None) -> int:
    if not target_group:
        return 0
    health = elb.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
    return sum(1 for target in health if target["TargetHealth"]["State"] == "healthy")


def _act(
    clients: dict[str, Any],
    service: dict[str, Any],
    decision: Decision,
    observed: Observed,
    now: float,
) -> None:
    """Weights first, capacity second: a scaling error must not hold a shift back.

    With no shift decided, a failover in progress still follows Fargate's health (its share
    grows as its tasks turn healthy), and the Fargate floor is made to match the phase.
    """
    if decision.target is not None:
        phase = f"{RESTORING}:{decision.step}" if decision.target == RESTORING else decision.target
        weights = weights_for(service, decision, observed.fargate_healthy)
        _write(clients, service, weights, {PHASE_TAG: phase, SHIFTED_AT_TAG: f"{now:.0f}"})
    elif observed.current == FAILOVER:
        weights = failover_weights(service, observed.fargate_healthy)
        if vector(weights) != vector(_weights(clients["elbv2"], service)):
            _write(clients, service, weights, {})
    if not observed.armed_recorded and observed.healthy_targets > 0:
        clients["elbv2"].add_tags(
            ResourceArns=[service["ruleArn"]], Tags=[{"Key": ARMED_TAG, "Value": f"{now:.0f}"}]
        )
    after = decision.target or observed.current
    _reconcile_floor(clients, service, FAILOVER if after == RESTORING else after)


def _write(
    clients: dict[str, Any], service: dict[str, Any], weights: dict[str, int], tags: dict
) -> None:
    groups = [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in sorted(weights.items())]
    clients["elbv2"].modify_rule(
        RuleArn=service["ruleArn"],
        Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}],
    )
    tags = {**tags, WEIGHTS_TAG: vector(weights)}
    clients["elbv2"].add_tags(
        ResourceArns=[service["ruleArn"]],
        Tags=[{"Key": key, "Value": value} for key, value in sorted(tags.items())],
    )


def _reconcile_floor(clients: dict[str, Any], service: dict[str, Any], current: str) -> None:
    """The Fargate floor for the phase: failover count while failed over or ramping back,
    standby otherwise. Runs after every weight change and on every pass, so a scaling
    error (raised after the weights moved) is finished by the retry or the next minute."""
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
    """The scheduled pass: `decide_standing` for every service, acting where it says so.

    One service's AWS error does not stop the others' passes; it is raised at the end, so
    the run still fails (and reaches the on-failure destination).
    """
    results, errors = [], []
    for name, service in sorted(config["services"].items()):
        try:
            observed = _observe(clients, service, now)
            decision = decide_standing(observed, service["holdSeconds"])
            _act(clients, service, decision, observed, now)
        except Exception as error:  # reported below, after the other services' passes
            errors.append(f"{name}: {error}")
            continue
        results.append({"service": name, "shiftedTo": decision.target, "reason": decision.reason})
    if errors:
        raise FailoverError(f"re-evaluation failed for {'; '.join(errors)}; results: {results}")
    return results


def load_all_config(ssm: Any, path: str) -> dict[str, Any]:
    """Every service under `path` (two parameters, one per alarm, hold each service)."""
    services: dict[str, Any] = {}
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=path.rstrip("/"))
    for page in pages:
        for parameter in page["Parameters"]:
            services.update(json.loads(parameter["Value"])["services"])
    return {"services": services}


def load_config(ssm: Any, path: str, alarm: str) -> dict[str, Any] | None:
    """The configuration stored for `alarm` under `path` (`{"services": {name: ...}}`), or
    None: the event pattern matches alarm names by prefix, so another stack's alarm that
    shares it reaches this function too, and has no parameter here."""
    try:
        parameter = ssm.get_parameter(Name=f"{path}{alarm}")["Parameter"]
    except ssm.exceptions.ParameterNotFound:
        return None
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
    alarm = event["detail"]["alarmName"]
    config = load_config(clients["ssm"], path, alarm)
    if config is None:  # not ours: a success, so it is neither retried nor reported
        result = {"alarm": alarm, "ignored": f"no configuration at {path}{alarm}: not ours"}
    else:
        result = handle(event, config, clients, time.time())
    print(json.dumps(result))
    return result
