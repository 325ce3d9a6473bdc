"""The EKS steps of `Cluster`: control plane with its access entries, node role, node groups.

Each step registers its resources as children of the `Cluster` it is given, so the URNs are
those of a single component while the steps read one at a time. Everything a step derives
(policies, user data, names) comes from the pure modules beside it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from warmstart.components.cluster.policies import (
    CLUSTER_ADMIN_ACCESS_POLICY,
    CLUSTER_POLICIES,
    NODE_POLICIES,
    cluster_trust_policy,
    node_trust_policy,
)
from warmstart.components.config.cluster import ClusterConfig, NodeGroupConfig
from warmstart.components.naming import Children

# metrics-server (an EKS community add-on): without it no HorizontalPodAutoscaler ever scales.
ADDONS = ("vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "metrics-server")
NODE_GROUP_LABEL = "warmstart.dev/node-group"
# The system group is for controllers and add-ons: services, which do not tolerate it, land
# on Spot, and the autoscaler never grows the on-demand group for them. CriticalAddonsOnly
# is the key EKS's coredns already tolerates.
SYSTEM_TAINT = {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
SYSTEM_TOLERATION = {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}
NODE_GROUPS = ("system", "spot")


@dataclass(frozen=True)
class Role:
    """An IAM role and its managed-policy attachments (what must exist before it is used)."""

    role: aws.iam.Role
    attachments: list[aws.iam.RolePolicyAttachment]


def role(
    names: Children,
    name: str,
    description: str,
    trust: dict[str, object],
    policies: Sequence[tuple[str, pulumi.Input[str]]],
) -> Role:
    """A role and its managed-policy attachments, each named `<role>-<label>` (`name` "":
    the component's own role, `<component>` and `<component>-<label>`)."""
    created = aws.iam.Role(
        names.name(name),
        description=description,
        assume_role_policy=json.dumps(trust),
        opts=names.options(name),
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            names.name(f"{name}-{label}" if name else label),
            role=created.name,
            policy_arn=arn,
            opts=names.options(f"{name}-{label}" if name else label),
        )
        for label, arn in policies
    ]
    return Role(created, attachments)


def node_role(names: Children, extra_policy_arns: Sequence[pulumi.Input[str]]) -> Role:
    """The nodes' role: EKS's worker policies plus extras such as the mirror's import policy."""
    policies: list[tuple[str, pulumi.Input[str]]] = [
        (arn.rsplit("/", 1)[-1], arn) for arn in NODE_POLICIES
    ]
    policies += [(f"extra-{index}", arn) for index, arn in enumerate(extra_policy_arns)]
    return role(names, "nodes", "warmstart: EKS worker nodes", node_trust_policy(), policies)


@dataclass(frozen=True)
class ControlPlane:
    """The cluster, and the access grants the Kubernetes provider must wait for."""

    cluster: aws.eks.Cluster
    admin_access: list[aws.eks.AccessPolicyAssociation]


def control_plane(
    names: Children,
    name: str,
    config: ClusterConfig,
    subnet_ids: Sequence[pulumi.Input[str]],
    production: bool,
) -> ControlPlane:
    """The EKS cluster, its secrets key, and an access entry per admin role."""
    # The control plane's role shares the component's name, as the EKS cluster does.
    cluster_role = role(
        names,
        "",
        f"warmstart: EKS control plane of {name}",
        cluster_trust_policy(),
        [(arn.rsplit("/", 1)[-1], arn) for arn in CLUSTER_POLICIES],
    )
    key = aws.kms.Key(
        names.name("secrets"),
        description=f"warmstart: envelope encryption of {name}'s Kubernetes secrets",
        enable_key_rotation=True,
        deletion_window_in_days=30 if production else 7,
        opts=names.options("secrets", protect=production),
    )
    aws.kms.Alias(
        names.name("secrets"),
        name=f"alias/{name}-secrets",
        target_key_id=key.key_id,
        opts=names.options("secrets"),
    )
    # EKS writes to this group, creating it with no expiry if it does not exist yet.
    logs = aws.cloudwatch.LogGroup(
        names.name("control-plane"),
        name=f"/aws/eks/{name}/cluster",
        retention_in_days=config.log_retention_days,
        opts=names.options("control-plane"),
    )
    cluster = aws.eks.Cluster(
        names.name(""),
        name=name,
        version=config.kubernetes_version,
        # EKS bills extended support by default once a version's standard support ends.
        upgrade_policy={"support_type": config.support_type},
        role_arn=cluster_role.role.arn,
        vpc_config={
            "subnet_ids": subnet_ids,
            "endpoint_private_access": config.endpoint.private,
            "endpoint_public_access": config.endpoint.public,
            "public_access_cidrs": config.endpoint.public_cidrs if config.endpoint.public else None,
        },
        access_config={
            "authentication_mode": "API",
            # Admins are named explicitly, never admin for having run `up`: a bootstrap entry
            # for the creator would also collide with an explicit entry for the same role.
            "bootstrap_cluster_creator_admin_permissions": False,
        },
        encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
        enabled_cluster_log_types=list(config.logging),
        deletion_protection=production,
        opts=names.options(
            "", old="cluster", protect=production, depends_on=[*cluster_role.attachments, logs]
        ),
    )
    return ControlPlane(cluster, _admin_access(names, cluster, config.admin_role_arns))


