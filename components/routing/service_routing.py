"""ServiceRouting: one ALB per stack, three weighted paths per service, automatic failover.

Per routed service, a listener rule forwards by weight to up to three target groups: the
Kubernetes pods (IP targets that a TargetGroupBinding keeps equal to the Service's ready
pods, with pod readiness gates on), the Fargate Spot tasks (IP), and the Lambda alias.
All health-check the readiness endpoint. Because an ALB keeps sending a target group its
share even when it has no healthy targets, two alarms on the Kubernetes group's healthy
host count drive the failover function, which moves the weights and moves them back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from warmstart.components.config.load_balancers import load_balancer_index
from warmstart.components.config.route_order import rule_priority
from warmstart.components.config.routing import RoutingConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.components.fallback.lambda_fallback import LambdaFallback
from warmstart.components.iam import POD_TARGET_GROUP_TAG
from warmstart.components.naming import Children
from warmstart.components.ports import port_rule_description, services_by_port
from warmstart.components.routing.contract import validated_routing
from warmstart.components.routing.failover import Failover, FailoverArgs, build_failover
from warmstart.components.routing.load_balancer import client_ports, listeners, security_group
from warmstart.components.routing.plan import (
    aws_name,
    deregistration_delay,
    health_check,
    normal_weights,
)

TYPE_TOKEN = "warmstart:aws:ServiceRouting"
READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject"


@dataclass(frozen=True)
class RoutedService:
    """One service the load balancer routes to."""

    config: ServiceConfig | Mapping[str, Any]
    """One `warmstart:services` entry with `routes`, as a stack file writes it (or parsed)."""
    lambda_fallback: LambdaFallback | None = None
    """Its Lambda fallback, when its `fallback.lambda` is enabled."""


@dataclass(frozen=True)
class ServiceRoutingArgs:
    routing: RoutingConfig | Mapping[str, Any]
    """`warmstart:routing` as a stack file writes it (or parsed): default weights, alarm
    timings, the certificate, the Fargate strategy."""
    services: Sequence[RoutedService]
    """The services with `routes`, each with its Lambda fallback where it has one."""
    name: str
    """The prefix of the AWS names (ALB, target groups, alarms): the cluster's name."""
    namespace: str
    """The Kubernetes namespace of the services (their TargetGroupBindings live there)."""
    account_id: str
    """The AWS account, for the ARNs the failover function's policy grants."""
    region: str
    """The AWS region."""
    vpc_id: pulumi.Input[str]
    """The VPC of the load balancer and its target groups."""
    vpc_cidr: str
    """The VPC's range: the only destination the load balancer's security group sends to."""
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """The subnets the internet-facing load balancer sits in."""
    cluster_security_group_id: pulumi.Input[str]
    """The EKS cluster security group, opened to the load balancer on each service's port."""
    ecs_cluster_name: str
    """The ECS cluster of the Fargate fallbacks, which the failover function scales."""
    production: bool
    """Production's rules too: the load balancer deletion-protected, HTTPS only (no port 80)."""
    kubernetes_depends_on: Sequence[pulumi.Resource] = ()
    """What TargetGroupBindings wait for: the namespace and the controller that owns the CRD."""
    cluster_name: str | None = None
    """The EKS cluster whose Load Balancer Controller registers the pods (its policy allows
    the target groups tagged with this name only); `name` when not set."""


