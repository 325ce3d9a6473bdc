"""Alarm-driven failover: when a service's Kubernetes target group has no healthy host, move
its listener weights to the fallbacks, and move them back once it has been healthy for a while.

An ALB keeps sending a target group its share even when no target in it is healthy, so
nothing else would. Per service, two alarms on the group's HealthyHostCount (down, and
recovered with hysteresis) fire an EventBridge rule that invokes one function.

What the function needs per service (rule, target groups, weights) is rendered here from the
same plan the listener rules use, into one SSM parameter per alarm, named after it: an
environment variable holds 4 KB, which four services with fallbacks outgrow. The event
pattern and the function's policy match alarms, rules and parameters by prefix, so neither
grows with the number of services. These resources are children of `ServiceRouting`, so
their URNs are the ones they always had.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from warmstart.components.config.routing import RoutingConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.components.iam import lambda_trust_policy
from warmstart.components.naming import Children
from warmstart.components.routing.plan import Weights, aws_name, failover_weights, normal_weights
from warmstart.components.routing.policies import (
    failover_policy,
    failure_queue_policy,
    rule_arn_pattern,
)
from warmstart.functions.failover import handler as failover_handler
from warmstart.functions.failover.handler import RE_EVALUATE


def failover_code_path(source_file: Path, project_dir: Path) -> str:
    """One source file of the failover function as the Lambda's FileAsset names it.

    Relative to the project directory when warmstart runs from its own checkout, so a plan
    reads the same on every machine; the installed file's absolute path when warmstart is a
    dependency in site-packages. Symlinks are resolved: the checkout maps `functions/` into
    the `warmstart` package through one.
    """
    source = source_file.resolve()
    project = project_dir.resolve()
    return source.relative_to(project).as_posix() if source.is_relative_to(project) else str(source)


@dataclass(frozen=True)
class FailoverArgs:
    """What failover needs from the routing it watches."""

    routing: RoutingConfig
    name: str
    account_id: str
    region: str
    ecs_cluster_name: str
    services: Sequence[ServiceConfig]
    load_balancers: Mapping[str, aws.lb.LoadBalancer]  # service -> the ALB that serves it
    listeners: Sequence[aws.lb.Listener]  # every ALB's: their rules are the ones it rewrites
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
    parameters: dict[str, aws.ssm.Parameter]


def build_failover(names: Children, args: FailoverArgs) -> Failover | None:
    """Alarms and the function for every service that has somewhere to fail over to."""
    alarms: dict[str, ServiceAlarms] = {}
    for service in args.services:
        weights = failover_weights(service)
        if weights is not None:
            down, recovered = _alarms(names, args, service)
            alarms[service.name] = ServiceAlarms(service, weights, down, recovered)
    if not alarms:
        return None
    function_name = aws_name(args.name, "failover")
    log_group = aws.cloudwatch.LogGroup(
        names.name("failover"),
        name=f"/aws/lambda/{function_name}",
        retention_in_days=args.routing.log_retention_days,
        opts=names.options("failover"),
    )
    alarm_prefix = common_prefix(
        [alarm_name(args.name, name, kind) for name in alarms for kind in ALARM_KINDS]
    )
    path = parameter_path(pulumi.get_project(), pulumi.get_stack())
    parameters = _parameters(names, args, alarms, path)
    # An invocation that still fails after Lambda's retries lands here, event and error
    # included, instead of vanishing: alarm on its depth, replay by hand.
    failures = aws.sqs.Queue(
        names.name("failover-failures"),
        name=f"{function_name}-failures",
        message_retention_seconds=14 * 24 * 3600,
        sqs_managed_sse_enabled=True,
        opts=names.options("failover-failures"),
    )
    role = aws.iam.Role(
        names.name("failover"),
        description="warmstart: move listener weights off Kubernetes and back",
        assume_role_policy=json.dumps(lambda_trust_policy()),
        opts=names.options("failover"),
    )
    aws.iam.RolePolicy(
        names.name("failover"),
        role=role.id,
        policy=pulumi.Output.all(
            log_group.arn, *(listener.arn for listener in args.listeners)
        ).apply(
            lambda arns: json.dumps(
                failover_policy(
                    account_id=args.account_id,
                    region=args.region,
                    rule_arn_patterns=[rule_arn_pattern(arn) for arn in arns[1:]],
                    alarm_name_prefix=alarm_prefix,
                    parameter_path=path,
                    ecs_cluster_name=args.ecs_cluster_name if _any_fargate(alarms) else None,
                    log_group_arn=arns[0],
                )
            )
        ),
        opts=names.options("failover"),
    )
    function = aws.lambda_.Function(
        names.name("failover"),
        name=function_name,
        role=role.arn,
        runtime="python3.12",
        architectures=["arm64"],
        handler="failover.handler.lambda_handler",
        code=pulumi.AssetArchive(_failover_code()),
        timeout=30,
        # One change at a time: two alarms firing together must not race on a rule.
        reserved_concurrent_executions=1,
        environment={"variables": {"WARMSTART_FAILOVER_PARAMETERS": path}},
        logging_config={"log_format": "JSON", "log_group": log_group.name},
        opts=names.options("failover"),
    )
    may_report = aws.iam.RolePolicy(
        names.name("failover-failures"),
        role=role.id,
        policy=failures.arn.apply(lambda arn: json.dumps(failure_queue_policy(arn))),
        opts=names.options("failover-failures"),
    )
    aws.lambda_.FunctionEventInvokeConfig(
        names.name("failover"),
        function_name=function.name,
        maximum_retry_attempts=2,
        maximum_event_age_in_seconds=3600,
        destination_config={"on_failure": {"destination": failures.arn}},
        opts=names.options("failover", depends_on=[may_report]),
    )
    alarm_arns = f"arn:aws:cloudwatch:{args.region}:{args.account_id}:alarm:{alarm_prefix}"
    trigger = _trigger(names, function, alarm_arns, list(parameters.values()))
    _schedule(names, function, list(parameters.values()))
    return Failover(alarms, log_group, role, function, trigger, parameters)


def _schedule(
    names: Children, function: aws.lambda_.Function, parameters: list[aws.ssm.Parameter]
) -> aws.cloudwatch.EventRule:
    """Every minute, the function decides again from the alarms as they stand: an alarm sends
    one event per state change, and a change blocked then (the hold time) or undone since (an
    `up` resetting the weights) would otherwise stick."""
    schedule = aws.cloudwatch.EventRule(
        names.name("failover-schedule"),
        description="warmstart: re-evaluate failover every minute",
        schedule_expression="rate(1 minute)",
        opts=names.options("failover-schedule"),
    )
    _invoke_on(
        names,
        schedule,
        function,
        roles=("failover-schedule", "failover-schedule"),
        after=parameters,
        event_input=json.dumps(RE_EVALUATE),
    )
    return schedule


ALARM_KINDS = ("down", "recovered")


def alarm_name(routing_name: str, service: str, kind: str) -> str:
    return aws_name(routing_name, service, kind)


def common_prefix(names: Sequence[str]) -> str:
    """The longest prefix all `names` share: what the event pattern and policy match on."""
    first, last = min(names), max(names)
    length = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), None)
    return first[: len(first) if length is None else length]


def parameter_path(project: str, stack: str) -> str:
    """Where the function's configuration lives: one parameter per alarm under it."""
    return f"/warmstart/{project}/{stack}/failover/"


