import pytest
import yaml

from tests.iam_lint import findings
from warmstart.components.cluster.policies import (
    cluster_trust_policy,
    deployer_access_gap,
    irsa_trust_policy,
    kubeconfig,
    load_balancer_controller_policy,
    node_trust_policy,
    pod_identity_trust_policy,
)


def test_identity_policy_passes_the_linter_with_no_findings():
    real, stale = findings(load_balancer_controller_policy("123456789012", "eu-west-1", "demo"))
    assert (real, stale) == ([], [])


def test_controller_can_only_register_targets_in_this_clusters_pod_target_groups():
    statements = load_balancer_controller_policy("123456789012", "eu-west-1", "demo")["Statement"]
    writes = [s for s in statements if s["Resource"] != "*"]
    assert writes == [
        {
            "Sid": "SyncTargets",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:DeregisterTargets",
                "elasticloadbalancing:RegisterTargets",
            ],
            "Resource": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/*/*",
            "Condition": {"StringEquals": {"aws:ResourceTag/warmstart:kubernetes-cluster": "demo"}},
        }
    ]
    unscoped = next(s for s in statements if s["Resource"] == "*")["Action"]
    assert all(":Describe" in action for action in unscoped)


# parliament lints identity policies; trust policies have a Principal and no Resource, which
# it always reports as MALFORMED, so each trust policy is pinned exactly here instead.
def test_trust_policies_name_one_principal_each():
    assert cluster_trust_policy()["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ]
    assert node_trust_policy()["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": ["sts:AssumeRole"],
        }
    ]
    assert pod_identity_trust_policy("123456789012", "demo", "kube-system", "cluster-autoscaler")[
        "Statement"
    ] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            # This account only, and only this cluster's one service account's sessions.
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": "123456789012",
                    "aws:RequestTag/eks-cluster-name": "demo",
                    "aws:RequestTag/kubernetes-namespace": "kube-system",
                    "aws:RequestTag/kubernetes-service-account": "cluster-autoscaler",
                }
            },
        }
    ]


def test_irsa_trust_is_bound_to_one_service_account_and_audience():
    policy = irsa_trust_policy(
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        "kube-system",
        "aws-load-balancer-controller",
    )
    assert policy["Statement"][0]["Condition"] == {
        "StringEquals": {
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        }
    }


def test_kubeconfig_uses_aws_eks_get_token():
    document = yaml.safe_load(
        kubeconfig("demo", "https://x.eks.amazonaws.com", "Q0E=", "eu-west-1")
    )
    assert document["clusters"] == [
        {
            "name": "demo",
            "cluster": {
                "server": "https://x.eks.amazonaws.com",
                "certificate-authority-data": "Q0E=",
            },
        }
    ]
    assert document["users"][0]["user"]["exec"] == {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", "demo", "--region", "eu-west-1"],
        "interactiveMode": "Never",
    }
    assert document["current-context"] == "demo"


ADMINS = ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:role/ops/ci"]


@pytest.mark.parametrize(
    "caller",
    [
        "arn:aws:sts::123456789012:assumed-role/platform-admins/alice",
        "arn:aws:sts::123456789012:assumed-role/ci/github-run-42",  # role path dropped by STS
    ],
)
def test_a_session_of_an_admin_role_has_access(caller):
    assert deployer_access_gap(caller, ADMINS) is None


@pytest.mark.parametrize(
    "caller",
    [
        "arn:aws:sts::123456789012:assumed-role/developers/bob",
        "arn:aws:sts::999999999999:assumed-role/platform-admins/eve",  # same name, other account
        "arn:aws:iam::123456789012:user/carol",
        "arn:aws:iam::123456789012:root",
    ],
)
def test_anyone_else_is_told_at_preview(caller):
    assert deployer_access_gap(caller, ADMINS) == (
        f"the identity running pulumi up ({caller}) is not among cluster.adminRoleArns: "
        "every Kubernetes object of this stack will be refused (401/403); add its role"
    )


def test_an_offline_placeholder_is_no_identity():
    placeholder = "<known after apply: aws:index/getCallerIdentity:getCallerIdentity caller.arn>"
    assert deployer_access_gap(placeholder, ADMINS) is None
