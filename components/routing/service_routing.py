"""ServiceRouting: one ALB per stack, three weighted paths per service, automatic failover.

Per routed service, a listener rule forwards by weight to up to three target groups: the
Kubernetes pods (IP targets that a TargetGroupBinding keeps equal to the Service's ready
pods, with pod readiness gates on), the Fargate Spot tasks (IP), and the Lambda alias.
All health-check the readiness endpoint. Because an ALB keeps sending a target group its
share even when it has no healthy targets, two alarms on the Kubernetes group's healthy
host count drive the failover function, which moves the weights and moves them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from warmstart.components.config.routing import RoutingConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.components.fallback.lambda_fallback import LambdaFallback
from warmstart.components.routing.failover import Failover, FailoverArgs, build_failover
from warmstart.components.routing.load_balancer import client_ports, listeners, security_group
from warmstart.components.routing.plan import (
    aws_name,
    deregistration_delay,
    health_check,
    normal_weights,
    rule_priority,
)

TYPE_TOKEN = "warmstart:aws:ServiceRouting"
READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject"


@dataclass(frozen=True)
class RoutedService:
    config: ServiceConfig
    index: int
    lambda_fallback: LambdaFallback | None = None


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
    """The stack's ALB: one listener rule per routed service, weighted over its paths."""

    load_balancer: aws.lb.LoadBalancer
    security_group: aws.ec2.SecurityGroup
    listener: aws.lb.Listener
    target_groups: dict[str, dict[str, aws.lb.TargetGroup]]
    target_group_bindings: dict[str, k8s.apiextensions.CustomResource]
    rules: dict[str, aws.lb.ListenerRule]
    failover: Failover | None

    def __init__(
        self, name: str, args: ServiceRoutingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args
        self.security_group = security_group(
            self,
            vpc_id=args.vpc_id,
            vpc_cidr=args.vpc_cidr,
            client_ports=client_ports(args.routing, args.production),
            services=[routed.config for routed in args.services],
        )
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
        self.listener = listeners(
            self, self.load_balancer, args.routing.certificate_arn, args.production
        )
        self.target_groups, self.target_group_bindings, self.rules = {}, {}, {}
        for routed in args.services:
            self._route(routed)
        self.failover = build_failover(
            self,
            FailoverArgs(
                routing=args.routing,
                name=args.name,
                account_id=args.account_id,
                region=args.region,
                ecs_cluster_name=args.ecs_cluster_name,
                services=[routed.config for routed in args.services],
                load_balancer=self.load_balancer,
                listener=self.listener,
                target_groups=self.target_groups,
                rules=self.rules,
            ),
        )
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

    def _route(self, routed: RoutedService) -> None:
        """The service's target groups, its pods bound to one, and the weighted rule over them."""
        args, service = self._args, routed.config
        groups = {"kubernetes": _ip_group(self, args, service, "k8s")}
        if service.fallback.fargate.enabled:
            groups["fargate"] = _ip_group(self, args, service, "ecs")
        if routed.lambda_fallback is not None:
            groups["lambda"] = _lambda_group(self, args.name, service, routed.lambda_fallback)
        self.target_groups[service.name] = groups
        self.target_group_bindings[service.name] = _bind_pods(
            self, args, service, groups["kubernetes"], self.security_group
        )
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
            listener_arn=self.listener.arn,
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
            # Config owns the weights: a change reaches the ALB. An `up` during a failover
            # resets them, and the failover function's scheduled pass (every minute, while
            # the down alarm stands) shifts them again.
            opts=self._child(*groups.values()),
        )


def _ip_group(
    parent: pulumi.Resource, args: ServiceRoutingArgs, service: ServiceConfig, kind: str
) -> aws.lb.TargetGroup:
    """Pods (`k8s`) or Fargate tasks (`ecs`): IP targets health-checked like the readiness probe."""
    return aws.lb.TargetGroup(
        f"{service.name}-{kind}",
        # The port is in the name: a port change replaces the group, and the new one is
        # created before the old is deleted, which the same name would make impossible.
        name=aws_name(args.name, service.name, kind, str(service.port)),
        target_type="ip",
        port=service.port,
        protocol="HTTP",
        vpc_id=args.vpc_id,
        health_check={**health_check(service), "port": "traffic-port"},
        deregistration_delay=deregistration_delay(service),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _lambda_group(
    parent: pulumi.Resource, stack_name: str, service: ServiceConfig, fallback: LambdaFallback
) -> aws.lb.TargetGroup:
    child = pulumi.ResourceOptions(parent=parent)
    group = aws.lb.TargetGroup(
        f"{service.name}-fn",
        name=aws_name(stack_name, service.name, "fn"),
        target_type="lambda",
        lambda_multi_value_headers_enabled=True,
        opts=child,
    )
    permission = aws.lambda_.Permission(
        f"{service.name}-alb",
        action="lambda:InvokeFunction",
        function=fallback.function.name,
        qualifier=fallback.alias.name,
        principal="elasticloadbalancing.amazonaws.com",
        source_arn=group.arn,
        opts=child,
    )
    # ELB checks it may invoke the target while attaching it: permission first.
    aws.lb.TargetGroupAttachment(
        f"{service.name}-fn",
        target_group_arn=group.arn,
        target_id=fallback.alias.arn,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[permission]),
    )
    return group


def _bind_pods(
    parent: pulumi.Resource,
    args: ServiceRoutingArgs,
    service: ServiceConfig,
    group: aws.lb.TargetGroup,
    load_balancer_group: aws.ec2.SecurityGroup,
) -> k8s.apiextensions.CustomResource:
    """Let the ALB reach the pods, and have the controller keep the group equal to them."""
    aws.vpc.SecurityGroupIngressRule(
        f"{service.name}-pods",
        security_group_id=args.cluster_security_group_id,
        referenced_security_group_id=load_balancer_group.id,
        ip_protocol="tcp",
        from_port=service.port,
        to_port=service.port,
        description=f"warmstart: ALB to {service.name} pods",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return k8s.apiextensions.CustomResource(
        f"{service.name}-pods",
        api_version="elbv2.k8s.aws/v1beta1",
        kind="TargetGroupBinding",
        metadata={"name": service.name, "namespace": args.namespace},
        spec={
            "serviceRef": {"name": service.name, "port": service.service_port},
            "targetGroupARN": group.arn,
            "targetType": "ip",
        },
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(args.kubernetes_depends_on)),
    )