class ServiceRouting(pulumi.ComponentResource):
    """The stack's ALBs (`routing.loadBalancers`, one security group for all): one listener
    rule per routed service on the ALB that serves it, weighted over its paths."""

    load_balancers: list[aws.lb.LoadBalancer]
    listeners: list[aws.lb.Listener]
    load_balancer: aws.lb.LoadBalancer  # the first: `load_balancers[0]`
    listener: aws.lb.Listener  # the first's: `listeners[0]`
    security_group: aws.ec2.SecurityGroup
    dns_names: dict[str, pulumi.Output[str]]  # service -> the DNS name of the ALB serving it
    target_groups: dict[str, dict[str, aws.lb.TargetGroup]]
    target_group_bindings: dict[str, k8s.apiextensions.CustomResource]
    rules: dict[str, aws.lb.ListenerRule]
    failover: Failover | None

    def __init__(
        self, name: str, args: ServiceRoutingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args = _validated(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args, self._names = args, Children(self, TYPE_TOKEN, name)
        self.security_group = security_group(
            self._names,
            vpc_id=args.vpc_id,
            vpc_cidr=args.vpc_cidr,
            client_ports=client_ports(args.routing, args.production),
            services=[routed.config for routed in args.services],
        )
        count = args.routing.load_balancers
        self.load_balancers = [self._load_balancer(k) for k in range(count)]
        self.listeners = [
            listeners(
                self._names,
                alb,
                args.routing.certificate_arn,
                args.production,
                suffix=_suffix(k),
            )
            for k, alb in enumerate(self.load_balancers)
        ]
        self.load_balancer, self.listener = self.load_balancers[0], self.listeners[0]
        self.target_groups, self.target_group_bindings, self.rules = {}, {}, {}
        serving: dict[str, int] = {}
        for routed in args.services:
            serving[routed.config.name] = load_balancer_index(routed.config, count)
            self._route(routed, self.listeners[serving[routed.config.name]])
        self.dns_names = {s: self.load_balancers[k].dns_name for s, k in serving.items()}
        self._admit_to_pods([routed.config for routed in args.services])
        self.failover = build_failover(
            self._names,
            FailoverArgs(
                routing=args.routing,
                name=args.name,
                account_id=args.account_id,
                region=args.region,
                ecs_cluster_name=args.ecs_cluster_name,
                services=[routed.config for routed in args.services],
                load_balancers={s: self.load_balancers[k] for s, k in serving.items()},
                listeners=self.listeners,
                target_groups=self.target_groups,
                rules=self.rules,
            ),
        )
        self.register_outputs(
            {
                "dnsName": self.load_balancer.dns_name,
                "dnsNames": self.dns_names,
                "targetGroupArns": {
                    service: {path: group.arn for path, group in groups.items()}
                    for service, groups in self.target_groups.items()
                },
            }
        )

    def _admit_to_pods(self, services: Sequence[ServiceConfig]) -> None:
        """Let the ALB reach the pods: one rule on the cluster security group per distinct
        port (components/ports.py). The program's instance keeps each rule under the name
        of the first service on its port (one rule per service before)."""
        args, names = self._args, self._names
        for port, on_port in services_by_port(services).items():
            aws.vpc.SecurityGroupIngressRule(
                names.name(f"pods-{port}"),
                security_group_id=args.cluster_security_group_id,
                referenced_security_group_id=self.security_group.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"warmstart: {port_rule_description('ALB to pods', port, on_port)}",
                opts=names.options(f"pods-{port}", old=f"{on_port[0]}-pods"),
            )

    def _load_balancer(self, k: int) -> aws.lb.LoadBalancer:
        """The k-th ALB; the first keeps the names a one-ALB stack always had."""
        args, role = self._args, f"alb{_suffix(k)}"
        return aws.lb.LoadBalancer(
            self._names.name(role),
            name=aws_name(args.name) if k == 0 else aws_name(args.name, str(k)),
            load_balancer_type="application",
            internal=False,
            subnets=list(args.public_subnet_ids),
            security_groups=[self.security_group.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.production,
            opts=self._names.options(role),
        )

    def _route(self, routed: RoutedService, listener: aws.lb.Listener) -> None:
        """The service's target groups, its pods bound to one, and the weighted rule over them."""
        args, service, names = self._args, routed.config, self._names
        groups = {"kubernetes": _ip_group(names, args, service, "k8s")}
        if service.fallback.fargate.enabled:
            groups["fargate"] = _ip_group(names, args, service, "ecs")
        if routed.lambda_fallback is not None:
            groups["lambda"] = _lambda_group(names, args.name, service, routed.lambda_fallback)
        self.target_groups[service.name] = groups
        self.target_group_bindings[service.name] = _bind_pods(
            names, args, service, groups["kubernetes"]
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
            names.name(service.name),
            listener_arn=listener.arn,
            priority=rule_priority(service),
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
            opts=names.options(service.name, depends_on=list(groups.values())),
        )


def _suffix(k: int) -> str:
    return "" if k == 0 else f"-{k}"


def _validated(name: str, args: ServiceRoutingArgs) -> ServiceRoutingArgs:
    """The args with routing and services parsed and checked by the stack file's rules, or
    ConfigError naming every problem, before anything registers."""
    routing, configs = validated_routing(
        name,
        args.routing,
        args.services,
        namespace=args.namespace,
        vpc_cidr=args.vpc_cidr,
        production=args.production,
        aws=(args.account_id, args.region),
    )
    services = [
        replace(routed, config=config)
        for routed, config in zip(args.services, configs, strict=True)
    ]
    return replace(args, routing=routing, services=services)


def _ip_group(
    names: Children, args: ServiceRoutingArgs, service: ServiceConfig, kind: str
) -> aws.lb.TargetGroup:
    """Pods (`k8s`) or Fargate tasks (`ecs`): IP targets health-checked like the readiness probe."""
    return aws.lb.TargetGroup(
        names.name(f"{service.name}-{kind}"),
        # The port is in the name: a port change replaces the group, and the new one is
        # created before the old is deleted, which the same name would make impossible.
        name=aws_name(args.name, service.name, kind, str(service.port)),
        target_type="ip",
        port=service.port,
        protocol="HTTP",
        vpc_id=args.vpc_id,
        health_check={**health_check(service), "port": "traffic-port"},
        deregistration_delay=deregistration_delay(service),
        tags={POD_TARGET_GROUP_TAG: args.cluster_name or args.name} if kind == "k8s" else None,
        opts=names.options(f"{service.name}-{kind}"),
    )


def _lambda_group(
    names: Children, stack_name: str, service: ServiceConfig, fallback: LambdaFallback
) -> aws.lb.TargetGroup:
    group = aws.lb.TargetGroup(
        names.name(f"{service.name}-fn"),
        name=aws_name(stack_name, service.name, "fn"),
        target_type="lambda",
        lambda_multi_value_headers_enabled=True,
        opts=names.options(f"{service.name}-fn"),
    )
    permission = aws.lambda_.Permission(
        names.name(f"{service.name}-alb"),
        action="lambda:InvokeFunction",
        function=fallback.function.name,
        qualifier=fallback.alias.name,
        principal="elasticloadbalancing.amazonaws.com",
        source_arn=group.arn,
        opts=names.options(f"{service.name}-alb"),
    )
    # ELB checks it may invoke the target while attaching it: permission first.
    aws.lb.TargetGroupAttachment(
        names.name(f"{service.name}-fn"),
        target_group_arn=group.arn,
        target_id=fallback.alias.arn,
        opts=names.options(f"{service.name}-fn", depends_on=[permission]),
    )
    return group


def _bind_pods(
    names: Children,
    args: ServiceRoutingArgs,
    service: ServiceConfig,
    group: aws.lb.TargetGroup,
) -> k8s.apiextensions.CustomResource:
    """Have the controller keep the target group equal to the service's ready pods."""
    return k8s.apiextensions.CustomResource(
        names.name(f"{service.name}-pods"),
        api_version="elbv2.k8s.aws/v1beta1",
        kind="TargetGroupBinding",
        metadata={"name": service.name, "namespace": args.namespace},
        spec={
            "serviceRef": {"name": service.name, "port": service.service_port},
            "targetGroupARN": group.arn,
            "targetType": "ip",
        },
        # The controller's webhook refuses a change of targetGroupARN (a port change makes a
        # new group): replace the binding, deleting the old one first (same name).
        opts=names.options(
            f"{service.name}-pods",
            depends_on=list(args.kubernetes_depends_on),
            replace_on_changes=["spec.targetGroupARN"],
            delete_before_replace=True,
        ),
    )
