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
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.config import AwsConfig, ClusterConfig, ImageGcConfig, NodeGroupConfig
from components.eks_policies import (
    CLUSTER_ADMIN_ACCESS_POLICY,
    CLUSTER_POLICIES,
    NODE_POLICIES,
    cluster_trust_policy,
    kubeconfig,
    node_trust_policy,
)
from components.load_balancer_controller import LoadBalancerController, LoadBalancerControllerArgs
from components.network import Network, NetworkArgs
from components.node_settings import image_gc_user_data

TYPE_TOKEN = "warmstart:cluster:Cluster"
ADDONS = ("vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent")
NODE_GROUP_LABEL = "warmstart.dev/node-group"


def cluster_name(config: ClusterConfig) -> str:
    """The configured name, or `<project>-<stack>` so stacks in one account never collide."""
    return config.name or f"{pulumi.get_project()}-{pulumi.get_stack()}"


@dataclass(frozen=True)
class ClusterArgs:
    cluster: ClusterConfig
    kubeconfig: str | None = None
    production: bool = False
    aws: AwsConfig | None = None
    image_gc: ImageGcConfig = field(default_factory=ImageGcConfig)
    # Extra managed policies for the node role, such as the registry mirror's import policy.
    node_policy_arns: Sequence[pulumi.Input[str]] = ()


