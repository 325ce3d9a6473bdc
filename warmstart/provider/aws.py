"""The hosted AWS-side components: Cluster, RegistryMirror and the two fallbacks, with args
every language can write (stack-file-shaped maps, IDs, names).

The Python components inside need pulumi-aws (the `aws` extra, which the provider's
requirements install): `warmstart.components` loads each when it is first built, so the
Kubernetes-side components serve without it.

Not hosted: ServiceRouting. Its args hold other components' resources (the LambdaFallback
each route may fail over to, the Kubernetes objects its TargetGroupBindings wait for), which
a schema can only name as references to resources of other providers; a consumer in another
language builds the fallbacks here and routes them with its own load balancer resources.
"""

from typing import Any, NotRequired, TypedDict

import pulumi

from warmstart import components as python
from warmstart.provider.base import inner_options, token


class ClusterArgs(TypedDict):
    cluster: dict[str, Any]
    """`warmstart:cluster` as a stack file writes it: `render`, `existing` (with `name`, an
    EKS cluster looked up), or `eks` with its network and node groups."""
    aws: NotRequired[dict[str, Any]]
    """`warmstart:aws`: the only account and region (eks, and an existing EKS cluster)."""
    kubeconfig: NotRequired[str]
    """existing mode: the kubeconfig, kept as a secret; none uses the ambient one."""
    production: NotRequired[bool]
    """Production's rules too: the cluster, its KMS key and the VPC protected."""
    image_gc: NotRequired[dict[str, Any]]
    """`warmstart:nodes.imageGc`: the kubelet image GC of the eks node groups."""
    node_policy_arns: NotRequired[list[pulumi.Input[str]]]
    """Extra managed policies for the node role, such as a RegistryMirror's nodePolicyArn."""


class Cluster(pulumi.ComponentResource):
    """Where the Kubernetes objects go: rendered YAML, an existing cluster, or EKS with its
    network, node groups, add-ons and load balancer controller. Consumers build their
    Kubernetes provider from `kubeconfig`."""

    mode: pulumi.Output[str]
    """`render`, `existing` or `eks`."""
    name: pulumi.Output[str | None]
    """The EKS cluster's name (eks, or an existing EKS cluster)."""
    endpoint: pulumi.Output[str | None]
    """The EKS API server's URL."""
    kubeconfig: pulumi.Output[str | None]
    """A kubeconfig for the EKS cluster using `aws eks get-token` (secret)."""

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("Cluster"), name, {}, opts)
        inner = python.Cluster(
            name,
            python.ClusterArgs(
                cluster=args["cluster"],
                kubeconfig=args.get("kubeconfig"),
                production=args.get("production", False),
                aws=args.get("aws"),
                image_gc=args.get("image_gc", {}),
                node_policy_arns=args.get("node_policy_arns", []),
            ),
            opts=inner_options(self, opts),
        )
        self.mode = pulumi.Output.from_input(inner.mode)
        self.name = pulumi.Output.from_input(inner.name)
        self.endpoint = pulumi.Output.from_input(inner.endpoint)
        self.kubeconfig = pulumi.Output.secret(inner.kubeconfig)
        self.register_outputs(
            {
                "mode": self.mode,
                "name": self.name,
                "endpoint": self.endpoint,
                "kubeconfig": self.kubeconfig,
            }
        )


class RegistryMirrorArgs(TypedDict):
    mirror: dict[str, Any]
    """`warmstart:mirror` as a stack file writes it (kind ecr): upstreams, prefixes, the
    repository prefix, how many images each repository keeps."""
    aws: dict[str, Any]
    """`warmstart:aws`: the account and region whose ECR holds the cache."""
    repositories: list[str]
    """Repositories to create under the repository prefix, one per service."""
    credentials: NotRequired[dict[str, pulumi.Input[str]]]
    """Upstream (`docker-hub`, `ghcr`) -> JSON `{"username", "accessToken"}`, as a secret."""
    production: NotRequired[bool]
    """Production's rules too: repositories protected and never force-deleted."""


