"""The `warmstart` config namespace: typed models, parsing, and one message per problem.

Everything a stack can set is declared here, and all of it is checked before the first
resource is registered: a typo in a stack file must fail `pulumi preview` with the key path
and what is allowed, not half-way through an update with a provider error.
"""

from __future__ import annotations

import ipaddress
import json
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import pulumi
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from components.image_reference import (
    ImageReferenceError,
    is_digest_pinned,
    parse_reference,
)
from components.probes import ProbeKind
from components.quantities import QuantityError, parse_cpu, parse_memory

NAMESPACE = "warmstart"

# preStop.sleep needs 1.30; schemas for strict validation exist up to 1.37.
SUPPORTED_KUBERNETES_MINORS = range(30, 38)

# Derived from limits by warmstart; setting them by hand would silently undo the tuning.
DERIVED_ENV = frozenset({"GOMEMLIMIT", "GOMAXPROCS", "PORT", "SHUTDOWN_TIMEOUT"})

_DNS_LABEL = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ECR_PREFIX = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
# Image volumes (the prewarm mode that runs nothing from the images) are on by default from 1.35.
IMAGE_VOLUME_MINOR = 35
_PERCENT = r"^(100|[1-9]?[0-9])%$"


class _Model(BaseModel):
    """camelCase keys as in the stack files; unknown keys are errors, not ignored."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, validate_by_name=True
    )


def _int_or_percent(value: Any) -> int | str:
    """Kubernetes IntOrString as rollouts and PDBs take it: a count or a percentage."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and re.match(_PERCENT, value):
        return value
    raise PydanticCustomError(
        "int_or_percent", "must be a whole number >= 0 or a percentage such as 25%"
    )


IntOrPercent = Annotated[int | str, PlainValidator(_int_or_percent)]


class StartupConfig(_Model):
    budget_seconds: float = Field(gt=0, le=3600)
    probe: ProbeKind = "http"


class HealthConfig(_Model):
    """HTTP paths, or gRPC health service names, for each probe; defaults follow the kind."""

    startup: str | None = None
    readiness: str | None = None
    liveness: str | None = None
    liveness_tolerance_seconds: int = Field(default=30, ge=10, le=600)


class ResourceAmounts(_Model):
    cpu: str
    memory: str


class ResourcesConfig(_Model):
    requests: ResourceAmounts
    limits: ResourceAmounts


class ShutdownConfig(_Model):
    pre_stop_sleep_seconds: int = Field(default=5, ge=1, le=60)
    drain_seconds: int = Field(default=20, ge=1, le=600)


class RolloutConfig(_Model):
    max_surge: IntOrPercent = "25%"


class DisruptionConfig(_Model):
    """Exactly one of the two, as the PodDisruptionBudget API itself requires."""

    max_unavailable: IntOrPercent | None = None
    min_available: IntOrPercent | None = None


class AutoscalingConfig(_Model):
    min_replicas: int = Field(default=1, ge=1, le=1000)
    max_replicas: int = Field(default=3, ge=1, le=1000)
    cpu_utilization_percent: int = Field(default=70, ge=10, le=100)


FargateCpu = Literal[256, 512, 1024, 2048, 4096]
# Fargate's allowed memory (MiB) per CPU size.
FARGATE_MEMORY = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
}


class WeightsConfig(_Model):
    """Listener weights for the three paths of one service (0-999 each, as ALB allows)."""

    kubernetes: int = Field(default=100, ge=0, le=999)
    fargate: int = Field(default=0, ge=0, le=999)
    lambda_: int = Field(default=0, ge=0, le=999, alias="lambda")


class FargateFallbackConfig(_Model):
    enabled: bool = False
    cpu: FargateCpu = 256
    memory_mib: int = 512
    standby_tasks: int = Field(default=0, ge=0, le=100)
    failover_tasks: int = Field(default=2, ge=1, le=100)
    max_tasks: int = Field(default=10, ge=1, le=1000)
    target_cpu_percent: int = Field(default=60, ge=10, le=95)


