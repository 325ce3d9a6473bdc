"""The failover function's IAM policy: read routing state, change only its own rules and services.

Pure, so tests read it statement by statement and the IAM linter checks it.
"""

from __future__ import annotations

from typing import Any

from warmstart.components.iam import IAM_VERSION, log_writer_statement


def failure_queue_policy(queue_arn: str) -> dict[str, Any]:
    """Lambda's on-failure destination: Lambda sends with the function's role, and checks at
    FunctionEventInvokeConfig's creation that the role may. A policy of its own, known as soon
    as the queue exists, so that check never waits on the load balancer (the main policy
    names its listener) or on IAM's propagation of a policy written minutes later."""
    return {
        "Version": IAM_VERSION,
        "Statement": [
            {
                "Sid": "ReportFailures",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": queue_arn,
            }
        ],
    }


def failover_policy(
    *,
    account_id: str,
    region: str,
    rule_arn_patterns: list[str],
    alarm_name_prefix: str,
    parameter_path: str,
    ecs_cluster_name: str | None,
    log_group_arn: str,
) -> dict[str, Any]:
    """Read the routing state and its own configuration; rewrite only its listener's rules;
    scale only its fallback cluster's services.

    Patterns, not lists: with one ARN per service the document outgrows IAM's 10,240
    characters for an inline policy at about 60 services.
    """
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
            # One pattern per listener (a string when there is one load balancer).
            "Resource": rule_arn_patterns[0] if len(rule_arn_patterns) == 1 else rule_arn_patterns,
        },
        {
            "Sid": "ReadAlarms",
            "Effect": "Allow",
            "Action": ["cloudwatch:DescribeAlarms"],
            "Resource": f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{alarm_name_prefix}*",
        },
        {
            "Sid": "ReadOwnConfiguration",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParametersByPath"],
            "Resource": [
                f"arn:aws:ssm:{region}:{account_id}:parameter{parameter_path.rstrip('/')}",
                f"arn:aws:ssm:{region}:{account_id}:parameter{parameter_path}*",
            ],
        },
        log_writer_statement(log_group_arn),
    ]
    if ecs_cluster_name is not None:
        statements.append(
            {
                "Sid": "ScaleFallbackServices",
                "Effect": "Allow",
                # RegisterScalableTarget on an ECS service also needs DescribeServices (AWS's
                # Application Auto Scaling examples grant both; without it, raising the floor
                # may be refused).
                "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
                "Resource": f"arn:aws:ecs:{region}:{account_id}:service/{ecs_cluster_name}/*",
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
        statements.append(
            {
                # A read without resource-level permissions: it takes "*" only.
                "Sid": "ReadFallbackFloor",
                "Effect": "Allow",
                "Action": ["application-autoscaling:DescribeScalableTargets"],
                "Resource": "*",
            }
        )
    return {"Version": IAM_VERSION, "Statement": statements}


def rule_arn_pattern(listener_arn: str) -> str:
    """Every rule of one listener: `listener/app/<lb>/<id>/<listener id>` ->
    `listener-rule/app/<lb>/<id>/<listener id>/*`."""
    return listener_arn.replace(":listener/", ":listener-rule/", 1) + "/*"
