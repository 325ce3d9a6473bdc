"""Probe timings derived from a service's start-up budget.

The source articles tune probes with `initialDelaySeconds: 30`: every pod then waits 30 s
before it can take traffic, however fast it really starts, and a pod that needs 31 s is
killed in a loop. warmstart derives the probes from the measured budget instead, laid out
around what the kubelet actually does, measured with `make bench-pods` and, 1.36 against
1.35 on one cluster, `make bench-kubelets` (docs/figures.md, "Pod start"):

- The kubelet runs the readiness probe the instant it sees that a container runs
  (prober_manager.UpdatePodStatus triggers it), then on the probe's own ticker. The 1.35
  kubelet sees it on its 1 s relist of the runtime (Running one pod at a time at p50
  0.7-1.1 s, p95 1.3-1.5 s), by when a service that starts in milliseconds listens, so
  Ready follows at once. The 1.36 kubelet relists a pod right after acting on it
  (PLEGOnDemandRelist): Running at p50 0.3-0.55 s, p95 0.4-0.8 s; but the triggered probe
  can now come before the service has opened its port (refused on 5-12 pods of 30), and the
  next one is a period later. Ready moved at p50 (0.35-0.62 s against 0.70-1.11 s), hardly
  at p95 (1.35-1.56 s against 1.47-1.93 s): the readiness period, no longer the relist, is
  what a start that loses that race waits for.
- A startupProbe gets no such trigger: it waits for its own ticker, started when the pod
  was first synced, and readiness waits for it. Behind a startupProbe a pod is Ready about
  one period later than it could be, under either kubelet: p95 1.90-1.97 s (1.36) and
  2.31-2.38 s (1.35) against 1.35-1.56 s and 1.47-1.93 s without one.

So there is no startupProbe, and the readiness period is 1 s, the API's minimum (no setting
removes the second a too-early probe costs on 1.36). Readiness polls every second from the
start, and liveness, whose endpoint fails until the service has started, is not probed
before the budget is spent: a start that hangs is restarted once the budget and the
liveness tolerance are gone, and a service that starts in 40 ms is Ready the moment the
kubelet sees it run, or one readiness period later.

Formulas (P = period, F = failureThreshold, T = timeout, t = the service's real start-up):

    readiness: P = 1 s, T = 1 s, F = 2, on the readiness endpoint, from container start
    liveness:  initialDelay = ceil(budget), P = 10 s, T = 2 s, F = ceil(tolerance / P),
               on an endpoint that fails until started and never checks dependencies
               (a database outage must not restart pods)

    time to Ready      <= t + P_readiness, after the kubelet sees the container run
    restarted, not started: after ceil(budget) + F_liveness * P_liveness s
    restart after hang <= F_liveness * P_liveness + T_liveness
    out of endpoints    <= F_readiness * P_readiness + T_readiness after readiness fails
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

ProbeKind = Literal["http", "grpc", "tcp"]

READINESS_PERIOD_SECONDS = 1
READINESS_TIMEOUT_SECONDS = 1
READINESS_FAILURE_THRESHOLD = 2
LIVENESS_PERIOD_SECONDS = 10
LIVENESS_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class ProbeTiming:
    """The numbers the kubelet uses to decide a probe's outcome."""

    period_seconds: int
    timeout_seconds: int
    failure_threshold: int
    success_threshold: int = 1
    initial_delay_seconds: int = 0

    def as_fields(self) -> dict[str, int]:
        fields = {
            "periodSeconds": self.period_seconds,
            "timeoutSeconds": self.timeout_seconds,
            "failureThreshold": self.failure_threshold,
            "successThreshold": self.success_threshold,
        }
        if self.initial_delay_seconds:
            fields["initialDelaySeconds"] = self.initial_delay_seconds
        return fields


@dataclass(frozen=True)
class ProbePlan:
    """Timings for the two probes and the worst cases they imply, in seconds."""

    readiness: ProbeTiming
    liveness: ProbeTiming

    def worst_case_ready_seconds(self, startup_seconds: float) -> float:
        """Upper bound on container seen running -> Ready, for a start of `startup_seconds`."""
        return startup_seconds + self.readiness.period_seconds

    @property
    def unstarted_restart_seconds(self) -> int:
        """When a container that never finishes starting is restarted."""
        return self.liveness.initial_delay_seconds + (
            self.liveness.failure_threshold * self.liveness.period_seconds
        )

    @property
    def worst_case_restart_seconds(self) -> int:
        """Upper bound on a hung process -> restart decision."""
        return self.liveness.failure_threshold * self.liveness.period_seconds + (
            self.liveness.timeout_seconds
        )

    @property
    def worst_case_unready_seconds(self) -> int:
        """Upper bound on readiness failing -> pod taken out of the Service's endpoints."""
        return self.readiness.failure_threshold * self.readiness.period_seconds + (
            self.readiness.timeout_seconds
        )


def plan_probes(budget_seconds: float, liveness_tolerance_seconds: int) -> ProbePlan:
    """Probe timings for a service that must be started within `budget_seconds`."""
    if budget_seconds <= 0:
        raise ValueError(f"start-up budget must be > 0 (got {budget_seconds})")
    if liveness_tolerance_seconds <= 0:
        raise ValueError(f"liveness tolerance must be > 0 (got {liveness_tolerance_seconds})")
    return ProbePlan(
        readiness=ProbeTiming(
            period_seconds=READINESS_PERIOD_SECONDS,
            timeout_seconds=READINESS_TIMEOUT_SECONDS,
            failure_threshold=READINESS_FAILURE_THRESHOLD,
        ),
        liveness=ProbeTiming(
            period_seconds=LIVENESS_PERIOD_SECONDS,
            timeout_seconds=LIVENESS_TIMEOUT_SECONDS,
            failure_threshold=math.ceil(liveness_tolerance_seconds / LIVENESS_PERIOD_SECONDS),
            initial_delay_seconds=math.ceil(budget_seconds),
        ),
    )


def probe_handler(kind: ProbeKind, port_name: str, port_number: int, target: str) -> dict[str, Any]:
    """The probe's action: an HTTP path, a gRPC health service name, or a bare TCP connect.

    gRPC probes cannot use a named port (the API requires a number), hence both are passed.
    """
    if kind == "http":
        return {"httpGet": {"path": target, "port": port_name}}
    if kind == "grpc":
        return {"grpc": {"port": port_number, "service": target}}
    return {"tcpSocket": {"port": port_name}}


def default_health_targets(kind: ProbeKind) -> dict[str, str]:
    """What each probe asks for, by default: HTTP paths or gRPC health service names."""
    if kind == "grpc":
        return {"readiness": "readiness", "liveness": "liveness"}
    return {"readiness": "/readyz", "liveness": "/livez"}