class LambdaFallbackConfig(_Model):
    enabled: bool = False
    package: str = "build/lambda/hello.zip"
    memory_mb: int = Field(default=256, ge=128, le=10240)
    timeout_seconds: int = Field(default=15, ge=1, le=900)
    reserved_concurrency: int | None = Field(default=None, ge=1, le=10000)
    provisioned_concurrency: int = Field(default=0, ge=0, le=10000)


class FallbackConfig(_Model):
    fargate: FargateFallbackConfig = FargateFallbackConfig()
    lambda_: LambdaFallbackConfig = Field(default=LambdaFallbackConfig(), alias="lambda")
    # Normal weights; None takes warmstart:routing.weights.
    weights: WeightsConfig | None = None
    # Weights while Kubernetes has no healthy targets; None splits among enabled fallbacks.
    failover_weights: WeightsConfig | None = None


class RoutesConfig(_Model):
    hosts: list[str] = []
    paths: list[str] = []


class ServiceConfig(_Model):
    name: str = Field(pattern=_DNS_LABEL, max_length=63)
    image: str = Field(min_length=1)
    port: int = Field(default=8080, ge=1024, le=65535)
    service_port: int = Field(default=80, ge=1, le=65535)
    startup: StartupConfig
    health: HealthConfig = HealthConfig()
    resources: ResourcesConfig
    shutdown: ShutdownConfig = ShutdownConfig()
    rollout: RolloutConfig = RolloutConfig()
    disruption: DisruptionConfig = DisruptionConfig(max_unavailable=1)
    autoscaling: AutoscalingConfig = AutoscalingConfig()
    env: dict[str, str] = {}
    automount_service_account_token: bool = False
    routes: RoutesConfig | None = None
    fallback: FallbackConfig = FallbackConfig()


Upstream = Literal["ecr-public", "k8s", "quay", "docker-hub", "ghcr"]


class AwsConfig(_Model):
    """The one account and region a stack may touch; the AWS provider refuses any other."""

    account_id: str = Field(pattern=r"^[0-9]{12}$")
    region: str = Field(pattern=r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")


class MirrorConfig(_Model):
    enabled: bool = False
    upstreams: list[Upstream] = ["ecr-public", "k8s", "quay"]
    # ECR repository prefix per upstream; the upstream's own name when not set.
    prefixes: dict[
        Upstream, Annotated[str, Field(min_length=2, max_length=30, pattern=_ECR_PREFIX)]
    ] = {}
    repository_prefix: str = Field(
        default="warmstart", min_length=2, max_length=30, pattern=_ECR_PREFIX
    )
    keep_images: int = Field(default=30, ge=1, le=1000)


class ContainerAmounts(_Model):
    requests: ResourceAmounts = ResourceAmounts(cpu="1m", memory="4Mi")
    limits: ResourceAmounts = ResourceAmounts(cpu="10m", memory="16Mi")


class PrewarmConfig(_Model):
    enabled: bool = False
    mode: Literal["sleep", "image-volume"] = "sleep"
    sleep_image: str | None = None
    pause_image: str = "registry.k8s.io/pause:3.10"
    extra_images: list[str] = []
    images_per_pod: int = Field(default=20, ge=1, le=100)
    node_selector: dict[str, str] = {}
    tolerate_all_taints: bool = True
    max_unavailable: IntOrPercent = "10%"
    priority: int = Field(default=-100, ge=-1000, le=0)
    resources: ContainerAmounts = ContainerAmounts()


class ImageGcConfig(_Model):
    """kubelet image GC; it never removes an image a running container uses."""

    high_threshold_percent: int = Field(default=85, ge=1, le=100)
    low_threshold_percent: int = Field(default=75, ge=0, le=99)
    minimum_age: str = Field(default="2m", pattern=r"^([0-9]+(h|m|s))+$")
    maximum_age: str = Field(default="168h", pattern=r"^([0-9]+(h|m|s))+$")


class NodesConfig(_Model):
    image_gc: ImageGcConfig = ImageGcConfig()


Addon = Literal["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent"]
LogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]


