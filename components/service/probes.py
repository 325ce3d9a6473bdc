"""Probe timings derived from a service's start-up budget.

The source articles tune probes with `initialDelaySeconds: 30`: every pod then waits 30 s
before it can take traffic, however fast it really starts, and a pod that needs 31 s is
killed in a loop. A startupProbe removes the guess: it polls every second from the moment
the container runs, so a pod is Ready about one readiness period after it really is ready,
and it is restarted only once the whole budget is spent. Liveness and readiness do not run
until the startupProbe has succeeded, so they can be tight without racing the start-up.

Formulas (P = period, F = failureThreshold, T = timeout, t = the service's real start-up):

    startup:   P = 1 s, T = 1 s, F = ceil(budget / P)
    readiness: P = 2 s, T = 1 s, F = 2, on the readiness endpoint
    liveness:  P = 10 s, T = 2 s, F = ceil(livenessTolerance / P), on a separate endpoint
               that never checks dependencies (a database outage must not restart pods)

    time to Ready      <= t + P_startup + P_readiness       (worst case budget + 3 s)
    killed, not started: after F_startup * P_startup s, give or take one period, since the
                         first probe lands somewhere in the first period
    restart after hang <= F_liveness * P_liveness + T_liveness
    out of endpoints    <= F_readiness * P_readiness + T_readiness after readiness fails
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

ProbeKind = Literal["http", "grpc", "tcp"]

STARTUP_PERIOD_SECONDS = 1
STARTUP_TIMEOUT_SECONDS = 1
READINESS_PERIOD_SECONDS = 2
READINESS_TIMEOUT_SECONDS = 1
READINESS_FAILURE_THRESHOLD = 2
LIVENESS_PERIOD_SECONDS = 10
LIVENESS_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class ProbeTiming:
    """The four numbers the kubelet uses to decide a probe's outcome."""

    period_seconds: int
    timeout_seconds: int
    failure_threshold: int
    success_threshold: int = 1

    def as_fields(self) -> dict[str, int]:
        return {
            "periodSeconds": self.period_seconds,
            "timeoutSeconds": self.timeout_seconds,
            "failureThreshold": self.failure_threshold,
            "successThreshold": self.success_threshold,
        }


@dataclass(frozen=True)
class ProbePlan:
    """Timings for the three probes and the worst cases they imply, in seconds."""

    startup: ProbeTiming
    readiness: ProbeTiming
    liveness: ProbeTiming

    def worst_case_ready_seconds(self, startup_seconds: float) -> float:
        """Upper bound on container start -> Ready, for a service that needs `startup_seconds`."""
        return startup_seconds + self.startup.period_seconds + self.readiness.period_seconds

    @property
    def startup_kill_seconds(self) -> int:
        """When a container that never starts is killed (to within one startup period)."""
        return self.startup.failure_threshold * self.startup.period_seconds

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
        startup=ProbeTiming(
            period_seconds=STARTUP_PERIOD_SECONDS,
            timeout_seconds=STARTUP_TIMEOUT_SECONDS,
            failure_threshold=math.ceil(budget_seconds / STARTUP_PERIOD_SECONDS),
        ),
        readiness=ProbeTiming(
            period_seconds=READINESS_PERIOD_SECONDS,
            timeout_seconds=READINESS_TIMEOUT_SECONDS,
            failure_threshold=READINESS_FAILURE_THRESHOLD,
        ),
        liveness=ProbeTiming(
            period_seconds=LIVENESS_PERIOD_SECONDS,
            timeout_seconds=LIVENESS_TIMEOUT_SECONDS,
            failure_threshold=math.ceil(liveness_tolerance_seconds / LIVENESS_PERIOD_SECONDS),
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
        return {"startup": "startup", "readiness": "readiness", "liveness": "liveness"}
    return {"startup": "/startupz", "readiness": "/readyz", "liveness": "/livez"}