def _admin_access(
    names: Children, cluster: aws.eks.Cluster, principals: Sequence[str]
) -> list[aws.eks.AccessPolicyAssociation]:
    associations = []
    for index, principal in enumerate(principals):
        admin = f"admin-{index}"
        entry = aws.eks.AccessEntry(
            names.name(admin),
            cluster_name=cluster.name,
            principal_arn=principal,
            type="STANDARD",
            opts=names.options(admin),
        )
        association = aws.eks.AccessPolicyAssociation(
            names.name(admin),
            cluster_name=cluster.name,
            principal_arn=principal,
            policy_arn=CLUSTER_ADMIN_ACCESS_POLICY,
            access_scope={"type": "cluster"},
            opts=names.options(admin, depends_on=[entry]),
        )
        associations.append(association)
    return associations


@dataclass(frozen=True)
class NodeGroupArgs:
    """What every node group of one cluster shares."""

    cluster_name: str
    config: ClusterConfig
    user_data: str
    cluster: aws.eks.Cluster
    role: Role
    subnet_ids: Sequence[pulumi.Input[str]]


def node_group(names: Children, group: str, args: NodeGroupArgs) -> aws.eks.NodeGroup:
    """Sizes and labels are update-in-place fields; instance types, subnets and AMI type are
    not (a new group, under a new name from the prefix, replaces the old one)."""
    config: NodeGroupConfig = getattr(args.config, f"{group}_nodes")
    template = aws.ec2.LaunchTemplate(
        names.name(group),
        description=f"warmstart: {group} nodes of {args.cluster_name}",
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
        user_data=args.user_data,
        update_default_version=True,
        opts=names.options(group),
    )
    return aws.eks.NodeGroup(
        names.name(group),
        cluster_name=args.cluster.name,
        # A prefix, not a name: instance types, AMI type, capacity type and subnets replace
        # the group, and its replacement is created before the old one is deleted.
        node_group_name_prefix=f"{args.cluster_name}-{group}-",
        node_role_arn=args.role.role.arn,
        subnet_ids=args.subnet_ids,
        ami_type=args.config.ami_type,
        capacity_type="SPOT" if group == "spot" else "ON_DEMAND",
        instance_types=list(config.instance_types),
        scaling_config={
            "min_size": config.min_size,
            "desired_size": config.desired_size,
            "max_size": config.max_size,
        },
        update_config={"max_unavailable_percentage": 33},
        labels={NODE_GROUP_LABEL: group, **config.labels},
        taints=[SYSTEM_TAINT] if group == "system" else None,
        launch_template={"id": template.id, "version": template.latest_version.apply(str)},
        # The autoscaler owns the desired size once the group exists: an `up` must not undo
        # its scaling, and the daily drift check must not report it.
        opts=names.options(
            group,
            depends_on=args.role.attachments,
            ignore_changes=["scalingConfig.desiredSize"],
        ),
    )


def addons(
    names: Children,
    cluster: aws.eks.Cluster,
    config: ClusterConfig,
    node_groups: Sequence[aws.eks.NodeGroup],
) -> list[aws.eks.Addon]:
    """EKS-managed add-ons, after the nodes exist so coredns can schedule instead of degrading."""
    return [
        aws.eks.Addon(
            names.name(addon),
            cluster_name=cluster.name,
            addon_name=addon,
            addon_version=config.addon_versions.get(addon),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            # The VPC CNI enforces NetworkPolicies only when asked to.
            configuration_values=json.dumps({"enableNetworkPolicy": "true"})
            if addon == "vpc-cni"
            else None,
            opts=names.options(addon, depends_on=list(node_groups)),
        )
        for addon in ADDONS
    ]
