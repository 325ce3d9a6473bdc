"""`warmstart:cluster`, `warmstart:aws` and `warmstart:nodes`: where the stack runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field
from pydantic.alias_generators import to_camel

from warmstart.components.config.autoscaler import (
    CHART_APP_VERSIONS,
    minor,
    newest_chart,
    newest_minor,
)
from warmstart.components.config.base import AWS_REGION, ConfigModel, Problem, partition
from warmstart.components.config.control_plane import Addon, addon_problems, endpoint_problems
from warmstart.components.config.instance_shapes import shape_problems
from warmstart.components.config.labels import NodeLabels
from warmstart.components.config.network import NetworkConfig, network_problems
from warmstart.components.config.paths import CreatedLater

if TYPE_CHECKING:
    from warmstart.components.config.stack import WarmstartConfig

# preStop.sleep needs 1.30; schemas for strict validation exist up to 1.37.
SUPPORTED_KUBERNETES_MINORS = range(30, 38)

LogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]


class AwsConfig(ConfigModel):
    """The one account and region a stack may touch; the AWS provider refuses any other."""

    account_id: str = Field(pattern=r"^[0-9]{12}$")
    """The AWS account (12 digits)."""
    region: str = Field(pattern=AWS_REGION)
    """The AWS region, such as `eu-west-1` (the aws partition: China and GovCloud regions are
    refused, since the ARNs warmstart writes name that partition)."""


class ImageGcConfig(ConfigModel):
    """kubelet image GC; it never removes an image a running container uses."""

    high_threshold_percent: int = Field(default=85, ge=1, le=100)
    """Disk usage that starts image garbage collection."""
    low_threshold_percent: int = Field(default=75, ge=0, le=99)
    """Disk usage image garbage collection frees down to; below the high threshold."""
    minimum_age: str = Field(default="2m", pattern=r"^([0-9]+(h|m|s))+$")
    """An image younger than this is never collected (Go duration, such as `2m`)."""
    maximum_age: str = Field(default="168h", pattern=r"^([0-9]+(h|m|s))+$")
    """An image unused for this long is collected whatever the disk usage."""


class NodesConfig(ConfigModel):
    """Settings written into every node's NodeConfig user data (eks mode)."""

    image_gc: ImageGcConfig = ImageGcConfig()
    """kubelet image garbage collection."""


class EndpointAccessConfig(ConfigModel):
    """Who can reach the EKS API server."""

    public: bool = True
    """Public endpoint, limited to publicCidrs."""
    private: bool = True
    """Endpoint inside the VPC."""
    public_cidrs: list[str] = ["0.0.0.0/0"]
    """IPv4 ranges allowed to the public endpoint: your deployers' (production: not all)."""
    deployer_in_vpc: bool = False
    """`pulumi up` runs inside the VPC (or a network routed to it): only then may the endpoint
    be private-only, since the same `up` that creates the VPC talks to the Kubernetes API."""


class NodeGroupConfig(ConfigModel):
    """A managed node group; sizes and labels update in place."""

    instance_types: list[str] = Field(min_length=1)
    """EC2 instance types; they must match amiType's architecture and share one shape (vCPUs
    and memory)."""
    min_size: int = Field(ge=0, le=1000)
    """Fewest nodes."""
    desired_size: int = Field(ge=0, le=1000)
    """Nodes to start with (minSize <= desiredSize <= maxSize)."""
    max_size: int = Field(ge=1, le=1000)
    """Most nodes."""
    disk_size_gib: int = Field(default=40, ge=20, le=16384, alias="diskSizeGiB")
    """Root volume size (gp3, encrypted)."""
    labels: NodeLabels = {}
    """Extra Kubernetes node labels (EKS: keys and values of 1 to 63 characters; under
    kubernetes.io and k8s.io, only node.kubernetes.io/ and kubelet.kubernetes.io/ keys)."""


class LoadBalancerControllerConfig(ConfigModel):
    """The AWS Load Balancer Controller, which keeps target groups equal to ready pods."""

    enabled: bool = True
    """Install the controller (routing's TargetGroupBindings need it)."""
    chart_version: str = "1.11.0"
    """Helm chart version."""
    identity: Literal["pod-identity", "irsa"] = "pod-identity"
    """How its pods get AWS credentials: EKS Pod Identity or IRSA."""


class ClusterAutoscalerConfig(ConfigModel):
    """Cluster Autoscaler: adds nodes when pods cannot be scheduled, removes idle ones."""

    enabled: bool = True
    """Install it (HPAs add pods; without it nothing adds the nodes they need)."""
    chart_version: str | None = Field(default=None, pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")
    """Helm chart version (kubernetes.github.io/autoscaler); none: the newest whose autoscaler
    is of kubernetesVersion's minor. A chart of another minor is an error."""
    image_tag: str | None = Field(default=None, pattern=r"^v1\.[0-9]+\.[0-9]+$")
    """Autoscaler image tag; none: the chart's own version. Its minor must match the cluster's."""
    expander: Literal["least-waste", "random", "most-pods", "priority"] = "least-waste"
    """How it picks the node group to grow."""
    scale_down_unneeded_minutes: int = Field(default=10, ge=1, le=120)
    """How long a node must be unneeded before it is removed."""


class ClusterConfig(ConfigModel):
    """Where the stack's Kubernetes objects go; every key after `context` is eks mode only,
    but for an existing EKS cluster (`existing` with `name`): name, network,
    loadBalancerController and amiType."""

    mode: Literal["render", "existing", "eks"]
    """`render` writes YAML to a directory, `existing` uses a cluster you run, `eks` builds one."""
    kubernetes_version: str = Field(default="1.35", pattern=r"^1\.[0-9]+$")
    """Kubernetes minor version (1.30 to 1.37): the EKS version, and the schema manifests meet."""
    support_type: Literal["STANDARD", "EXTENDED"] = "STANDARD"
    """eks mode: at the end of a version's standard support, upgrade automatically
    (STANDARD) or keep it on billed extended support (EXTENDED, EKS's own default)."""
    render_dir: Annotated[str, CreatedLater("render mode's provider creates it")] = (
        "rendered/manifests"
    )
    """Where render mode's provider writes YAML; created by it, so it need not exist yet."""
    context: str | None = None
    """kubeconfig context (existing mode)."""
    name: str | None = Field(default=None, pattern=r"^[a-zA-Z][-a-zA-Z0-9_]{0,99}$")
    """EKS cluster name: the one eks mode creates (default `<project>-<stack>`), or with
    mode existing, the EKS cluster to look up (its endpoint, security group, OIDC issuer)."""
    network: NetworkConfig | None = None
    """The VPC: created or given by ID (eks mode); given, for an existing EKS cluster."""
    endpoint: EndpointAccessConfig = EndpointAccessConfig()
    """API server endpoint access."""
    admin_role_arns: list[str] = []
    """IAM roles given cluster admin through access entries; required in production."""
    logging: list[LogType] = ["api", "audit", "authenticator"]
    """Control plane log types sent to CloudWatch."""
    log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 180, 365, 731] = 30
    """Retention of the control plane's log group (EKS would create it to keep logs forever)."""
    ami_type: Literal["AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD"] = "AL2023_ARM_64_STANDARD"
    """Node AMI: Graviton (arm64) or x86_64; for an existing EKS cluster, its nodes'
    architecture, which the Fargate fallback's tasks share."""
    system_nodes: NodeGroupConfig = NodeGroupConfig(
        instance_types=["m7g.large"], min_size=2, desired_size=2, max_size=3
    )
    """On-demand node group for system pods."""
    spot_nodes: NodeGroupConfig = NodeGroupConfig(
        instance_types=["m7g.large", "m6g.large", "t4g.large"],
        min_size=0,
        desired_size=2,
        max_size=10,
    )
    """Spot node group for services; at least 3 distinct instance types, all of one shape
    (the same vCPUs and memory: the autoscaler sizes a group from one of them)."""
    addon_versions: dict[Addon, str] = {}
    """Add-on -> version (vpc-cni, coredns, kube-proxy, eks-pod-identity-agent,
    metrics-server); EKS's default when not set."""
    load_balancer_controller: LoadBalancerControllerConfig = LoadBalancerControllerConfig()
    """The AWS Load Balancer Controller."""
    cluster_autoscaler: ClusterAutoscalerConfig = ClusterAutoscalerConfig()
    """Node autoscaling of the node groups (Cluster Autoscaler)."""


