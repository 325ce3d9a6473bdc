"""Cluster: where the stack's Kubernetes objects go, as one provider for every component.

- `render` writes YAML into a directory and needs no cluster or cloud account (local stack);
- `existing` talks to a cluster the team already runs, through a kubeconfig kept as a
  Pulumi secret or, without one, the ambient kubeconfig;
- `eks` provisions the VPC, an EKS control plane, managed on-demand and Spot node groups,
  the managed add-ons and the AWS Load Balancer Controller.
Whatever the mode, the Kubernetes provider is created here and handed to other components
through resource options, never installed globally.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from warmstart.components.cluster import eks
from warmstart.components.cluster.cluster_autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs
from warmstart.components.cluster.contract import validated_cluster
from warmstart.components.cluster.load_balancer_controller import (
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from warmstart.components.cluster.network import Network, NetworkArgs, VpcPlacement
from warmstart.components.cluster.node_settings import node_user_data
from warmstart.components.cluster.policies import deployer_access_gap, kubeconfig
from warmstart.components.config.cluster import (
    AwsConfig,
    ClusterConfig,
    ImageGcConfig,
    is_existing_eks,
)
from warmstart.components.naming import Children

TYPE_TOKEN = "warmstart:cluster:Cluster"


def cluster_name(config: ClusterConfig) -> str:
    """The configured name, or `<project>-<stack>` so stacks in one account never collide."""
    return config.name or f"{pulumi.get_project()}-{pulumi.get_stack()}"


@dataclass(frozen=True)
class ClusterArgs:
    cluster: ClusterConfig | Mapping[str, Any]
    """`warmstart:cluster` as a stack file writes it (or parsed): the mode, and in eks mode
    the network, node groups and add-ons."""
    kubeconfig: str | None = None
    """existing mode: the kubeconfig, kept as a secret; none uses the ambient one."""
    production: bool = False
    """Production's rules too: the cluster, its KMS key and the VPC protected, EKS deletion
    protection, a NAT gateway per zone unless the network says otherwise."""
    aws: AwsConfig | Mapping[str, Any] | None = None
    """`warmstart:aws` as a stack file writes it (or parsed): the account and region (eks
    mode needs them)."""
    image_gc: ImageGcConfig | Mapping[str, Any] = field(default_factory=ImageGcConfig)
    """`warmstart:nodes.imageGc` as a stack file writes it (or parsed): the kubelet image GC
    settings written into the eks node groups' NodeConfig."""
    node_policy_arns: Sequence[pulumi.Input[str]] = ()
    """Extra managed policies for the node role, such as the registry mirror's import policy."""


