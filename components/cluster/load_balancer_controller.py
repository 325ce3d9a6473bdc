"""LoadBalancerController: the AWS Load Balancer Controller, for TargetGroupBindings.

warmstart creates its load balancers and target groups itself; the controller's only job is
to keep each target group's IP targets equal to a Service's ready pods. Its IAM role can
therefore read, and register or deregister targets, but never create a load balancer, and
the Service mutating webhook is off so no Service is turned into an NLB behind our back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from warmstart.components.cluster.policies import (
    LOAD_BALANCER_CONTROLLER,
    irsa_trust_policy,
    load_balancer_controller_policy,
    pod_identity_trust_policy,
)
from warmstart.components.config.cluster import LoadBalancerControllerConfig
from warmstart.components.dependencies import inherited_dependencies
from warmstart.components.naming import Children

TYPE_TOKEN = "warmstart:kubernetes:LoadBalancerController"
CHART_REPOSITORY = "https://aws.github.io/eks-charts"
# What the children of the program's instance were named before they took its name.
OLD_NAME = "load-balancer-controller"


@dataclass(frozen=True)
class LoadBalancerControllerArgs:
    config: LoadBalancerControllerConfig
    cluster_name: pulumi.Input[str]
    account_id: str
    region: str
    vpc_id: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    node_selector: Mapping[str, str] = field(default_factory=dict)
    """Where its pods run. Its pod webhook gates every pod creation: warmstart's clusters
    keep both replicas on the on-demand system nodes (never both on reclaimed Spot); on a
    cluster warmstart did not make, none (its nodes carry no warmstart label)."""
    tolerations: Sequence[Mapping[str, str]] = ()
    """The taints of the nodes it runs on (warmstart's system nodes carry one)."""


class LoadBalancerController(pulumi.ComponentResource):
    role: aws.iam.Role
    policy: aws.iam.Policy
    release: k8s.helm.v3.Release

    def __init__(
        self,
        name: str,
        args: LoadBalancerControllerArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._names = names = Children(self, TYPE_TOKEN, name)
        # What the controller waits for (the add-ons: Pod Identity's agent among them).
        waits_for = inherited_dependencies(opts)
        namespace, account = LOAD_BALANCER_CONTROLLER
        irsa = args.config.identity == "irsa"
        cluster_name = pulumi.Output.from_input(args.cluster_name)
        trust = (
            self._irsa_trust(args)
            if irsa
            else cluster_name.apply(
                lambda cluster: json.dumps(
                    pod_identity_trust_policy(args.account_id, cluster, namespace, account)
                )
            )
        )
        self.role = aws.iam.Role(
            names.name(""),
            description="warmstart: AWS Load Balancer Controller (target registration only)",
            assume_role_policy=trust,
            opts=names.options("", old=OLD_NAME),
        )
        self.policy = aws.iam.Policy(
            names.name(""),
            description="warmstart: register pod IPs in this account's target groups",
            policy=cluster_name.apply(
                lambda cluster: json.dumps(
                    load_balancer_controller_policy(args.account_id, args.region, cluster)
                )
            ),
            opts=names.options("", old=OLD_NAME),
        )
        attachment = aws.iam.RolePolicyAttachment(
            names.name(""),
            role=self.role.name,
            policy_arn=self.policy.arn,
            opts=names.options("", old=OLD_NAME),
        )
        ready: list[pulumi.Resource] = [attachment, *waits_for]
        if not irsa:
            ready.append(
                aws.eks.PodIdentityAssociation(
                    names.name(""),
                    cluster_name=args.cluster_name,
                    namespace=namespace,
                    service_account=account,
                    role_arn=self.role.arn,
                    opts=names.options("", old=OLD_NAME, depends_on=list(waits_for)),
                )
            )
        annotations = {"eks.amazonaws.com/role-arn": self.role.arn} if irsa else {}
        self.release = k8s.helm.v3.Release(
            names.name(""),
            name="aws-load-balancer-controller",
            chart="aws-load-balancer-controller",
            version=args.config.chart_version,
            namespace=namespace,
            repository_opts={"repo": CHART_REPOSITORY},
            values={
                "clusterName": args.cluster_name,
                "region": args.region,
                "vpcId": args.vpc_id,
                "replicaCount": 2,
                "nodeSelector": dict(args.node_selector),
                "tolerations": [dict(toleration) for toleration in args.tolerations],
                # A drain takes one replica at a time.
                "podDisruptionBudget": {"maxUnavailable": 1},
                "enableServiceMutatorWebhook": False,
                "serviceAccount": {"create": True, "name": account, "annotations": annotations},
            },
            opts=names.options("", old="aws-load-balancer-controller", depends_on=ready),
        )
        self.register_outputs({"roleArn": self.role.arn})

    def _irsa_trust(self, args: LoadBalancerControllerArgs) -> pulumi.Output[str]:
        provider = aws.iam.OpenIdConnectProvider(
            self._names.name("oidc"),
            url=args.oidc_issuer,
            client_id_lists=["sts.amazonaws.com"],
            opts=self._names.options("oidc", old="cluster-oidc"),
        )
        namespace, account = LOAD_BALANCER_CONTROLLER
        return pulumi.Output.all(provider.arn, args.oidc_issuer).apply(
            lambda values: json.dumps(irsa_trust_policy(values[0], values[1], namespace, account))
        )