def _any_fargate(alarms: Mapping[str, ServiceAlarms]) -> bool:
    return any(entry.service.fallback.fargate.enabled for entry in alarms.values())


def _trigger(
    names: Children,
    function: aws.lambda_.Function,
    alarm_arn_prefix: str,
    parameters: list[aws.ssm.Parameter],
) -> aws.cloudwatch.EventRule:
    """Every state change of the alarms invokes the function (allowed before it is targeted).

    One prefix, whatever the number of services: a list of ARNs outgrows the 2,048-character
    event pattern at about a dozen. An alarm of another stack that shares the prefix finds
    no parameter of its name, and the function leaves it alone.
    """
    trigger = aws.cloudwatch.EventRule(
        names.name("failover"),
        description="warmstart: Kubernetes target group health alarms",
        event_pattern=json.dumps(
            {
                "source": ["aws.cloudwatch"],
                "detail-type": ["CloudWatch Alarm State Change"],
                "resources": [{"prefix": alarm_arn_prefix}],
            }
        ),
        opts=names.options("failover"),
    )
    _invoke_on(names, trigger, function, roles=("failover-events", "failover"), after=parameters)
    return trigger


def _invoke_on(
    names: Children,
    rule: aws.cloudwatch.EventRule,
    function: aws.lambda_.Function,
    *,
    roles: tuple[str, str],
    after: list[aws.ssm.Parameter],
    event_input: str | None = None,
) -> None:
    """Let `rule` invoke `function`, then target it (EventBridge checks the permission first).

    `roles` name the permission and the target, the names they always had.
    """
    permission = aws.lambda_.Permission(
        names.name(roles[0]),
        action="lambda:InvokeFunction",
        function=function.name,
        principal="events.amazonaws.com",
        source_arn=rule.arn,
        opts=names.options(roles[0]),
    )
    aws.cloudwatch.EventTarget(
        names.name(roles[1]),
        rule=rule.name,
        arn=function.arn,
        input=event_input,
        opts=names.options(roles[1], depends_on=[permission, *after]),
    )