class RegistryMirror(pulumi.ComponentResource):
    """ECR pull-through cache rules, their credentials, and the services' repositories."""

    registry: pulumi.Output[str]
    """The account's ECR registry host."""
    repository_urls: pulumi.Output[dict[str, str]]
    """Repository -> its URL, for pushes."""
    node_policy_arn: pulumi.Output[str]
    """The policy that lets nodes fill the cache on a first pull: attach it to the nodes."""

    def __init__(
        self, name: str, args: RegistryMirrorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("RegistryMirror"), name, {}, opts)
        inner = python.RegistryMirror(
            name,
            python.RegistryMirrorArgs(
                mirror=args["mirror"],
                aws=args["aws"],
                repositories=args["repositories"],
                credentials=args.get("credentials", {}),
                production=args.get("production", False),
            ),
            opts=inner_options(self, opts),
        )
        self.registry = pulumi.Output.from_input(inner.registry)
        self.repository_urls = pulumi.Output.all(
            **{repo: created.repository_url for repo, created in inner.repositories.items()}
        )
        self.node_policy_arn = inner.node_policy.arn
        self.register_outputs(
            {
                "registry": self.registry,
                "repositoryUrls": self.repository_urls,
                "nodePolicyArn": self.node_policy_arn,
            }
        )


class FargateSpotFallbackArgs(TypedDict):
    services: list[dict[str, Any]]
    """`warmstart:services` entries as a stack file writes them, each with
    `fallback.fargate` enabled."""
    images: dict[str, pulumi.Input[str]]
    """Service -> the image its pods run (the same string)."""
    cluster_name: str
    """The ECS cluster's name, also the prefix of task families and log groups."""
    region: str
    """The AWS region the tasks log in."""
    vpc_id: pulumi.Input[str]
    """The VPC of the tasks' security group."""
    subnet_ids: list[pulumi.Input[str]]
    """The private subnets the tasks run in."""
    load_balancer_security_group_id: pulumi.Input[str]
    """The load balancer's security group: the only source the tasks take traffic from."""
    target_group_arns: dict[str, pulumi.Input[str]]
    """Service -> the IP target group its tasks register into."""
    strategy: NotRequired[dict[str, Any]]
    """`warmstart:routing.fargateStrategy`: base on FARGATE, the rest split with Spot."""
    ami_type: NotRequired[str]
    """The nodes' AMI type, whose architecture the tasks share; default Graviton."""
    log_retention_days: NotRequired[int]
    """Retention of each service's task log group; default 14."""
    execution_policy_arns: NotRequired[list[pulumi.Input[str]]]
    """Extra policies for the execution role, e.g. a RegistryMirror's nodePolicyArn."""


class FargateSpotFallback(pulumi.ComponentResource):
    """One ECS cluster on Fargate and Fargate Spot; per service a task, a service behind its
    target group, and target-tracking autoscaling from its standby count."""

    cluster_name: pulumi.Output[str]
    """The ECS cluster's name."""

    def __init__(
        self, name: str, args: FargateSpotFallbackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("FargateSpotFallback"), name, {}, opts)
        inner = python.FargateSpotFallback(
            name,
            python.FargateSpotFallbackArgs(
                services=args["services"],
                images=args["images"],
                cluster_name=args["cluster_name"],
                strategy=args.get("strategy", {}),
                region=args["region"],
                ami_type=args.get("ami_type", "AL2023_ARM_64_STANDARD"),
                vpc_id=args["vpc_id"],
                subnet_ids=args["subnet_ids"],
                load_balancer_security_group_id=args["load_balancer_security_group_id"],
                target_group_arns=args["target_group_arns"],
                log_retention_days=args.get("log_retention_days", 14),
                execution_policy_arns=args.get("execution_policy_arns", []),
            ),
            opts=inner_options(self, opts),
        )
        self.cluster_name = inner.cluster.name
        self.register_outputs({"clusterName": self.cluster_name})


class LambdaFallbackArgs(TypedDict):
    service: dict[str, Any]
    """One `warmstart:services` entry with `fallback.lambda` enabled: the package, memory,
    timeout and concurrency, and the environment its pods get."""
    function_name: str
    """The function's name (1-64 letters, digits, hyphens, underscores)."""
    log_retention_days: NotRequired[int]
    """Retention of the function's log group; default 14."""


class LambdaFallback(pulumi.ComponentResource):
    """The service's handler as an arm64 function, published behind a `live` alias, with
    the Go runtime sized to the function's memory."""

    function_name: pulumi.Output[str]
    """The function's name."""
    alias_arn: pulumi.Output[str]
    """The `live` alias, which a load balancer's Lambda target group invokes."""

    def __init__(
        self, name: str, args: LambdaFallbackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("LambdaFallback"), name, {}, opts)
        inner = python.LambdaFallback(
            name,
            python.LambdaFallbackArgs(
                service=args["service"],
                function_name=args["function_name"],
                log_retention_days=args.get("log_retention_days", 14),
            ),
            opts=inner_options(self, opts),
        )
        self.function_name = inner.function.name
        self.alias_arn = inner.alias.arn
        self.register_outputs({"functionName": self.function_name, "aliasArn": self.alias_arn})
