"""IAM documents and the kubeconfig the EKS cluster mode writes; pure, so tested and linted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from warmstart.components.iam import IAM_VERSION, POD_TARGET_GROUP_TAG, service_trust_policy

AWS_MANAGED = "arn:aws:iam::aws:policy"
CLUSTER_POLICIES = (f"{AWS_MANAGED}/AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    f"{AWS_MANAGED}/AmazonEKSWorkerNodePolicy",
    f"{AWS_MANAGED}/AmazonEC2ContainerRegistryPullOnly",
    f"{AWS_MANAGED}/AmazonEKS_CNI_Policy",
)
CLUSTER_ADMIN_ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
LOAD_BALANCER_CONTROLLER = ("kube-system", "aws-load-balancer-controller")
CLUSTER_AUTOSCALER = ("kube-system", "cluster-autoscaler")


def cluster_trust_policy() -> dict[str, Any]:
    return service_trust_policy("eks.amazonaws.com", tag_session=True)


def node_trust_policy() -> dict[str, Any]:
    return service_trust_policy("ec2.amazonaws.com", tag_session=False)


def pod_identity_trust_policy(
    account_id: str, cluster_name: str, namespace: str, service_account: str
) -> dict[str, Any]:
    """EKS Pod Identity: the agent assumes the role and tags the session with the pod's
    identity. Only for this account (a confused deputy in another account cannot use the
    service principal) and only for the session tags of this cluster's one service account
    (another cluster's association to the same role would otherwise work)."""
    policy = service_trust_policy("pods.eks.amazonaws.com", tag_session=True)
    policy["Statement"][0]["Condition"] = {
        "StringEquals": {
            "aws:SourceAccount": account_id,
            "aws:RequestTag/eks-cluster-name": cluster_name,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": service_account,
        }
    }
    return policy


def irsa_trust_policy(
    oidc_provider_arn: str, issuer_url: str, namespace: str, account: str
) -> dict[str, Any]:
    """IRSA: only the named service account's web identity token, for STS, may assume the role."""
    issuer = issuer_url.removeprefix("https://")
    return {
        "Version": IAM_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def load_balancer_controller_policy(
    account_id: str, region: str, cluster_name: str
) -> dict[str, Any]:
    """What the controller needs to keep TargetGroupBindings' targets in sync, and no more.

    warmstart creates load balancers, listeners and target groups itself (Pulumi), so the
    controller never creates, modifies or deletes them: it reads, and registers or
    deregisters targets in the target groups of pods tagged for this cluster
    (POD_TARGET_GROUP_TAG), not in every group of the account. Describe calls have no
    resource-level permissions, hence "*" for those alone.
    """
    return {
        "Version": IAM_VERSION,
        "Statement": [
            {
                "Sid": "ReadLoadBalancingAndNetwork",
                "Effect": "Allow",
                "Action": [
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
                "Resource": "*",
            },
            {
                "Sid": "SyncTargets",
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:RegisterTargets",
                ],
                "Resource": f"arn:aws:elasticloadbalancing:{region}:{account_id}:targetgroup/*/*",
                "Condition": {
                    "StringEquals": {f"aws:ResourceTag/{POD_TARGET_GROUP_TAG}": cluster_name}
                },
            },
        ],
    }


def cluster_autoscaler_policy(account_id: str, region: str, cluster_name: str) -> dict[str, Any]:
    """Read the node groups; resize and shrink only the Auto Scaling groups of this cluster.

    EKS tags a managed node group's Auto Scaling group `k8s.io/cluster-autoscaler/<cluster>`
    (`owned`), which is both how the autoscaler discovers the groups and the condition that
    keeps it off every other group in the account. Describe calls have no resource-level
    permissions, hence "*" for those alone.
    """
    return {
        "Version": IAM_VERSION,
        "Statement": [
            {
                "Sid": "ReadNodeGroups",
                "Effect": "Allow",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                "Resource": "*",
            },
            {
                "Sid": "ReadThisClustersNodeGroups",
                "Effect": "Allow",
                "Action": ["eks:DescribeNodegroup"],
                "Resource": f"arn:aws:eks:{region}:{account_id}:nodegroup/{cluster_name}/*/*",
            },
            {
                "Sid": "ResizeThisClustersGroups",
                "Effect": "Allow",
                "Action": [
                    "autoscaling:SetDesiredCapacity",
                    "autoscaling:TerminateInstanceInAutoScalingGroup",
                ],
                "Resource": f"arn:aws:autoscaling:{region}:{account_id}:autoScalingGroup:*",
                "Condition": {
                    "StringEquals": {
                        f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"
                    }
                },
            },
        ],
    }


def kubeconfig(cluster_name: str, endpoint: str, certificate_authority: str, region: str) -> str:
    """A kubeconfig whose credentials come from `aws eks get-token`: nothing long-lived in it."""
    user = f"{cluster_name}-aws"
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {
                    "server": endpoint,
                    "certificate-authority-data": certificate_authority,
                },
            }
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": user}}],
        "current-context": cluster_name,
        "users": [
            {
                "name": user,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": [
                            "eks",
                            "get-token",
                            "--cluster-name",
                            cluster_name,
                            "--region",
                            region,
                        ],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)


_ASSUMED_ROLE = re.compile(r"^arn:aws[a-z-]*:sts::([0-9]{12}):assumed-role/([^/]+)/[^/]+$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:.+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):role/(?:.*/)?([^/]+)$")


def deployer_access_gap(caller_arn: str, admin_role_arns: Sequence[str]) -> str | None:
    """Why the identity running `pulumi up` would be refused by the Kubernetes API, if it would.

    With no creator admin, only the named roles get access entries. A session of one of
    them (`sts:assumed-role/<name>/...`, whose ARN drops the role's path) is matched by
    account and role name. Anything that is not an AWS ARN (an offline render) says nothing.
    """
    if not _IAM_ARN.match(caller_arn):
        return None
    session = _ASSUMED_ROLE.fullmatch(caller_arn)
    if session is not None:
        for arn in admin_role_arns:
            role = _ROLE_ARN.fullmatch(arn)
            if role is not None and role.groups() == session.groups():
                return None
    return (
        f"the identity running pulumi up ({caller_arn}) is not among cluster.adminRoleArns: "
        "every Kubernetes object of this stack will be refused (401/403); add its role"
    )
