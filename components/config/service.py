"""`warmstart:services[]`: one Go service each, and the rules a service must keep."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

from pydantic import Field

from warmstart.components.config.base import (
    DIGEST_RULE,
    DNS_LABEL,
    ConfigModel,
    IntOrPercent,
    IntOrShare,
    Problem,
)
from warmstart.components.config.fallback import FallbackConfig
from warmstart.components.config.images import BuildConfig
from warmstart.components.image_reference import (
    ImageReferenceError,
    is_digest_pinned,
    parse_reference,
)
from warmstart.components.quantities import QuantityError, parse_cpu, parse_memory
from warmstart.components.service.probes import ProbeKind

# Derived from limits by warmstart; setting them by hand would silently undo the tuning.
DERIVED_ENV = frozenset({"GOMEMLIMIT", "GOMAXPROCS", "PORT", "SHUTDOWN_TIMEOUT"})
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class StartupConfig(ConfigModel):
    """How long the service takes to start, as measured; the probes are derived from it."""

    budget_seconds: float = Field(gt=0, le=3600)
    """Measured start-up time plus headroom (0 < s <= 3600): liveness is not probed before it,
    and a start that has not finished by then is restarted."""
    probe: ProbeKind = "http"
    """Probe kind of both probes: `http`, `grpc` or `tcp`; also the port's name."""


class HealthConfig(ConfigModel):
    """HTTP paths, or gRPC health service names, for each probe; defaults follow the kind."""

    readiness: str | None = None
    """Readiness probe target: `/readyz` for http, `readiness` for grpc; none for tcp."""
    liveness: str | None = None
    """Liveness probe target: `/livez` for http, `liveness` for grpc; must differ from readiness.
    It should fail until the service has started, and never look at dependencies."""
    liveness_tolerance_seconds: int = Field(default=30, ge=10, le=600)
    """How long a hung process is tolerated before the kubelet restarts it (10-600)."""


class ResourceAmounts(ConfigModel):
    """A CPU and a memory quantity, written as Kubernetes writes them."""

    cpu: str
    """CPU quantity, such as `250m` or `1`."""
    memory: str
    """Memory quantity, such as `64Mi` or `1Gi`."""


class ResourcesConfig(ConfigModel):
    """Requests schedule the pod; limits also set GOMEMLIMIT and GOMAXPROCS."""

    requests: ResourceAmounts
    """What the scheduler reserves; each must not exceed its limit."""
    limits: ResourceAmounts
    """The ceiling; GOMEMLIMIT is 90% of the memory limit, GOMAXPROCS the CPU limit rounded up."""


class ShutdownConfig(ConfigModel):
    """A rollout's clean hand-over: stop receiving traffic first, then drain, then exit."""

    pre_stop_sleep_seconds: int | None = Field(default=None, ge=1, le=60)
    """preStop sleep, so endpoint removal reaches every proxy before SIGTERM (1-60); default 5,
    or 20 for a routed service: the ALB keeps sending to a deregistered IP target for a while."""
    drain_seconds: int = Field(default=20, ge=1, le=600)
    """In-flight request drain budget after SIGTERM, passed as `SHUTDOWN_TIMEOUT` (1-600)."""


class RolloutConfig(ConfigModel):
    """Rolling update pace; `maxUnavailable` is always 0, so capacity never dips."""

    max_surge: IntOrPercent = "25%"
    """Extra pods a rollout may start at once: a count or a percentage; must be > 0."""


class DisruptionConfig(ConfigModel):
    """Exactly one of the two, as the PodDisruptionBudget API itself requires."""

    max_unavailable: IntOrShare | None = None
    """Pods a voluntary disruption (node drain) may take down at once."""
    min_available: IntOrShare | None = None
    """Pods that must stay up during a voluntary disruption."""


class AutoscalingConfig(ConfigModel):
    """The HorizontalPodAutoscaler; the Deployment starts at `minReplicas`."""

    min_replicas: int = Field(default=1, ge=1, le=1000)
    """Fewest replicas; production needs at least 2."""
    max_replicas: int = Field(default=3, ge=1, le=1000)
    """Most replicas; must be >= minReplicas."""
    cpu_utilization_percent: int = Field(default=70, ge=10, le=100)
    """Average CPU utilisation (of requests) the HPA aims for."""


class RoutesConfig(ConfigModel):
    """Which requests the load balancer sends to the service: hosts, paths or both."""

    hosts: list[str] = []
    """Host header values of the service's listener rule."""
    paths: list[str] = []
    """Path patterns of the service's listener rule."""
    load_balancer: int | None = Field(default=None, ge=0, le=19)
    """Index of the ALB that serves the service (below routing.loadBalancers); default: a
    hash of the service's name."""
    priority: int | None = Field(default=None, ge=1, le=9999)
    """Listener rule priority (lower is matched first); required where another service's
    routes can match the same requests. Otherwise derived from the service's name."""


