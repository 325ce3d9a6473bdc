"""The failover function's IAM policy: read routing state, change only its own rules and services.

Pure, so tests read it statement by statement and the IAM linter checks it.
"""

from __future__ import annotations

from typing import Any

from components.iam import IAM_VERSION, log_writer_statement


def failover_policy(
    *,
    account_id: str,
    region: str,
    rule_arns: list[str],
    alarm_arns: list[str],
    ecs_service_arns: list[str],
    log_group_arn: str,
) -> dict[str, Any]:
    """Read the routing state; rewrite only these rules; scale only these ECS services."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadRouting",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ShiftWeights",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:ModifyRule"],
            "Resource": sorted(rule_arns),
        },
        {
            "Sid": "ReadAlarms",
            "Effect": "Allow",
            "Action": ["cloudwatch:DescribeAlarms"],
            "Resource": sorted(alarm_arns),
        },
        log_writer_statement(log_group_arn),
    ]
    if ecs_service_arns:
        statements.append(
            {
                "Sid": "ScaleFallbackServices",
                "Effect": "Allow",
                "Action": ["ecs:UpdateService"],
                "Resource": sorted(ecs_service_arns),
            }
        )
        statements.append(
            {
                # Scalable target ARNs carry a random id; the namespace condition keeps the
                # grant to ECS services' targets in this account and region.
                "Sid": "RaiseFallbackFloor",
                "Effect": "Allow",
                "Action": ["application-autoscaling:RegisterScalableTarget"],
                "Resource": (
                    f"arn:aws:application-autoscaling:{region}:{account_id}:scalable-target/*"
                ),
                "Condition": {"StringEquals": {"application-autoscaling:service-namespace": "ecs"}},
            }
        )
    return {"Version": IAM_VERSION, "Statement": statements}