class Cluster(pulumi.ComponentResource):
    """Owns the Kubernetes provider for the stack's chosen cluster mode."""

    provider: k8s.Provider
    mode: str
    kubernetes_version: str
    # eks mode only
    name: pulumi.Output[str] | None = None
    endpoint: pulumi.Output[str] | None = None
    certificate_authority: pulumi.Output[str] | None = None
    kubeconfig: pulumi.Output[str] | None = None
    node_role_arn: pulumi.Output[str] | None = None
    cluster_security_group_id: pulumi.Output[str] | None = None
    network: Network | None = None
    load_balancer_controller: LoadBalancerController | None = None

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        config = args.cluster
        self.mode = config.mode
        self.kubernetes_version = config.kubernetes_version
        child = pulumi.ResourceOptions(parent=self)
        if config.mode == "render":
            self.provider = k8s.Provider(
                "kubernetes", render_yaml_to_directory=config.render_dir, opts=child
            )
        elif config.mode == "existing":
            secret = pulumi.Output.secret(args.kubeconfig) if args.kubeconfig else None
            self.provider = k8s.Provider(
                "kubernetes", kubeconfig=secret, context=config.context, opts=child
            )
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
        config, production = args.cluster, args.production
        if args.aws is None or config.network is None:  # parse_config reports these first
            raise ValueError("eks mode needs warmstart:aws and cluster.network")
        name = cluster_name(config)
        self.network = Network(
            "network",
            NetworkArgs(
                network=config.network,
                cluster_name=name,
                region=args.aws.region,
                nat_gateways=config.network.nat_gateways or ("per-az" if production else "shared"),
                production=production,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        control_plane = self._control_plane(name, args, self.network)
        node_role, attachments = self._node_role(args)
        # The same user data for both groups: one NodeConfig, rendered once.
        user_data = base64.b64encode(image_gc_user_data(args.image_gc).encode()).decode()
        node_groups = [
            self._node_group(
                group,
                name=name,
                user_data=user_data,
                cluster=control_plane,
                role=node_role,
                attachments=attachments,
                args=args,
                network=self.network,
            )
            for group in ("system", "spot")
        ]
        addons = [
            aws.eks.Addon(
                addon,
                cluster_name=control_plane.name,
                addon_name=addon,
                addon_version=config.addon_versions.get(addon),
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                # After the nodes exist, so coredns can schedule instead of sitting degraded.
                opts=pulumi.ResourceOptions(parent=self, depends_on=node_groups),
            )
            for addon in ADDONS
        ]
        self.name = control_plane.name
        self.endpoint = control_plane.endpoint
        self.certificate_authority = control_plane.certificate_authority.apply(lambda ca: ca.data)
        self.node_role_arn = node_role.arn
        self.cluster_security_group_id = control_plane.vpc_config.apply(
            lambda vpc: vpc.cluster_security_group_id
        )
        region = args.aws.region
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                control_plane.name, control_plane.endpoint, self.certificate_authority
            ).apply(lambda values: kubeconfig(values[0], values[1], values[2], region))
        )
        self.provider = k8s.Provider(
            "kubernetes", kubeconfig=self.kubeconfig, opts=pulumi.ResourceOptions(parent=self)
        )
        if config.load_balancer_controller.enabled:
            self.load_balancer_controller = LoadBalancerController(
                "load-balancer-controller",
                LoadBalancerControllerArgs(
                    config=config.load_balancer_controller,
                    cluster_name=control_plane.name,
                    account_id=args.aws.account_id,
                    region=region,
                    vpc_id=self.network.vpc.id,
                    oidc_issuer=control_plane.identities.apply(lambda ids: ids[0].oidcs[0].issuer),
                    depends_on=addons,
                ),
                opts=pulumi.ResourceOptions(parent=self, providers={"kubernetes": self.provider}),
            )

    def _control_plane(self, name: str, args: ClusterArgs, network: Network) -> aws.eks.Cluster:
        config, production = args.cluster, args.production
        role, attachments = self._role(
            "cluster",
            f"warmstart: EKS control plane of {name}",
            cluster_trust_policy(),
            [(arn.rsplit("/", 1)[-1], arn) for arn in CLUSTER_POLICIES],
        )
        key = aws.kms.Key(
            "secrets",
            description=f"warmstart: envelope encryption of {name}'s Kubernetes secrets",
            enable_key_rotation=True,
            deletion_window_in_days=30 if production else 7,
            opts=pulumi.ResourceOptions(parent=self, protect=production),
        )
        aws.kms.Alias(
            "secrets",
            name=f"alias/{name}-secrets",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        cluster = aws.eks.Cluster(
            "cluster",
            name=name,
            version=config.kubernetes_version,
            role_arn=role.arn,
            vpc_config={
                "subnet_ids": network.private_subnet_ids,
                "endpoint_private_access": config.endpoint.private,
                "endpoint_public_access": config.endpoint.public,
                "public_access_cidrs": config.endpoint.public_cidrs
                if config.endpoint.public
                else None,
            },
            access_config={
                "authentication_mode": "API",
                # Production admins are named explicitly; nobody is admin for having run `up`.
                "bootstrap_cluster_creator_admin_permissions": not production,
            },
            encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(config.logging),
            deletion_protection=production,
            opts=pulumi.ResourceOptions(parent=self, protect=production, depends_on=attachments),
        )
        for index, principal in enumerate(config.admin_role_arns):
            entry = aws.eks.AccessEntry(
                f"admin-{index}",
                cluster_name=cluster.name,
                principal_arn=principal,
                type="STANDARD",
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.eks.AccessPolicyAssociation(
                f"admin-{index}",
                cluster_name=cluster.name,
                principal_arn=principal,
                policy_arn=CLUSTER_ADMIN_ACCESS_POLICY,
                access_scope={"type": "cluster"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
            )
        return cluster

    def _node_role(
        self, args: ClusterArgs
    ) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
        policies: list[tuple[str, pulumi.Input[str]]] = [
            (arn.rsplit("/", 1)[-1], arn) for arn in NODE_POLICIES
        ]
        policies += [(f"extra-{index}", arn) for index, arn in enumerate(args.node_policy_arns)]
        return self._role("nodes", "warmstart: EKS worker nodes", node_trust_policy(), policies)

    def _role(
        self,
        name: str,
        description: str,
        trust: dict[str, object],
        policies: Sequence[tuple[str, pulumi.Input[str]]],
    ) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
        """A role and its managed-policy attachments, each named `<role>-<label>`."""
        role = aws.iam.Role(
            name,
            description=description,
            assume_role_policy=json.dumps(trust),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-{label}",
                role=role.name,
                policy_arn=arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for label, arn in policies
        ]
        return role, attachments

    def _node_group(
        self,
        group: str,
        *,
        name: str,
        user_data: str,
        cluster: aws.eks.Cluster,
        role: aws.iam.Role,
        attachments: list[aws.iam.RolePolicyAttachment],
        args: ClusterArgs,
        network: Network,
    ) -> aws.eks.NodeGroup:
        """Sizes and labels are update-in-place fields; name, subnets and AMI type are not."""
        config: NodeGroupConfig = getattr(args.cluster, f"{group}_nodes")
        capacity = "SPOT" if group == "spot" else "ON_DEMAND"
        template = aws.ec2.LaunchTemplate(
            group,
            description=f"warmstart: {group} nodes of {name}",
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                # 1 hop: pods (one hop further) cannot reach node credentials via IMDS.
                "http_put_response_hop_limit": 1,
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": config.disk_size_gib,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            user_data=user_data,
            update_default_version=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.eks.NodeGroup(
            group,
            cluster_name=cluster.name,
            node_group_name=f"{name}-{group}",
            node_role_arn=role.arn,
            subnet_ids=network.private_subnet_ids,
            ami_type=args.cluster.ami_type,
            capacity_type=capacity,
            instance_types=list(config.instance_types),
            scaling_config={
                "min_size": config.min_size,
                "desired_size": config.desired_size,
                "max_size": config.max_size,
            },
            update_config={"max_unavailable_percentage": 33},
            labels={NODE_GROUP_LABEL: group, **config.labels},
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )
