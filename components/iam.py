"""IAM building blocks every concern's roles share. Pure, so each is tested and linted."""

from __future__ import annotations

from typing import Any

IAM_VERSION = "2012-10-17"
# On the target groups of pods: the EKS cluster whose Load Balancer Controller may register
# and deregister their targets (its policy allows no other group).
POD_TARGET_GROUP_TAG = "warmstart:kubernetes-cluster"


def service_trust_policy(service: str, *, tag_session: bool) -> dict[str, Any]:
    """Who may assume a role: one AWS service principal, nothing else."""
    actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else ["sts:AssumeRole"]
    return {
        "Version": IAM_VERSION,
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": actions}],
    }


def lambda_trust_policy() -> dict[str, Any]:
    return service_trust_policy("lambda.amazonaws.com", tag_session=False)


def log_writer_statement(log_group_arn: str) -> dict[str, Any]:
    """A function may write its own log group's streams, and nothing else."""
    return {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:log-stream:*",
    }


def log_writer_policy(log_group_arn: str) -> dict[str, Any]:
    return {"Version": IAM_VERSION, "Statement": [log_writer_statement(log_group_arn)]}