def _alarms(
    names: Children, args: FailoverArgs, service: ServiceConfig
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
            "LoadBalancer": args.load_balancers[service.name].arn_suffix,
        },
    }
    down = aws.cloudwatch.MetricAlarm(
        names.name(f"{service.name}-down"),
        name=alarm_name(args.name, service.name, "down"),
        alarm_description=f"{service.name}: no healthy Kubernetes targets",
        comparison_operator="LessThanThreshold",
        evaluation_periods=routing.down_after_seconds // 60,
        # A group whose targets all went away reports nothing: that is down. A new stack's
        # group reports nothing either; the function ignores it until Kubernetes has served.
        treat_missing_data="breaching",
        **common,
        opts=names.options(f"{service.name}-down"),
    )
    recovered = aws.cloudwatch.MetricAlarm(
        names.name(f"{service.name}-recovered"),
        name=alarm_name(args.name, service.name, "recovered"),
        alarm_description=f"{service.name}: Kubernetes healthy for {routing.healthy_for_seconds}s",
        comparison_operator="GreaterThanOrEqualToThreshold",
        evaluation_periods=routing.healthy_for_seconds // 60,
        treat_missing_data="notBreaching",
        **common,
        opts=names.options(f"{service.name}-recovered"),
    )
    return down, recovered


def _parameters(
    names: Children, args: FailoverArgs, alarms: dict[str, ServiceAlarms], path: str
) -> dict[str, aws.ssm.Parameter]:
    """Per alarm, `{"services": {name: what the function needs}}` for the service it watches."""
    parameters = {}
    for name, entry in alarms.items():
        value = _service_entry(args, name, entry).apply(
            lambda service, name=name: json.dumps({"services": {name: service}}, sort_keys=True)
        )
        for kind in ALARM_KINDS:
            parameters[f"{name}-{kind}"] = aws.ssm.Parameter(
                names.name(f"failover-{name}-{kind}"),
                name=f"{path}{alarm_name(args.name, name, kind)}",
                description=f"warmstart: failover of {name}, read when its {kind} alarm fires",
                type="String",
                tier="Standard",  # 4 KB; an entry is about 1.3 KB with real ARNs
                # Not `value`, which the provider always treats as secret: reviewers
                # should see in a preview what failover will do.
                insecure_value=value,
                opts=names.options(f"failover-{name}-{kind}"),
            )
    return parameters


def _service_entry(args: FailoverArgs, name: str, entry: ServiceAlarms) -> pulumi.Output[dict]:
    """The function's view of a service: rule, weights per target group ARN, alarms, ECS."""
    service = entry.service
    groups = args.target_groups[name]
    normal = normal_weights(service, args.routing).by_path()
    shifted = entry.weights.by_path()
    fargate = service.fallback.fargate
    return pulumi.Output.all(
        args.rules[name].arn, {path: group.arn for path, group in groups.items()}
    ).apply(
        lambda values: {
            "ruleArn": values[0],
            "kubernetesTargetGroupArn": values[1]["kubernetes"],
            # the paths' roles, for health-aware weights: Lambda covers Fargate until healthy
            "fargateTargetGroupArn": values[1].get("fargate"),
            "lambdaTargetGroupArn": values[1].get("lambda"),
            "normalWeights": {arn: normal[path] for path, arn in values[1].items()},
            "failoverWeights": {arn: shifted[path] for path, arn in values[1].items()},
            "downAlarm": alarm_name(args.name, name, "down"),
            "recoveredAlarm": alarm_name(args.name, name, "recovered"),
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


FAILOVER_MODULES = ("__init__.py", "decision.py", "handler.py")


def _failover_code() -> dict[str, pulumi.Asset]:
    """The function's package as the Lambda archive holds it: `failover/` at the root, so
    the handler's relative import of its decisions works there as it does in warmstart."""
    package = Path(failover_handler.__file__).parent
    # `pulumi` runs the program in the project directory.
    return {
        f"failover/{module}": pulumi.FileAsset(failover_code_path(package / module, Path.cwd()))
        for module in FAILOVER_MODULES
    }