class ServiceConfig(ConfigModel):
    """One Go service: its image, how it starts, what it may use, and how it is reached."""

    name: str = Field(pattern=DNS_LABEL, max_length=63)
    """DNS label that names every object of the service."""
    image: str | None = Field(default=None, min_length=1)
    """Prebuilt image reference; production stacks need `...@sha256:<64 hex>`. Or `build`."""
    build: BuildConfig | None = None
    """Build and push the image in the program; workloads run it by its pushed digest."""
    port: int = Field(default=8080, ge=1024, le=65535)
    """Container port (>= 1024: the container runs as non-root)."""
    service_port: int = Field(default=80, ge=1, le=65535)
    """Port of the Kubernetes Service in front of the pods."""
    startup: StartupConfig
    """Measured start-up budget and probe kind."""
    health: HealthConfig = HealthConfig()
    """Probe targets; the defaults follow the probe kind."""
    resources: ResourcesConfig
    """CPU and memory requests and limits."""
    shutdown: ShutdownConfig = ShutdownConfig()
    """preStop sleep and drain budget; the grace period is their sum plus 5 s."""
    rollout: RolloutConfig = RolloutConfig()
    """Rolling update surge."""
    disruption: DisruptionConfig = DisruptionConfig(max_unavailable=1)
    """PodDisruptionBudget: exactly one of maxUnavailable or minAvailable."""
    autoscaling: AutoscalingConfig = AutoscalingConfig()
    """HorizontalPodAutoscaler bounds and target."""
    env: dict[str, str] = {}
    """Extra environment variables; GOMEMLIMIT, GOMAXPROCS, PORT, SHUTDOWN_TIMEOUT are derived."""
    automount_service_account_token: bool = False
    """Mount an API token only when the service calls the Kubernetes API."""
    routes: RoutesConfig | None = None
    """Load balancer routes (needs `routing.enabled`; http services only)."""
    fallback: FallbackConfig = FallbackConfig()
    """Fargate Spot and Lambda paths that serve while Kubernetes cannot."""


def service_problems(at: str, service: ServiceConfig) -> Iterator[Problem]:
    """Rules within one service that no single field's type can express."""
    if service.image is not None:
        try:
            parse_reference(service.image)
        except ImageReferenceError:
            yield Problem(f"{at}.image", "not an image reference", service.image)
    yield from resource_problems(f"{at}.resources", service.resources)
    yield from _health_problems(f"{at}.health", service)
    if service.autoscaling.min_replicas > service.autoscaling.max_replicas:
        yield Problem(
            f"{at}.autoscaling.maxReplicas",
            f"must be >= minReplicas ({service.autoscaling.min_replicas})",
            service.autoscaling.max_replicas,
        )
    if service.rollout.max_surge in (0, "0%"):
        yield Problem(
            f"{at}.rollout.maxSurge",
            "must be > 0: with maxUnavailable 0 a rollout could never start",
            service.rollout.max_surge,
        )
    chosen = [
        key
        for key, value in (
            ("maxUnavailable", service.disruption.max_unavailable),
            ("minAvailable", service.disruption.min_available),
        )
        if value is not None
    ]
    if len(chosen) != 1:
        yield Problem(
            f"{at}.disruption",
            "set exactly one of maxUnavailable or minAvailable",
            ", ".join(chosen) or "neither",
        )
    for name in service.env:
        if not _ENV_NAME.fullmatch(name):
            yield Problem(f"{at}.env.{name}", "not a valid environment variable name")
        elif name in DERIVED_ENV:
            yield Problem(f"{at}.env.{name}", "derived by warmstart from limits; remove it")


def production_service_problems(at: str, service: ServiceConfig) -> Iterator[Problem]:
    """What production adds: images pinned by digest, and a replica to fail over to."""
    if service.image is not None and not is_digest_pinned(service.image):
        yield Problem(
            f"{at}.image",
            DIGEST_RULE,
            service.image,
        )
    if service.autoscaling.min_replicas < 2:
        yield Problem(
            f"{at}.autoscaling.minReplicas",
            "production services run at least 2 replicas",
            service.autoscaling.min_replicas,
        )


class RequestsAndLimits(Protocol):
    """Any model with requests and limits: a service's resources, a prewarm holder's."""

    requests: ResourceAmounts
    limits: ResourceAmounts


def resource_problems(at: str, resources: RequestsAndLimits) -> Iterator[Problem]:
    """Each quantity parses, and no request exceeds its limit."""
    parsed: dict[tuple[str, str], Any] = {}
    for side in ("requests", "limits"):
        amounts = getattr(resources, side)
        for kind, parse in (("cpu", parse_cpu), ("memory", parse_memory)):
            text = getattr(amounts, kind)
            try:
                parsed[side, kind] = parse(text)
            except QuantityError as error:
                yield Problem(f"{at}.{side}.{kind}", error.reason, text)
    for kind in ("cpu", "memory"):
        request, limit = parsed.get(("requests", kind)), parsed.get(("limits", kind))
        if request is not None and limit is not None and request > limit:
            yield Problem(
                f"{at}.requests.{kind}",
                f"must not exceed limits.{kind} ({getattr(resources.limits, kind)})",
                getattr(resources.requests, kind),
            )


def _health_problems(at: str, service: ServiceConfig) -> Iterator[Problem]:
    health, kind = service.health, service.startup.probe
    targets = {
        "readiness": health.readiness,
        "liveness": health.liveness,
    }
    for probe, target in targets.items():
        if target is None:
            continue
        if kind == "tcp":
            yield Problem(f"{at}.{probe}", "tcp probes connect to the port; remove it", target)
        elif kind == "http" and not target.startswith("/"):
            yield Problem(f"{at}.{probe}", "an HTTP path must start with /", target)
    if health.liveness is not None and health.liveness == health.readiness:
        yield Problem(
            f"{at}.liveness",
            "must differ from readiness: liveness never checks dependencies",
            health.liveness,
        )