class NetworkConfig(_Model):
    cidr: str = "10.0.0.0/16"
    availability_zones: list[str] = Field(min_length=2, max_length=3)
    # per-az survives a zone outage; shared costs one NAT gateway. Default: per-az in production.
    nat_gateways: Literal["per-az", "shared"] | None = None
    vpc_endpoints: bool = True


class EndpointAccessConfig(_Model):
    public: bool = True
    private: bool = True
    public_cidrs: list[str] = ["0.0.0.0/0"]


class NodeGroupConfig(_Model):
    instance_types: list[str] = Field(min_length=1)
    min_size: int = Field(ge=0, le=1000)
    desired_size: int = Field(ge=0, le=1000)
    max_size: int = Field(ge=1, le=1000)
    disk_size_gib: int = Field(default=40, ge=20, le=16384, alias="diskSizeGiB")
    labels: dict[str, str] = {}


class LoadBalancerControllerConfig(_Model):
    enabled: bool = True
    chart_version: str = "1.11.0"
    identity: Literal["pod-identity", "irsa"] = "pod-identity"


class ClusterConfig(_Model):
    mode: Literal["render", "existing", "eks"]
    kubernetes_version: str = Field(default="1.35", pattern=r"^1\.\d+$")
    render_dir: str = "rendered/manifests"
    context: str | None = None
    # eks mode only, from here on
    name: str | None = Field(default=None, pattern=r"^[a-zA-Z][-a-zA-Z0-9_]{0,99}$")
    network: NetworkConfig | None = None
    endpoint: EndpointAccessConfig = EndpointAccessConfig()
    admin_role_arns: list[str] = []
    logging: list[LogType] = ["api", "audit", "authenticator"]
    ami_type: Literal["AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD"] = "AL2023_ARM_64_STANDARD"
    system_nodes: NodeGroupConfig = NodeGroupConfig(
        instance_types=["m7g.large"], min_size=2, desired_size=2, max_size=3
    )
    spot_nodes: NodeGroupConfig = NodeGroupConfig(
        instance_types=["m7g.large", "m6g.large", "c7g.xlarge", "r7g.large"],
        min_size=0,
        desired_size=2,
        max_size=10,
    )
    addon_versions: dict[Addon, str] = {}
    load_balancer_controller: LoadBalancerControllerConfig = LoadBalancerControllerConfig()


class FargateStrategyConfig(_Model):
    """Default capacity provider strategy: `base` tasks on FARGATE, the rest split by weight."""

    base: int = Field(default=1, ge=0, le=100000)
    on_demand_weight: int = Field(default=1, ge=0, le=1000)
    spot_weight: int = Field(default=4, ge=0, le=1000)


class RoutingConfig(_Model):
    enabled: bool = False
    certificate_arn: str | None = None
    weights: WeightsConfig = WeightsConfig()
    down_after_seconds: int = Field(default=120, ge=60, le=600, multiple_of=60)
    healthy_for_seconds: int = Field(default=300, ge=60, le=3600, multiple_of=60)
    log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 180, 365] = 14
    fargate_strategy: FargateStrategyConfig = FargateStrategyConfig()


class WarmstartConfig(_Model):
    production: bool = False
    namespace: str = Field(default="warmstart", pattern=_DNS_LABEL, max_length=63)
    aws: AwsConfig | None = None
    cluster: ClusterConfig
    kubeconfig: str | None = None
    mirror: MirrorConfig = MirrorConfig()
    docker_hub_credentials: str | None = None
    ghcr_credentials: str | None = None
    prewarm: PrewarmConfig = PrewarmConfig()
    nodes: NodesConfig = NodesConfig()
    routing: RoutingConfig = RoutingConfig()
    services: list[ServiceConfig] = Field(min_length=1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the config, where it is, and what was found there."""

    path: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        found = "" if self.value is None else f" (got {_show(self.value)})"
        return f"{NAMESPACE}:{self.path}: {self.message}{found}"


class ConfigError(pulumi.RunError):
    """Raised before any resource exists; Pulumi prints a RunError without a traceback."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid stack configuration, {len(problems)} {noun}:\n{lines}")