EKS_ONLY_FIELDS = frozenset(
    {
        "name",
        "network",
        "endpoint",
        "admin_role_arns",
        "logging",
        "log_retention_days",
        "ami_type",
        "system_nodes",
        "spot_nodes",
        "addon_versions",
        "load_balancer_controller",
        "cluster_autoscaler",
    }
)
# What an existing EKS cluster (cluster.mode existing with a name) may set too: where it is,
# whether warmstart installs the load balancer controller into it, and its nodes'
# architecture (amiType), which the Fargate fallback's tasks match.
EXISTING_EKS_FIELDS = frozenset({"name", "network", "load_balancer_controller", "ami_type"})
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$")
_GRAVITON = re.compile(r"^[a-z]+[0-9]+g[a-z]*\.")


def _supported(version: str) -> bool:
    return int(version.split(".")[1]) in SUPPORTED_KUBERNETES_MINORS


def cluster_problems(config: WarmstartConfig) -> Iterator[Problem]:
    """A supported version, a real cluster in production, and each mode's own keys only."""
    version = config.cluster.kubernetes_version
    if not _supported(version):
        first, last = SUPPORTED_KUBERNETES_MINORS[0], SUPPORTED_KUBERNETES_MINORS[-1]
        yield Problem("cluster.kubernetesVersion", f"must be 1.{first} to 1.{last}", version)
    if config.production and config.cluster.mode == "render":
        yield Problem("cluster.mode", "a production stack must target a real cluster", "render")
    if config.kubeconfig is not None and config.cluster.mode != "existing":
        yield Problem("kubeconfig", "only used with cluster.mode existing", "(set)")
    if config.cluster.mode == "eks":
        yield from _eks_problems(config)
        return
    adopting = config.cluster.mode == "existing"
    if adopting:
        yield from _existing_eks_problems(config)
    for field in sorted(config.cluster.model_fields_set & EKS_ONLY_FIELDS):
        if not (adopting and field in EXISTING_EKS_FIELDS):
            yield Problem(f"cluster.{to_camel(field)}", "only used with cluster.mode eks")


def is_existing_eks(cluster: ClusterConfig) -> bool:
    """An EKS cluster warmstart did not create, named so it can be looked up."""
    return cluster.mode == "existing" and cluster.name is not None


def _existing_eks_problems(config: WarmstartConfig) -> Iterator[Problem]:
    """An existing EKS cluster: named, in the stack's account, on a VPC given by ID."""
    cluster = config.cluster
    if cluster.name is None:
        for field in sorted(cluster.model_fields_set & {"network", "load_balancer_controller"}):
            yield Problem(
                f"cluster.{to_camel(field)}",
                "with cluster.mode existing, only for an EKS cluster: set cluster.name",
            )
        return
    if config.aws is None:
        yield Problem(
            "cluster.name", "an existing EKS cluster is looked up in warmstart:aws: set it"
        )
    if cluster.load_balancer_controller.identity == "irsa":
        yield Problem(
            "cluster.loadBalancerController.identity",
            "irsa creates the cluster's IAM OIDC provider, which an existing cluster that uses "
            "IRSA already has (IAM allows one per issuer): use pod-identity",
            "irsa",
        )
    network = cluster.network
    if network is not None and not network.given:
        yield Problem(
            "cluster.network.vpcId",
            "required with cluster.mode existing: the cluster's VPC, used as it is",
        )
    elif network is not None:
        yield from network_problems(network, config.aws, routed=config.routing.enabled)


