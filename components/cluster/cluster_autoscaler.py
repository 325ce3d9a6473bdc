"""ClusterAutoscaler: nodes follow the pods the HPAs ask for, and idle nodes go.

Cluster Autoscaler rather than Karpenter: warmstart already runs EKS managed node groups
(an on-demand system group and a Spot group over several instance types), which the
autoscaler resizes in place through their Auto Scaling groups, discovered by the tags EKS
puts on them. Karpenter would replace those groups with its own provisioning (NodePools,
EC2NodeClasses, an interruption queue) and own node lifecycle: faster and better packed, but
a second model of the nodes to operate; the node groups stay the one model here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from warmstart.components.cluster.eks import NODE_GROUP_LABEL, SYSTEM_TOLERATION
from warmstart.components.cluster.policies import (
    CLUSTER_AUTOSCALER,
    cluster_autoscaler_policy,
    pod_identity_trust_policy,
)
from warmstart.components.config.cluster import (
    ClusterConfig,
    autoscaler_chart,
    autoscaler_image_tag,
)
from warmstart.components.dependencies import inherited_dependencies
from warmstart.components.naming import Children

TYPE_TOKEN = "warmstart:kubernetes:ClusterAutoscaler"
CHART_REPOSITORY = "https://kubernetes.github.io/autoscaler"


@dataclass(frozen=True)
class ClusterAutoscalerArgs:
    cluster: ClusterConfig
    cluster_name: str
    account_id: str
    region: str


def autoscaler_values(args: ClusterAutoscalerArgs) -> dict:
    """The chart's values: discovery by this cluster's tags, on the on-demand system nodes."""
    config = args.cluster.cluster_autoscaler
    account = CLUSTER_AUTOSCALER[1]
    return {
        "autoDiscovery": {"clusterName": args.cluster_name},
        "awsRegion": args.region,
        "cloudProvider": "aws",
        "image": {"tag": autoscaler_image_tag(args.cluster)},
        "rbac": {"serviceAccount": {"create": True, "name": account}},
        # Never on the Spot nodes it may remove, and critical so it is never the pod evicted.
        "nodeSelector": {NODE_GROUP_LABEL: "system"},
        "tolerations": [SYSTEM_TOLERATION],
        "priorityClassName": "system-cluster-critical",
        "extraArgs": {
            "expander": config.expander,
            # Spot's instance types are interchangeable: grow them evenly across zones.
            "balance-similar-node-groups": "true",
            "skip-nodes-with-local-storage": "false",
            "scale-down-unneeded-time": f"{config.scale_down_unneeded_minutes}m",
        },
    }


class ClusterAutoscaler(pulumi.ComponentResource):
    role: aws.iam.Role
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: ClusterAutoscalerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        names = Children(self, TYPE_TOKEN, name)
        # What the autoscaler waits for (the add-ons: Pod Identity's agent among them).
        waits_for = inherited_dependencies(opts)
        namespace, account = CLUSTER_AUTOSCALER
        self.role = aws.iam.Role(
            names.name(""),
            description="warmstart: Cluster Autoscaler (this cluster's node groups only)",
            assume_role_policy=json.dumps(
                pod_identity_trust_policy(args.account_id, args.cluster_name, namespace, account)
            ),
            opts=names.options(""),
        )
        policy = aws.iam.RolePolicy(
            names.name(""),
            role=self.role.name,
            policy=json.dumps(
                cluster_autoscaler_policy(args.account_id, args.region, args.cluster_name)
            ),
            opts=names.options(""),
        )
        association = aws.eks.PodIdentityAssociation(
            names.name(""),
            cluster_name=args.cluster_name,
            namespace=namespace,
            service_account=account,
            role_arn=self.role.arn,
            opts=names.options("", depends_on=list(waits_for)),
        )
        self.release = k8s.helm.v3.Release(
            names.name(""),
            name="cluster-autoscaler",
            chart="cluster-autoscaler",
            version=autoscaler_chart(args.cluster),
            namespace=namespace,
            repository_opts={"repo": CHART_REPOSITORY},
            values=autoscaler_values(args),
            opts=names.options("", depends_on=[policy, association, *waits_for]),
        )
        self.register_outputs({"roleArn": self.role.arn})