# Keys whose values are credentials: a plaintext value in a stack file is an error.
SECRET_KEYS = frozenset({"kubeconfig", "dockerHubCredentials", "ghcrCredentials"})
# Upstreams ECR pulls from only with credentials (kept in Secrets Manager) -> the config field.
CREDENTIAL_FIELDS = {"docker-hub": "docker_hub_credentials", "ghcr": "ghcr_credentials"}


def parse_config(
    raw: Mapping[str, str], secret_keys: frozenset[str] = frozenset()
) -> WarmstartConfig:
    """Typed config from raw Pulumi config (`namespace:key` -> string), or ConfigError.

    `secret_keys` names the full keys (`warmstart:kubeconfig`) Pulumi holds as secrets.
    """
    values: dict[str, Any] = {}
    problems = [
        Problem(key, f"must be a secret: pulumi config set --secret {NAMESPACE}:{key} ...")
        for key in sorted(SECRET_KEYS)
        if f"{NAMESPACE}:{key}" in raw and f"{NAMESPACE}:{key}" not in secret_keys
    ]
    allowed, text_keys = _allowed_keys(WarmstartConfig), _text_keys()
    for full_key, text in sorted(raw.items()):
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE:
            continue
        if key not in allowed:
            problems.append(Problem(key, f"unknown key (allowed: {', '.join(allowed)})"))
            continue
        values[key] = text if key in text_keys else _decode(text)
    try:
        config = WarmstartConfig.model_validate(values)
    except ValidationError as error:
        raise ConfigError(problems + _problems_from(error)) from None
    problems += semantic_problems(config)
    if problems:
        raise ConfigError(problems)
    return config


def upstream_credentials(config: WarmstartConfig) -> dict[str, str]:
    """Upstream -> the credentials JSON set for it (a decrypted Pulumi secret)."""
    return {
        upstream: value
        for upstream, field in CREDENTIAL_FIELDS.items()
        if (value := getattr(config, field)) is not None
    }


def load_config() -> WarmstartConfig:
    """Parse the running stack's config; the one place the program reads config."""
    raw = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    texts = {key: value for key, value in raw.items() if isinstance(value, str)}
    secrets = frozenset(key for key in texts if pulumi.runtime.is_config_secret(key)) | frozenset(
        pulumi.runtime.get_config_secret_keys_env()
    )
    return parse_config(texts, secrets)


def semantic_problems(config: WarmstartConfig) -> list[Problem]:
    """Rules that span fields, or that only production stacks must keep."""
    problems = list(_cluster_problems(config))
    problems += _mirror_problems(config)
    problems += _prewarm_problems(config)
    problems += _image_gc_problems(config.nodes.image_gc)
    problems += _routing_problems(config)
    seen: set[str] = set()
    for index, service in enumerate(config.services):
        at = f"services[{index}]"
        if service.name in seen:
            problems.append(Problem(f"{at}.name", "duplicate service name", service.name))
        seen.add(service.name)
        problems += _service_problems(at, service)
        if config.production:
            problems += _production_service_problems(at, service)
    return problems


