"""ServiceRouting: one ALB per stack, three weighted paths per service, automatic failover.

Per routed service, a listener rule forwards by weight to up to three target groups: the
Kubernetes pods (IP targets that a TargetGroupBinding keeps equal to the Service's ready
pods, with pod readiness gates on), the Fargate Spot tasks (IP), and the Lambda alias.
All health-check the readiness endpoint. Because an ALB keeps sending a target group its
share even when it has no healthy targets, two alarms on the Kubernetes group's healthy
host count drive the failover function, which moves the weights and moves them back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.config import RoutingConfig, ServiceConfig
from components.fallback_policies import failover_policy, lambda_trust_policy
from components.lambda_fallback import LambdaFallback
from components.routing_plan import (
    Weights,
    aws_name,
    deregistration_delay,
    failover_weights,
    health_check,
    normal_weights,
    rule_priority,
)

TYPE_TOKEN = "warmstart:aws:ServiceRouting"
# Relative to the project directory, where `pulumi` runs the program (and stable in plans).
FAILOVER_CODE = "functions/failover/handler.py"
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject"


@dataclass(frozen=True)
class RoutedService:
    config: ServiceConfig
    index: int
    lambda_fallback: LambdaFallback | None = None


class _FailoverPlan(NamedTuple):
    """A service that can fail over: its weights there, and the alarms that move it."""

    routed: RoutedService
    weights: Weights
    down: aws.cloudwatch.MetricAlarm
    recovered: aws.cloudwatch.MetricAlarm


@dataclass(frozen=True)
class ServiceRoutingArgs:
    routing: RoutingConfig
    services: Sequence[RoutedService]
    name: str
    namespace: str
    account_id: str
    region: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    public_subnet_ids: Sequence[pulumi.Input[str]]
    cluster_security_group_id: pulumi.Input[str]
    ecs_cluster_name: str
    production: bool
    # What TargetGroupBindings wait for: the namespace and the controller that owns the CRD.
    kubernetes_depends_on: Sequence[pulumi.Resource] = ()


class ServiceRouting(pulumi.ComponentResource):
    load_balancer: aws.lb.LoadBalancer
    security_group: aws.ec2.SecurityGroup
    target_groups: dict[str, dict[str, aws.lb.TargetGroup]]
    rules: dict[str, aws.lb.ListenerRule]

    def __init__(
        self, name: str, args: ServiceRoutingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args
        self.security_group = self._load_balancer_security_group()
        self.load_balancer = aws.lb.LoadBalancer(
            "alb",
            name=aws_name(args.name),
            load_balancer_type="application",
            internal=False,
            subnets=list(args.public_subnet_ids),
            security_groups=[self.security_group.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.production,
            opts=self._child(),
        )
        listener = self._listeners()
        self.target_groups, self.rules = {}, {}
        for routed in args.services:
            self._route(routed, listener)
        self._failover()
        self.register_outputs(
            {
                "dnsName": self.load_balancer.dns_name,
                "targetGroupArns": {
                    service: {path: group.arn for path, group in groups.items()}
                    for service, groups in self.target_groups.items()
                },
            }
        )

    def _child(self, *after: pulumi.Resource, **options: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, depends_on=list(after), **options)

    def _load_balancer_security_group(self) -> aws.ec2.SecurityGroup:
        args = self._args
        ports = [443] if args.routing.certificate_arn else []
        if not args.production:
            ports.append(80)
        return aws.ec2.SecurityGroup(
            "alb",
            vpc_id=args.vpc_id,
            description="warmstart: the stack's ALB: the internet in, the VPC's services out",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": port,
                    "to_port": port,
                    "cidr_blocks": ["0.0.0.0/0"],
                    "description": f"clients on {port}",
                }
                for port in ports
            ],
            egress=[
                {
                    "protocol": "tcp",
                    "from_port": service.config.port,
                    "to_port": service.config.port,
                    "cidr_blocks": [args.vpc_cidr],
                    "description": f"{service.config.name} targets",
                }
                for service in args.services
            ],
            opts=self._child(),
        )

    def _listeners(self) -> aws.lb.Listener:
        """HTTPS with the configured certificate; plain HTTP only outside production."""
        args = self._args
        not_found = [
            {
                "type": "fixed-response",
                "fixed_response": {"content_type": "text/plain", "status_code": "404"},
            }
        ]
        if args.routing.certificate_arn is None:
            return aws.lb.Listener(
                "http",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=not_found,
                opts=self._child(),
            )
        https = aws.lb.Listener(
            "https",
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=args.routing.certificate_arn,
            default_actions=not_found,
            opts=self._child(),
        )
        if not args.production:
            aws.lb.Listener(
                "http",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[
                    {
                        "type": "redirect",
                        "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"},
                    }
                ],
                opts=self._child(),
            )
        return https

    def _route(self, routed: RoutedService, listener: aws.lb.Listener) -> None:
        args, service = self._args, routed.config
        groups: dict[str, aws.lb.TargetGroup] = {"kubernetes": self._ip_group(service, "k8s")}
        if service.fallback.fargate.enabled:
            groups["fargate"] = self._ip_group(service, "ecs")
        if routed.lambda_fallback is not None:
            groups["lambda"] = self._lambda_group(service, routed.lambda_fallback)
        self.target_groups[service.name] = groups
        self._bind_pods(service, groups["kubernetes"])
        weights = normal_weights(service, args.routing).by_path()
        routes = service.routes
        if routes is None:  # parse_config only lets routed services get here
            raise ValueError(f"service {service.name} has no routes")
        conditions = []
        if routes.hosts:
            conditions.append({"host_header": {"values": list(routes.hosts)}})
        if routes.paths:
            conditions.append({"path_pattern": {"values": list(routes.paths)}})
        self.rules[service.name] = aws.lb.ListenerRule(
            service.name,
            listener_arn=listener.arn,
            priority=rule_priority(routed.index),
            conditions=conditions,
            actions=[
                {
                    "type": "forward",
                    "forward": {
                        "target_groups": [
                            {"arn": group.arn, "weight": weights[path]}
                            for path, group in groups.items()
                        ]
                    },
                }
            ],
            # The failover function owns the weights once it has moved them.
            opts=self._child(*groups.values(), ignore_changes=["actions"]),
        )

    def _ip_group(self, service: ServiceConfig, kind: str) -> aws.lb.TargetGroup:
        args = self._args
        return aws.lb.TargetGroup(
            f"{service.name}-{kind}",
            name=aws_name(args.name, service.name, kind),
            target_type="ip",
            port=service.port,
            protocol="HTTP",
            vpc_id=args.vpc_id,
            health_check={**health_check(service), "port": "traffic-port"},
            deregistration_delay=deregistration_delay(service),
            opts=self._child(),
        )

    def _lambda_group(self, service: ServiceConfig, fallback: LambdaFallback) -> aws.lb.TargetGroup:
        group = aws.lb.TargetGroup(
            f"{service.name}-fn",
            name=aws_name(self._args.name, service.name, "fn"),
            target_type="lambda",
            lambda_multi_value_headers_enabled=True,
            opts=self._child(),
        )
        permission = aws.lambda_.Permission(
            f"{service.name}-alb",
            action="lambda:InvokeFunction",
            function=fallback.function.name,
            qualifier=fallback.alias.name,
            principal="elasticloadbalancing.amazonaws.com",
            source_arn=group.arn,
            opts=self._child(),
        )
        # ELB checks it may invoke the target while attaching it: permission first.
        aws.lb.TargetGroupAttachment(
            f"{service.name}-fn",
            target_group_arn=group.arn,
            target_id=fallback.alias.arn,
            opts=self._child(permission),
        )
        return group

    def _bind_pods(self, service: ServiceConfig, group: aws.lb.TargetGroup) -> None:
        args = self._args
        aws.vpc.SecurityGroupIngressRule(
            f"{service.name}-pods",
            security_group_id=args.cluster_security_group_id,
            referenced_security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=service.port,
            to_port=service.port,
            description=f"warmstart: ALB to {service.name} pods",
            opts=self._child(),
        )
        k8s.apiextensions.CustomResource(
            f"{service.name}-pods",
            api_version="elbv2.k8s.aws/v1beta1",
            kind="TargetGroupBinding",
            metadata={"name": service.name, "namespace": args.namespace},
            spec={
                "serviceRef": {"name": service.name, "port": service.service_port},
                "targetGroupARN": group.arn,
                "targetType": "ip",
            },
            opts=self._child(*args.kubernetes_depends_on),
        )

    def _failover(self) -> None:
        """Alarms and the function for every service that has somewhere to fail over to."""
        args = self._args
        plans: dict[str, _FailoverPlan] = {}
        for routed in args.services:
            service = routed.config
            failover = failover_weights(service)
            if failover is None:
                continue
            groups = self.target_groups[service.name]
            down, recovered = self._alarms(service, groups["kubernetes"])
            plans[service.name] = _FailoverPlan(routed, failover, down, recovered)
        if not plans:
            return
        logs = aws.cloudwatch.LogGroup(
            "failover",
            name=f"/aws/lambda/{aws_name(args.name, 'failover')}",
            retention_in_days=args.routing.log_retention_days,
            opts=self._child(),
        )
        alarms = [alarm for _, _, down, recovered in plans.values() for alarm in (down, recovered)]
        config = self._failover_config(plans)
        role = aws.iam.Role(
            "failover",
            description="warmstart: move listener weights off Kubernetes and back",
            assume_role_policy=json.dumps(lambda_trust_policy()),
            opts=self._child(),
        )
        ecs_arns = [
            f"arn:aws:ecs:{args.region}:{args.account_id}:service/{args.ecs_cluster_name}/{name}"
            for name, (routed, *_) in plans.items()
            if routed.config.fallback.fargate.enabled
        ]
        aws.iam.RolePolicy(
            "failover",
            role=role.id,
            policy=pulumi.Output.all(
                [self.rules[name].arn for name in plans], [alarm.arn for alarm in alarms], logs.arn
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
            opts=self._child(),
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
            environment={"variables": {"WARMSTART_FAILOVER": config}},
            logging_config={"log_format": "JSON", "log_group": logs.name},
            opts=self._child(),
        )
        trigger = aws.cloudwatch.EventRule(
            "failover",
            description="warmstart: Kubernetes target group health alarms",
            event_pattern=pulumi.Output.all(*[alarm.arn for alarm in alarms]).apply(
                lambda arns: json.dumps(
                    {
                        "source": ["aws.cloudwatch"],
                        "detail-type": ["CloudWatch Alarm State Change"],
                        "resources": sorted(arns),
                    }
                )
            ),
            opts=self._child(),
        )
        permission = aws.lambda_.Permission(
            "failover-events",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="events.amazonaws.com",
            source_arn=trigger.arn,
            opts=self._child(),
        )
        aws.cloudwatch.EventTarget(
            "failover", rule=trigger.name, arn=function.arn, opts=self._child(permission)
        )

    def _alarms(
        self, service: ServiceConfig, group: aws.lb.TargetGroup
    ) -> tuple[aws.cloudwatch.MetricAlarm, aws.cloudwatch.MetricAlarm]:
        routing = self._args.routing
        dimensions = {
            "TargetGroup": group.arn_suffix,
            "LoadBalancer": self.load_balancer.arn_suffix,
        }
        common = {
            "namespace": "AWS/ApplicationELB",
            "metric_name": "HealthyHostCount",
            "statistic": "Minimum",
            "period": 60,
            "threshold": 1,
            "dimensions": dimensions,
        }
        down = aws.cloudwatch.MetricAlarm(
            f"{service.name}-down",
            name=aws_name(self._args.name, service.name, "down"),
            alarm_description=f"{service.name}: no healthy Kubernetes targets",
            comparison_operator="LessThanThreshold",
            evaluation_periods=routing.down_after_seconds // 60,
            treat_missing_data="breaching",
            **common,
            opts=self._child(),
        )
        recovered = aws.cloudwatch.MetricAlarm(
            f"{service.name}-recovered",
            name=aws_name(self._args.name, service.name, "recovered"),
            alarm_description=(
                f"{service.name}: Kubernetes healthy for {routing.healthy_for_seconds}s"
            ),
            comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=routing.healthy_for_seconds // 60,
            treat_missing_data="notBreaching",
            **common,
            opts=self._child(),
        )
        return down, recovered

    def _failover_config(self, plans: dict[str, _FailoverPlan]) -> pulumi.Output[str]:
        args = self._args
        entries = {}
        for name, (routed, failover, down, recovered) in plans.items():
            service = routed.config
            groups = self.target_groups[name]
            normal = normal_weights(service, args.routing).by_path()
            shifted = failover.by_path()
            fargate = service.fallback.fargate
            entries[name] = pulumi.Output.all(
                self.rules[name].arn,
                {path: group.arn for path, group in groups.items()},
                down.name,
                recovered.name,
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