def _eks_problems(config: WarmstartConfig) -> Iterator[Problem]:
    cluster = config.cluster
    if config.aws is None:
        yield Problem("cluster.mode", "eks needs warmstart:aws (accountId, region)", "eks")
    if cluster.network is None:
        yield Problem(
            "cluster.network",
            "required with cluster.mode eks: cidr and availabilityZones, or an existing VPC "
            "(vpcId, cidr, privateSubnetIds, publicSubnetIds)",
        )
    else:
        yield from network_problems(cluster.network, config.aws, routed=config.routing.enabled)
    if not cluster.admin_role_arns:
        yield Problem(
            "cluster.adminRoleArns",
            "required: cluster access is granted only through explicit access entries; "
            "name the roles that run pulumi up and operate the cluster",
        )
    for index, arn in enumerate(cluster.admin_role_arns):
        if not _ROLE_ARN.fullmatch(arn):
            yield Problem(f"cluster.adminRoleArns[{index}]", "not an IAM role ARN", arn)
        elif config.aws is not None and arn.split(":")[1] != partition(config.aws.region):
            yield Problem(
                f"cluster.adminRoleArns[{index}]",
                f"not of {config.aws.region}'s partition: arn:{partition(config.aws.region)}:...",
                arn,
            )
    yield from endpoint_problems(cluster.endpoint, config.production)
    arm = cluster.ami_type.startswith("AL2023_ARM")
    for group in ("system_nodes", "spot_nodes"):
        yield from _node_group_problems(f"cluster.{to_camel(group)}", getattr(cluster, group), arm)
    yield from _autoscaler_problems(cluster)
    yield from addon_problems(cluster, config.production)
    if len(set(cluster.spot_nodes.instance_types)) < 3:
        yield Problem(
            "cluster.spotNodes.instanceTypes",
            "spot capacity needs at least 3 distinct instance types",
            cluster.spot_nodes.instance_types,
        )


def autoscaler_chart(cluster: ClusterConfig) -> str | None:
    """The configured chart, else the newest for the cluster's minor (None: there is none)."""
    return cluster.cluster_autoscaler.chart_version or newest_chart(cluster.kubernetes_version)


def autoscaler_image_tag(cluster: ClusterConfig) -> str:
    """The configured tag, else the chart's own autoscaler version (`v1.35.0`)."""
    chart = autoscaler_chart(cluster)
    app = CHART_APP_VERSIONS.get(chart or "", f"{cluster.kubernetes_version}.0")
    return cluster.cluster_autoscaler.image_tag or f"v{app}"


def _autoscaler_problems(cluster: ClusterConfig) -> Iterator[Problem]:
    """A chart made for the cluster's minor (its RBAC is that autoscaler's), and an image of
    that minor."""
    at, version = "cluster.clusterAutoscaler", cluster.kubernetes_version
    if not cluster.cluster_autoscaler.enabled or not _supported(version):
        return  # an unsupported version is reported once, as such
    chart = autoscaler_chart(cluster)
    if chart is None:
        newest = newest_minor()
        yield Problem(
            at,
            f"no chart runs an autoscaler for Kubernetes {version} yet (newest: "
            f"{newest}): set enabled false, or use {newest}",
        )
        return
    app = CHART_APP_VERSIONS.get(chart)
    if app is None:
        first, last = min(CHART_APP_VERSIONS), max(CHART_APP_VERSIONS)
        yield Problem(
            f"{at}.chartVersion",
            f"not a chart release warmstart knows the autoscaler of ({first} to {last})",
            chart,
        )
    elif minor(app) != version:
        yield Problem(
            f"{at}.chartVersion",
            f"runs autoscaler {app}; kubernetesVersion {version} needs a {version} chart "
            f"(newest: {newest_chart(version) or 'none yet'})",
            chart,
        )
    tag = autoscaler_image_tag(cluster)
    if not tag.startswith(f"v{version}."):
        yield Problem(
            f"{at}.imageTag", f"the autoscaler's minor must match kubernetesVersion {version}", tag
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
    yield from shape_problems(at, group.instance_types)


def image_gc_problems(gc: ImageGcConfig) -> Iterator[Problem]:
    """The low threshold must sit below the high one, or the kubelet refuses to start."""
    if gc.low_threshold_percent >= gc.high_threshold_percent:
        yield Problem(
            "nodes.imageGc.lowThresholdPercent",
            f"must be below highThresholdPercent ({gc.high_threshold_percent})",
            gc.low_threshold_percent,
        )