def _cluster_problems(config: WarmstartConfig) -> Iterator[Problem]:
    version = config.cluster.kubernetes_version
    minor = int(version.split(".")[1])
    if minor not in SUPPORTED_KUBERNETES_MINORS:
        first, last = SUPPORTED_KUBERNETES_MINORS[0], SUPPORTED_KUBERNETES_MINORS[-1]
        yield Problem("cluster.kubernetesVersion", f"must be 1.{first} to 1.{last}", version)
    if config.production and config.cluster.mode == "render":
        yield Problem("cluster.mode", "a production stack must target a real cluster", "render")
    if config.kubeconfig is not None and config.cluster.mode != "existing":
        yield Problem("kubeconfig", "only used with cluster.mode existing", "(set)")
    if config.cluster.mode == "eks":
        yield from _eks_problems(config)
    else:
        set_keys = config.cluster.model_fields_set & EKS_ONLY_FIELDS
        for field in sorted(set_keys):
            yield Problem(f"cluster.{to_camel(field)}", "only used with cluster.mode eks")


EKS_ONLY_FIELDS = frozenset(
    {
        "name",
        "network",
        "endpoint",
        "admin_role_arns",
        "logging",
        "ami_type",
        "system_nodes",
        "spot_nodes",
        "addon_versions",
        "load_balancer_controller",
    }
)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$")
_GRAVITON = re.compile(r"^[a-z]+[0-9]+g[a-z]*\.")


def _eks_problems(config: WarmstartConfig) -> Iterator[Problem]:
    cluster = config.cluster
    if config.aws is None:
        yield Problem("cluster.mode", "eks needs warmstart:aws (accountId, region)", "eks")
    if cluster.network is None:
        yield Problem("cluster.network", "required with cluster.mode eks (cidr, availabilityZones)")
    else:
        yield from _network_problems(cluster.network, config.aws)
    if config.production and not cluster.admin_role_arns:
        yield Problem(
            "cluster.adminRoleArns",
            "production clusters name their admin roles (no implicit creator admin)",
        )
    for index, arn in enumerate(cluster.admin_role_arns):
        if not _ROLE_ARN.match(arn):
            yield Problem(f"cluster.adminRoleArns[{index}]", "not an IAM role ARN", arn)
    if not (cluster.endpoint.public or cluster.endpoint.private):
        yield Problem("cluster.endpoint", "public, private or both must be on", "neither")
    for index, cidr in enumerate(cluster.endpoint.public_cidrs):
        if _ipv4_network(cidr) is None:
            yield Problem(f"cluster.endpoint.publicCidrs[{index}]", "not an IPv4 CIDR", cidr)
    arm = cluster.ami_type.startswith("AL2023_ARM")
    for group in ("system_nodes", "spot_nodes"):
        yield from _node_group_problems(f"cluster.{to_camel(group)}", getattr(cluster, group), arm)
    if len(set(cluster.spot_nodes.instance_types)) < 3:
        yield Problem(
            "cluster.spotNodes.instanceTypes",
            "spot capacity needs at least 3 distinct instance types",
            cluster.spot_nodes.instance_types,
        )


def _network_problems(network: NetworkConfig, aws: AwsConfig | None) -> Iterator[Problem]:
    parsed = _ipv4_network(network.cidr)
    if parsed is None or not 16 <= parsed.prefixlen <= 20:
        yield Problem(
            "cluster.network.cidr", "must be an IPv4 network from /16 to /20", network.cidr
        )
    zones = network.availability_zones
    if len(set(zones)) != len(zones):
        yield Problem("cluster.network.availabilityZones", "must be distinct", zones)
    for index, zone in enumerate(zones):
        if aws is not None and not re.fullmatch(rf"{re.escape(aws.region)}[a-z]", zone):
            yield Problem(
                f"cluster.network.availabilityZones[{index}]", f"not a zone of {aws.region}", zone
            )


def _node_group_problems(at: str, group: NodeGroupConfig, arm: bool) -> Iterator[Problem]:
    if not group.min_size <= group.desired_size <= group.max_size:
        yield Problem(
            at,
            "sizes must satisfy minSize <= desiredSize <= maxSize",
            f"{group.min_size} / {group.desired_size} / {group.max_size}",
        )
    for index, instance_type in enumerate(group.instance_types):
        if bool(_GRAVITON.match(instance_type)) != arm:
            kind = "Graviton (arm64)" if arm else "x86_64"
            yield Problem(
                f"{at}.instanceTypes[{index}]",
                f"amiType needs {kind} instance types",
                instance_type,
            )


