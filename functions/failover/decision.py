"""The failover function's decisions: pure functions of what it observed, no AWS calls.

`handler` (the same package, in the same Lambda archive) reads AWS into an `Observed`,
asks `decide` (an alarm's event) or `decide_standing` (the scheduled pass) for a
`Decision`, and writes the weights this module derives. Runs on the Lambda Python runtime
with only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SHIFTED_AT_TAG = "warmstart:failover-shifted-at"
PHASE_TAG = "warmstart:failover-phase"
WEIGHTS_TAG = "warmstart:failover-weights"
ARMED_TAG = "warmstart:failover-armed-at"
NORMAL, FAILOVER, RESTORING, OTHER = "normal", "failover", "restoring", "other"
RAMP = (0.25, 0.5)  # share of the normal weights on each step back, before all of them


@dataclass(frozen=True)
class Observed:
    current: str  # NORMAL, FAILOVER, RESTORING, or OTHER (weights someone set by hand)
    down_alarm_state: str
    recovered_alarm_state: str
    healthy_targets: int
    seconds_since_shift: float | None
    restore_step: int = 0
    fargate_healthy: int = 0
    # The rule records that Kubernetes has served since it was made (ARMED_TAG, or a shift
    # this function recorded before that tag existed).
    armed_recorded: bool = True

    @property
    def armed(self) -> bool:
        """Failover may act: Kubernetes has served behind this rule, or serves now."""
        return self.armed_recorded or self.healthy_targets > 0


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
    """Fail over, unless Kubernetes never served: a new stack's down alarm fires before its
    first pods register (no data is breaching), and there is nothing to fail over from."""
    if observed.current == FAILOVER:
        return Decision(None, "already failed over")
    if not observed.armed:
        return Decision(None, "not armed: Kubernetes has not been healthy since the rule was made")
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
    if tags.get(WEIGHTS_TAG) == vector(weights):
        return tags.get(PHASE_TAG, FAILOVER).split(":")[0]
    return OTHER


def vector(weights: dict[str, int]) -> str:
    """Weights in ARN order, short enough for a tag value: "0,40,60"."""
    return ",".join(str(weights[arn]) for arn in sorted(weights))