class Cluster(pulumi.ComponentResource):
    """Owns the Kubernetes provider for the stack's chosen cluster mode."""

    provider: k8s.Provider
    mode: str
    kubernetes_version: str
    # An EKS cluster only (created, or existing and looked up): the outputs other components
    # use, then the children warmstart creates.
    name: pulumi.Output[str] | None = None
    endpoint: pulumi.Output[str] | None = None
    certificate_authority: pulumi.Output[str] | None = None
    kubeconfig: pulumi.Output[str] | None = None
    node_role_arn: pulumi.Output[str] | None = None
    cluster_security_group_id: pulumi.Output[str] | None = None
    network: Network | None = None
    placement: VpcPlacement | None = None
    control_plane: aws.eks.Cluster | None = None
    node_role: eks.Role | None = None
    node_groups: dict[str, aws.eks.NodeGroup]
    addons: list[aws.eks.Addon]
    load_balancer_controller: LoadBalancerController | None = None
    cluster_autoscaler: ClusterAutoscaler | None = None

    @property
    def ready(self) -> list[pulumi.Resource]:
        """What workloads must wait for: nodes to run on, the add-ons (networking, DNS,
        metrics for the HPAs) and the load balancer controller, whose webhook gives pods
        their readiness gates only if it exists when they are created. Empty where
        warmstart made none of them."""
        controller = [self.load_balancer_controller] if self.load_balancer_controller else []
        return [*self.node_groups.values(), *self.addons, *controller]

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args = _validated(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._names = Children(self, TYPE_TOKEN, name)
        config = args.cluster
        self.mode = config.mode
        self.kubernetes_version = config.kubernetes_version
        self.node_groups, self.addons = {}, []
        if config.mode == "render":
            # An explicit empty kubeconfig: the SDK would otherwise fill in $KUBECONFIG,
            # which the provider refuses next to renderYamlToDirectory.
            self.provider = self._kubernetes_provider(
                render_yaml_to_directory=config.render_dir, kubeconfig=""
            )
        elif is_existing_eks(config):
            self._existing_eks(args)
        elif config.mode == "existing":
            self.provider = self._existing_provider(args, looked_up=None)
        else:
            self._eks(args)
        outputs: dict[str, object] = {
            "mode": self.mode,
            "kubernetesVersion": self.kubernetes_version,
        }
        if self.name is not None:
            outputs.update(name=self.name, endpoint=self.endpoint, nodeRoleArn=self.node_role_arn)
        self.register_outputs(outputs)

    def _eks(self, args: ClusterArgs) -> None:
        """Network, control plane, node groups, add-ons; then the provider and the controller."""
        config, production, names = args.cluster, args.production, self._names
        if args.aws is None or config.network is None:  # parse_config reports these first
            raise ValueError("eks mode needs warmstart:aws and cluster.network")
        name = cluster_name(config)
        self.placement = self._placement(args, name)
        private = self.placement.private_subnet_ids
        plane = eks.control_plane(names, name, config, private, production)
        self.control_plane = plane.cluster
        self._check_deployer_access(config.admin_role_arns)
        self.node_role = eks.node_role(names, args.node_policy_arns)
        self.node_role_arn = self.node_role.role.arn
        # The same user data for both groups: one NodeConfig, rendered once.
        user_data = base64.b64encode(node_user_data(args.image_gc).encode()).decode()
        groups = eks.NodeGroupArgs(
            name, config, user_data, self.control_plane, self.node_role, private
        )
        self.node_groups = {
            group: eks.node_group(names, group, groups) for group in eks.NODE_GROUPS
        }
        self.addons = eks.addons(names, self.control_plane, config, list(self.node_groups.values()))
        self._expose_control_plane(self.control_plane, args.aws.region)
        # Every Kubernetes object waits for the admins' access: none races to a 401/403.
        self.provider = self._kubernetes_provider(
            kubeconfig=self.kubeconfig, depends_on=plane.admin_access
        )
        if config.load_balancer_controller.enabled:
            issuer = self.control_plane.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
            on_system_nodes = {eks.NODE_GROUP_LABEL: "system"}
            self._load_balancer_controller(
                args,
                self.placement.vpc_id,
                issuer,
                self.addons,
                node_selector=on_system_nodes,
                tolerations=[eks.SYSTEM_TOLERATION],
            )
        if config.cluster_autoscaler.enabled:
            self.cluster_autoscaler = ClusterAutoscaler(
                names.name("autoscaler"),
                ClusterAutoscalerArgs(
                    cluster=config,
                    cluster_name=name,
                    account_id=args.aws.account_id,
                    region=args.aws.region,
                ),
                opts=names.options(
                    "autoscaler",
                    providers={"kubernetes": self.provider},
                    depends_on=self.addons,
                ),
            )

    def _placement(self, args: ClusterArgs, name: str) -> VpcPlacement:
        """The VPC given by ID, used as it is; else a Network created for the cluster."""
        network, names = args.cluster.network, self._names
        if network is None or args.aws is None:  # parse_config reports these first
            raise ValueError("eks mode needs warmstart:aws and cluster.network")
        if network.given:
            return VpcPlacement.given(network)
        nat = network.nat_gateways or ("per-az" if args.production else "shared")
        self.network = Network(
            names.name("network"),
            NetworkArgs(network, name, args.aws.region, nat, args.production),
            opts=names.options("network"),
        )
        return self.network.placement

    def _existing_eks(self, args: ClusterArgs) -> None:
        """An EKS cluster warmstart did not create, looked up by name: its endpoint, CA,
        security group and OIDC issuer; the provider reaches it with `aws eks get-token`
        unless a kubeconfig or context is given."""
        config = args.cluster
        if args.aws is None or config.name is None:  # parse_config reports these first
            raise ValueError("an existing EKS cluster needs warmstart:aws and cluster.name")
        found = aws.eks.get_cluster_output(name=config.name, opts=pulumi.InvokeOptions(parent=self))
        self._expose(
            found.name,
            found.endpoint,
            found.certificate_authorities.apply(lambda cas: cas[0].data),
            found.vpc_config.cluster_security_group_id,
            args.aws.region,
        )
        self.provider = self._existing_provider(args, looked_up=self.kubeconfig)
        if config.network is not None:
            self.placement = VpcPlacement.given(config.network)
        controller = config.load_balancer_controller
        # It likely runs one already: installed only when the stack file asks for it.
        if "enabled" in controller.model_fields_set and controller.enabled:
            issuer = found.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
            self._load_balancer_controller(
                args, found.vpc_config.vpc_id, issuer, [], node_selector={}
            )

    def _existing_provider(
        self, args: ClusterArgs, looked_up: pulumi.Output[str] | None
    ) -> k8s.Provider:
        """The given kubeconfig (a secret), else the ambient one with the given context, else
        the looked-up cluster's; none of these at all: the ambient kubeconfig as it is."""
        kubeconfig: pulumi.Input[str] | None = looked_up
        if args.kubeconfig is not None:
            kubeconfig = pulumi.Output.secret(args.kubeconfig)
        elif args.cluster.context is not None:
            kubeconfig = None
        return self._kubernetes_provider(kubeconfig=kubeconfig, context=args.cluster.context)

    def _kubernetes_provider(
        self, *, depends_on: Sequence[pulumi.Resource] = (), **inputs: Any
    ) -> k8s.Provider:
        """The one Kubernetes provider. The program's own Cluster keeps the name
        `kubernetes` (an alias would not carry a provider's rename on every engine)."""
        return k8s.Provider(
            self._names.kept("kubernetes", old="kubernetes"),
            **inputs,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
        )

    def _load_balancer_controller(
        self,
        args: ClusterArgs,
        vpc_id: pulumi.Input[str],
        oidc_issuer: pulumi.Input[str],
        after: Sequence[pulumi.Resource],
        *,
        node_selector: Mapping[str, str],
        tolerations: Sequence[Mapping[str, str]] = (),
    ) -> None:
        """The controller that binds pods to target groups, after what it needs (add-ons)."""
        if args.aws is None or self.name is None:  # only called once both are known
            raise ValueError("the load balancer controller needs an EKS cluster")
        self.load_balancer_controller = LoadBalancerController(
            self._names.name("load-balancer-controller"),
            LoadBalancerControllerArgs(
                config=args.cluster.load_balancer_controller,
                cluster_name=self.name,
                account_id=args.aws.account_id,
                region=args.aws.region,
                vpc_id=vpc_id,
                oidc_issuer=oidc_issuer,
                node_selector=node_selector,
                tolerations=tolerations,
            ),
            opts=self._names.options(
                "load-balancer-controller",
                providers={"kubernetes": self.provider},
                depends_on=list(after),
            ),
        )

    def _check_deployer_access(self, admin_role_arns: list[str]) -> None:
        """Say at preview, not as a 403 mid-update, when `up` runs as a role without access."""
        caller = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))

        def warn(arn: str) -> None:
            gap = deployer_access_gap(arn, admin_role_arns)
            if gap is not None:
                pulumi.log.warn(gap, resource=self)

        caller.arn.apply(warn)

    def _expose_control_plane(self, control_plane: aws.eks.Cluster, region: str) -> None:
        self._expose(
            control_plane.name,
            control_plane.endpoint,
            control_plane.certificate_authority.apply(lambda ca: ca.data),
            control_plane.vpc_config.apply(lambda vpc: vpc.cluster_security_group_id),
            region,
        )

    def _expose(
        self,
        name: pulumi.Output[str],
        endpoint: pulumi.Output[str],
        certificate_authority: pulumi.Output[str],
        security_group_id: pulumi.Output[str],
        region: str,
    ) -> None:
        """The values other components and the stack's outputs read, kubeconfig as a secret."""
        self.name, self.endpoint = name, endpoint
        self.certificate_authority = certificate_authority
        self.cluster_security_group_id = security_group_id
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(name, endpoint, certificate_authority).apply(
                lambda values: kubeconfig(values[0], values[1], values[2], region)
            )
        )


def _validated(name: str, args: ClusterArgs) -> ClusterArgs:
    """The args with their stack-file-shaped parts parsed and checked by the stack file's
    rules, or ConfigError naming every problem, before anything registers."""
    cluster, aws_config, image_gc = validated_cluster(
        name,
        args.cluster,
        args.aws,
        args.image_gc,
        production=args.production,
        kubeconfig=args.kubeconfig,
    )
    return replace(args, cluster=cluster, aws=aws_config, image_gc=image_gc)