def _ipv4_network(text: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(text, strict=True)
    except ValueError:
        return None


def _mirror_problems(config: WarmstartConfig) -> Iterator[Problem]:
    mirror = config.mirror
    if mirror.enabled and config.aws is None:
        yield Problem(
            "mirror.enabled", "the registry mirror needs warmstart:aws (accountId, region)", True
        )
    for upstream, field in CREDENTIAL_FIELDS.items():
        key, credentials = to_camel(field), getattr(config, field)
        wanted = mirror.enabled and upstream in mirror.upstreams
        if wanted and credentials is None:
            yield Problem(
                key,
                f"required by mirror upstream {upstream}: a secret JSON "
                '{"username": ..., "accessToken": ...}',
            )
        elif credentials is not None and not wanted:
            yield Problem(key, f"set, but mirror upstream {upstream} is not enabled", "(set)")
        elif credentials is not None and not _credentials_shape(credentials):
            yield Problem(key, 'must be JSON {"username": ..., "accessToken": ...}', "(secret)")
    for upstream in mirror.prefixes:
        if upstream not in mirror.upstreams:
            yield Problem(
                f"mirror.prefixes.{upstream}", "prefix for an upstream that is not enabled"
            )
    prefixes = [mirror.prefixes.get(u, u) for u in mirror.upstreams] + [mirror.repository_prefix]
    for prefix in sorted({p for p in prefixes if prefixes.count(p) > 1}):
        yield Problem(
            "mirror.prefixes", "two upstreams (or the service repositories) share a prefix", prefix
        )


def _credentials_shape(text: str) -> bool:
    if text.startswith("<secret"):
        return True  # encrypted in the stack file: checked when Pulumi decrypts it
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(value, dict) and set(value) == {"username", "accessToken"}


def _prewarm_problems(config: WarmstartConfig) -> Iterator[Problem]:
    prewarm = config.prewarm
    if not prewarm.enabled:
        return
    if prewarm.mode == "sleep" and prewarm.sleep_image is None:
        yield Problem(
            "prewarm.sleepImage",
            "required in sleep mode: the image built from services/ (target sleep)",
        )
    minor = int(config.cluster.kubernetes_version.split(".")[1])
    if prewarm.mode == "image-volume" and minor < IMAGE_VOLUME_MINOR:
        yield Problem(
            "prewarm.mode", f"image-volume needs Kubernetes 1.{IMAGE_VOLUME_MINOR}+", "image-volume"
        )
    named = [("sleepImage", prewarm.sleep_image), ("pauseImage", prewarm.pause_image)]
    named += [(f"extraImages[{i}]", image) for i, image in enumerate(prewarm.extra_images)]
    for key, image in named:
        if image is None:
            continue
        try:
            parse_reference(image)
        except ImageReferenceError:
            yield Problem(f"prewarm.{key}", "not an image reference", image)
        else:
            if config.production and not is_digest_pinned(image):
                yield Problem(
                    f"prewarm.{key}",
                    "production stacks pin images by digest (...@sha256:<64 hex>)",
                    image,
                )
    yield from _resource_problems("prewarm.resources", prewarm.resources)


_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$")


def _routing_problems(config: WarmstartConfig) -> Iterator[Problem]:
    routing = config.routing
    routed = [(i, s) for i, s in enumerate(config.services) if s.routes is not None]
    uses_fallback = [
        (i, s)
        for i, s in enumerate(config.services)
        if s.fallback.fargate.enabled or s.fallback.lambda_.enabled
    ]
    if not routing.enabled:
        for index, _ in routed:
            yield Problem(f"services[{index}].routes", "needs warmstart:routing.enabled")
        for index, _ in uses_fallback:
            yield Problem(f"services[{index}].fallback", "needs warmstart:routing.enabled")
        return
    if config.cluster.mode != "eks":
        yield Problem("routing.enabled", "the load balancer needs cluster.mode eks", True)
    arn = routing.certificate_arn
    if arn is not None and not _CERTIFICATE_ARN.match(arn):
        yield Problem("routing.certificateArn", "not an ACM certificate ARN", arn)
    if config.production and arn is None:
        yield Problem("routing.certificateArn", "production serves HTTPS only: required")
    if not routed:
        yield Problem("routing.enabled", "no service has routes (hosts or paths)", True)
    yield from _weights_problems("routing.weights", routing.weights, fargate=True, lambda_=True)
    for index, service in routed:
        yield from _service_routing_problems(f"services[{index}]", service, routing)
    for index, service in uses_fallback:
        if service.routes is None:
            yield Problem(
                f"services[{index}].fallback", "fallbacks are reached through routes: add routes"
            )


def _service_routing_problems(
    at: str, service: ServiceConfig, routing: RoutingConfig
) -> Iterator[Problem]:
    routes, fallback = service.routes, service.fallback
    if routes is not None and not (routes.hosts or routes.paths):
        yield Problem(f"{at}.routes", "set hosts, paths or both")
    if service.startup.probe != "http":
        yield Problem(
            f"{at}.routes",
            "the load balancer health-checks over HTTP: only http services",
            service.startup.probe,
        )
    fargate, lambda_ = fallback.fargate.enabled, fallback.lambda_.enabled
    normal = fallback.weights or routing.weights
    yield from _weights_problems(f"{at}.fallback.weights", normal, fargate=fargate, lambda_=lambda_)
    if fallback.failover_weights is not None:
        at_failover = f"{at}.fallback.failoverWeights"
        yield from _weights_problems(
            at_failover, fallback.failover_weights, fargate=fargate, lambda_=lambda_
        )
        if fallback.failover_weights.kubernetes != 0:
            yield Problem(
                f"{at_failover}.kubernetes",
                "must be 0: failover is for when it has no healthy pods",
                fallback.failover_weights.kubernetes,
            )
    memory = fallback.fargate.memory_mib
    if fargate and memory not in FARGATE_MEMORY[fallback.fargate.cpu]:
        allowed = FARGATE_MEMORY[fallback.fargate.cpu]
        yield Problem(
            f"{at}.fallback.fargate.memoryMib",
            f"Fargate cpu {fallback.fargate.cpu} allows {', '.join(map(str, allowed))} MiB",
            memory,
        )
    if fargate and fallback.fargate.failover_tasks > fallback.fargate.max_tasks:
        yield Problem(
            f"{at}.fallback.fargate.failoverTasks",
            f"must be <= maxTasks ({fallback.fargate.max_tasks})",
            fallback.fargate.failover_tasks,
        )
    provisioned, reserved = (
        fallback.lambda_.provisioned_concurrency,
        fallback.lambda_.reserved_concurrency,
    )
    if lambda_ and reserved is not None and provisioned > reserved:
        yield Problem(
            f"{at}.fallback.lambda.provisionedConcurrency",
            f"must be <= reservedConcurrency ({reserved})",
            provisioned,
        )


def _weights_problems(
    at: str, weights: WeightsConfig, *, fargate: bool, lambda_: bool
) -> Iterator[Problem]:
    if weights.kubernetes + weights.fargate + weights.lambda_ == 0:
        yield Problem(at, "at least one weight must be > 0")
    if weights.fargate and not fargate:
        yield Problem(f"{at}.fargate", "weight for a fallback that is not enabled", weights.fargate)
    if weights.lambda_ and not lambda_:
        yield Problem(f"{at}.lambda", "weight for a fallback that is not enabled", weights.lambda_)


def _image_gc_problems(gc: ImageGcConfig) -> Iterator[Problem]:
    if gc.low_threshold_percent >= gc.high_threshold_percent:
        yield Problem(
            "nodes.imageGc.lowThresholdPercent",
            f"must be below highThresholdPercent ({gc.high_threshold_percent})",
            gc.low_threshold_percent,
        )


def _service_problems(at: str, service: ServiceConfig) -> Iterator[Problem]:
    try:
        parse_reference(service.image)
    except ImageReferenceError:
        yield Problem(f"{at}.image", "not an image reference", service.image)
    yield from _resource_problems(f"{at}.resources", service.resources)
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
        if not _ENV_NAME.match(name):
            yield Problem(f"{at}.env.{name}", "not a valid environment variable name")
        elif name in DERIVED_ENV:
            yield Problem(f"{at}.env.{name}", "derived by warmstart from limits; remove it")


def _resource_problems(at: str, resources: ResourcesConfig | ContainerAmounts) -> Iterator[Problem]:
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
        "startup": health.startup,
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


def _production_service_problems(at: str, service: ServiceConfig) -> Iterator[Problem]:
    if not is_digest_pinned(service.image):
        yield Problem(
            f"{at}.image",
            "production stacks pin images by digest (...@sha256:<64 hex>)",
            service.image,
        )
    if service.autoscaling.min_replicas < 2:
        yield Problem(
            f"{at}.autoscaling.minReplicas",
            "production services run at least 2 replicas",
            service.autoscaling.min_replicas,
        )


def _text_keys() -> frozenset[str]:
    """Top-level keys whose value is text even when it looks like JSON (credentials, kubeconfig)."""
    return frozenset(
        field.alias or name
        for name, field in WarmstartConfig.model_fields.items()
        if _unwrap(field.annotation) is str
    )


def _decode(text: str) -> Any:
    """Pulumi hands structured values to the program as JSON text; scalars stay text."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


def _problems_from(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        location = item["loc"]
        problems.append(Problem(_path(location), _message(item, location), _value(item)))
    return problems


def _path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# Pydantic error types -> what a stack file's author is told.
_SIMPLE_MESSAGES = {
    "missing": "required",
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "too_short": "must have at least {min_length} item(s)",
    "string_too_short": "must be at least {min_length} characters",
    "string_too_long": "must be at most {max_length} characters",
    "literal_error": "must be one of {expected}",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "string_type": "must be a string",
    "model_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
}


def _message(item: Any, location: tuple[int | str, ...]) -> str:
    kind, context = item["type"], item.get("ctx", {})
    if kind == "extra_forbidden":
        allowed = _allowed_keys(_model_at(location[:-1]))
        return f"unknown key (allowed: {', '.join(allowed)})"
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return _pattern_message(context.get("pattern", ""))
    if kind in _SIMPLE_MESSAGES:
        return _SIMPLE_MESSAGES[kind].format(
            **{key: _number(value) for key, value in context.items()}
        )
    message: str = item["msg"]
    return message[:1].lower() + message[1:]


def _number(value: Any) -> Any:
    """0.0 -> 0, so a bound reads as the stack file's author wrote it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _pattern_message(pattern: str) -> str:
    if pattern == _DNS_LABEL:
        return "must be a DNS label: lowercase letters, digits and '-', starting with a letter"
    if pattern.startswith("^1"):
        return "must be a Kubernetes minor version such as 1.35"
    return f"must match {pattern}"


def _value(item: Any) -> Any:
    """What was found at the path; nothing for a missing key."""
    return None if item["type"] == "missing" else item.get("input")


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return sorted(field.alias or name for name, field in model.model_fields.items())


def _model_at(location: tuple[int | str, ...]) -> type[BaseModel]:
    """The model class that sits at `location` (a pydantic error location) under the root."""
    current: Any = WarmstartConfig
    for part in location:
        current = _unwrap(current)
        if isinstance(part, int):
            current = typing.get_args(current)[0]
            continue
        fields = {field.alias or name: field for name, field in current.model_fields.items()}
        current = fields[part].annotation
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X, so the walk can step into optional sub-models."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is Union:
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return members[0]
    return annotation


def _show(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | bool) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
