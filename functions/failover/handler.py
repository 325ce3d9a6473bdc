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
PHASE_TAG = "warmstart:failover-phase"
WEIGHTS_TAG = "warmstart:failover-weights"
NORMAL, FAILOVER, RESTORING, OTHER = "normal", "failover", "restoring", "other"
RAMP = (0.25, 0.5)  # share of the normal weights on each step back, before all of them


class FailoverError(Exception):
    """The function was asked to act on something that is not there; nothing was changed."""


@dataclass(frozen=True)
class Observed:
    current: str  # NORMAL, FAILOVER, RESTORING, or OTHER (weights someone set by hand)
    down_alarm_state: str
    recovered_alarm_state: str
    healthy_targets: int
    seconds_since_shift: float | None
    restore_step: int = 0
    fargate_healthy: int = 0


@dataclass(frozen=True)
class Decision:
    target: str | None  # NORMAL, FAILOVER, RESTORING, or None for no change
    reason: str
    step: int = 0  # the ramp step, for RESTORING


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
    if observed.current == RESTORING:
        return Decision(None, "already on the way back")
    return Decision(RESTORING, "Kubernetes healthy for the whole recovery window: ramp back")


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
    if observed.current == RESTORING:
        return _next_ramp_step(observed)
    return decide("recovered", observed.recovered_alarm_state, observed, hold_seconds)


def _next_ramp_step(observed: Observed) -> Decision:
    if observed.healthy_targets < 1:
        return Decision(None, "ramp paused: no healthy Kubernetes targets right now")
    step = observed.restore_step + 1
    if step < len(RAMP):
        return Decision(RESTORING, f"ramp step {step + 1} of {len(RAMP) + 1}", step)
    return Decision(NORMAL, "ramp complete")


def failover_weights(service: dict[str, Any], fargate_healthy: int) -> dict[str, int]:
    """The failover weights, with the share of Fargate tasks not yet healthy on Lambda.

    Without a Lambda path Fargate keeps its whole share: there is nothing better to send
    it to. With no ECS service configured, the weights are as configured.
    """
    weights = dict(service["failoverWeights"])
    fargate, function = service.get("fargateTargetGroupArn"), service.get("lambdaTargetGroupArn")
    ecs = service.get("ecs")
    if not (fargate and function and ecs and weights.get(fargate)):
        return weights
    ready = min(1.0, fargate_healthy / max(1, ecs["failoverCount"]))
    served = round(weights[fargate] * ready)
    weights[function] = weights.get(function, 0) + weights[fargate] - served
    weights[fargate] = served
    return weights


def ramp_weights(service: dict[str, Any], fargate_healthy: int, step: int) -> dict[str, int]:
    """`RAMP[step]` of the way from the (health-aware) failover weights to the normal ones."""
    share, failed_over = RAMP[step], failover_weights(service, fargate_healthy)
    normal = service["normalWeights"]
    return {arn: round(share * normal[arn] + (1 - share) * failed_over[arn]) for arn in normal}


def weights_for(service: dict[str, Any], decision: Decision, fargate_healthy: int) -> dict:
    if decision.target == FAILOVER:
        return failover_weights(service, fargate_healthy)
    if decision.target == RESTORING:
        return ramp_weights(service, fargate_healthy, decision.step)
    return dict(service["normalWeights"])


def classify(weights: dict[str, int], service: dict[str, Any], tags: dict[str, str]) -> str:
    """NORMAL on the normal weights; the phase this function recorded, while the weights are
    the ones it wrote; OTHER when someone else set them."""
    if weights == service["normalWeights"]:
        return NORMAL
    if tags.get(WEIGHTS_TAG) == _vector(weights):
        return tags.get(PHASE_TAG, FAILOVER).split(":")[0]
    return OTHER


def _vector(weights: dict[str, int]) -> str:
    """Weights in ARN order, short enough for a tag value: "0,40,60"."""
    return ",".join(str(weights[arn]) for arn in sorted(weights))


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
        if _vector(weights) != _vector(_weights(clients["elbv2"], service)):
            _write(clients, service, weights, {})
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
    tags = {**tags, WEIGHTS_TAG: _vector(weights)}
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
