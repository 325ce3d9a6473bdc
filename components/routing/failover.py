"""Alarm-driven failover: when a service's Kubernetes target group has no healthy host, move
its listener weights to the fallbacks, and move them back once it has been healthy for a while.

An ALB keeps sending a target group its share even when no target in it is healthy, so
nothing else would. Per service, two alarms on the group's HealthyHostCount (down, and
recovered with hysteresis) fire an EventBridge rule that invokes one function; the function's
configuration (rules, target groups, weights) is rendered here from the same plan the
listener rules use. These resources are children of `ServiceRouting`, so their URNs are the
ones they always had.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.routing import RoutingConfig
from components.config.service import ServiceConfig
from components.iam import lambda_trust_policy
from components.routing.plan import Weights, aws_name, failover_weights, normal_weights
from components.routing.policies import failover_policy

# Relative to the project directory, where `pulumi` runs the program (and stable in plans).
FAILOVER_CODE = "functions/failover/handler.py"


@dataclass(frozen=True)
class FailoverArgs:
    """What failover needs from the routing it watches."""

    routing: RoutingConfig
    name: str
    account_id: str
    region: str
    ecs_cluster_name: str
    services: Sequence[ServiceConfig]
    load_balancer: aws.lb.LoadBalancer
    target_groups: Mapping[str, Mapping[str, aws.lb.TargetGroup]]
    rules: Mapping[str, aws.lb.ListenerRule]


@dataclass(frozen=True)
class ServiceAlarms:
    """A service that can fail over: its weights there, and the alarms that move it."""

    service: ServiceConfig
    weights: Weights
    down: aws.cloudwatch.MetricAlarm
    recovered: aws.cloudwatch.MetricAlarm


@dataclass(frozen=True)
class Failover:
    """The failover resources, exposed so a program can extend them (extra targets, alarms)."""

    alarms: dict[str, ServiceAlarms]
    log_group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    function: aws.lambda_.Function
    trigger: aws.cloudwatch.EventRule


def build_failover(parent: pulumi.Resource, args: FailoverArgs) -> Failover | None:
    """Alarms and the function for every service that has somewhere to fail over to."""
    alarms: dict[str, ServiceAlarms] = {}
    for service in args.services:
        weights = failover_weights(service)
        if weights is not None:
            down, recovered = _alarms(parent, args, service)
            alarms[service.name] = ServiceAlarms(service, weights, down, recovered)
    if not alarms:
        return None
    child = pulumi.ResourceOptions(parent=parent)
    log_group = aws.cloudwatch.LogGroup(
        "failover",
        name=f"/aws/lambda/{aws_name(args.name, 'failover')}",
        retention_in_days=args.routing.log_retention_days,
        opts=child,
    )
    alarm_resources = [alarm for a in alarms.values() for alarm in (a.down, a.recovered)]
    role = aws.iam.Role(
        "failover",
        description="warmstart: move listener weights off Kubernetes and back",
        assume_role_policy=json.dumps(lambda_trust_policy()),
        opts=child,
    )
    _role_policy(
        parent, args, role=role, alarms=alarms, alarm_resources=alarm_resources, log_group=log_group
    )
    function = aws.lambda_.Function(
        "failover",
        name=aws_name(args.name, "failover"),
        role=role.arn,
        runtime="python3.12",
        architectures=["arm64"],
        handler="handler.lambda_handler",
        code=pulumi.AssetArchive({"handler.py": pulumi.FileAsset(FAILOVER_CODE)}),
        timeout=30,
        # One change at a time: two alarms firing together must not race on a rule.
        reserved_concurrent_executions=1,
        environment={"variables": {"WARMSTART_FAILOVER": _function_config(args, alarms)}},
        logging_config={"log_format": "JSON", "log_group": log_group.name},
        opts=child,
    )
    trigger = _trigger(parent, function, alarm_resources)
    return Failover(alarms, log_group, role, function, trigger)


def _role_policy(
    parent: pulumi.Resource,
    args: FailoverArgs,
    *,
    role: aws.iam.Role,
    alarms: dict[str, ServiceAlarms],
    alarm_resources: list[aws.cloudwatch.MetricAlarm],
    log_group: aws.cloudwatch.LogGroup,
) -> aws.iam.RolePolicy:
    ecs_arns = [
        f"arn:aws:ecs:{args.region}:{args.account_id}:service/{args.ecs_cluster_name}/{name}"
        for name, entry in alarms.items()
        if entry.service.fallback.fargate.enabled
    ]
    return aws.iam.RolePolicy(
        "failover",
        role=role.id,
        policy=pulumi.Output.all(
            [args.rules[name].arn for name in alarms],
            [alarm.arn for alarm in alarm_resources],
            log_group.arn,
        ).apply(
            lambda values: json.dumps(
                failover_policy(
                    account_id=args.account_id,
                    region=args.region,
                    rule_arns=values[0],
                    alarm_arns=values[1],
                    ecs_service_arns=ecs_arns,
                    log_group_arn=values[2],
                )
            )
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _trigger(
    parent: pulumi.Resource,
    function: aws.lambda_.Function,
    alarm_resources: list[aws.cloudwatch.MetricAlarm],
) -> aws.cloudwatch.EventRule:
    """Every state change of the alarms invokes the function (allowed before it is targeted)."""
    child = pulumi.ResourceOptions(parent=parent)
    trigger = aws.cloudwatch.EventRule(
        "failover",
        description="warmstart: Kubernetes target group health alarms",
        event_pattern=pulumi.Output.all(*[alarm.arn for alarm in alarm_resources]).apply(
            lambda arns: json.dumps(
                {
                    "source": ["aws.cloudwatch"],
                    "detail-type": ["CloudWatch Alarm State Change"],
                    "resources": sorted(arns),
                }
            )
        ),
        opts=child,
    )
    permission = aws.lambda_.Permission(
        "failover-events",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="events.amazonaws.com",
        source_arn=trigger.arn,
        opts=child,
    )
    aws.cloudwatch.EventTarget(
        "failover",
        rule=trigger.name,
        arn=function.arn,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[permission]),
    )
    return trigger


def _alarms(
    parent: pulumi.Resource, args: FailoverArgs, service: ServiceConfig
) -> tuple[aws.cloudwatch.MetricAlarm, aws.cloudwatch.MetricAlarm]:
    routing = args.routing
    group = args.target_groups[service.name]["kubernetes"]
    common = {
        "namespace": "AWS/ApplicationELB",
        "metric_name": "HealthyHostCount",
        "statistic": "Minimum",
        "period": 60,
        "threshold": 1,
        "dimensions": {
            "TargetGroup": group.arn_suffix,
            "LoadBalancer": args.load_balancer.arn_suffix,
        },
    }
    child = pulumi.ResourceOptions(parent=parent)
    down = aws.cloudwatch.MetricAlarm(
        f"{service.name}-down",
        name=aws_name(args.name, service.name, "down"),
        alarm_description=f"{service.name}: no healthy Kubernetes targets",
        comparison_operator="LessThanThreshold",
        evaluation_periods=routing.down_after_seconds // 60,
        treat_missing_data="breaching",
        **common,
        opts=child,
    )
    recovered = aws.cloudwatch.MetricAlarm(
        f"{service.name}-recovered",
        name=aws_name(args.name, service.name, "recovered"),
        alarm_description=f"{service.name}: Kubernetes healthy for {routing.healthy_for_seconds}s",
        comparison_operator="GreaterThanOrEqualToThreshold",
        evaluation_periods=routing.healthy_for_seconds // 60,
        treat_missing_data="notBreaching",
        **common,
        opts=child,
    )
    return down, recovered


def _function_config(args: FailoverArgs, alarms: dict[str, ServiceAlarms]) -> pulumi.Output[str]:
    """The function's view of each service: rule, weights per target group ARN, alarms, ECS."""
    entries = {}
    for name, entry in alarms.items():
        service = entry.service
        groups = args.target_groups[name]
        normal = normal_weights(service, args.routing).by_path()
        shifted = entry.weights.by_path()
        fargate = service.fallback.fargate
        entries[name] = pulumi.Output.all(
            args.rules[name].arn,
            {path: group.arn for path, group in groups.items()},
            entry.down.name,
            entry.recovered.name,
        ).apply(
            lambda values, normal=normal, shifted=shifted, fargate=fargate, name=name: {
                "ruleArn": values[0],
                "kubernetesTargetGroupArn": values[1]["kubernetes"],
                "normalWeights": {arn: normal[path] for path, arn in values[1].items()},
                "failoverWeights": {arn: shifted[path] for path, arn in values[1].items()},
                "downAlarm": values[2],
                "recoveredAlarm": values[3],
                "holdSeconds": args.routing.healthy_for_seconds,
                "ecs": {
                    "cluster": args.ecs_cluster_name,
                    "service": name,
                    "standbyCount": fargate.standby_tasks,
                    "failoverCount": fargate.failover_tasks,
                }
                if fargate.enabled
                else None,
            }
        )
    return pulumi.Output.all(**entries).apply(
        lambda services: json.dumps({"services": services}, sort_keys=True)
    )
