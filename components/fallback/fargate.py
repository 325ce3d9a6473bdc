"""FargateSpotFallback: the services' own images as ECS tasks on Fargate and Fargate Spot.

One ECS cluster per stack with both capacity providers and a default strategy (`base`
tasks on regular Fargate, the rest split by weight, mostly Spot). Each service gets a task
definition built from the same image and environment as its pods, and an ECS service that
names no launch type (a capacity provider strategy and a launch type exclude each other),
registers into its target group and scales by target tracking. Its desired count may be
0: a cold standby that the failover function scales up when Kubernetes has no healthy pods.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from warmstart.components.config.fallback import FargateStrategyConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.components.dependencies import inherited_dependencies
from warmstart.components.fallback.contract import validated_fargate
from warmstart.components.fallback.fargate_spec import (
    capacity_strategy,
    container_definitions,
    cpu_architecture,
)
from warmstart.components.fallback.policies import ECS_TASK_EXECUTION_POLICY, ecs_tasks_trust_policy
from warmstart.components.naming import Children
from warmstart.components.ports import port_rule_description, services_by_port

TYPE_TOKEN = "warmstart:aws:FargateSpotFallback"


@dataclass(frozen=True)
class FargateSpotFallbackArgs:
    services: Sequence[ServiceConfig | Mapping[str, Any]]
    """`warmstart:services` entries as a stack file writes them (or parsed), each with the
    Fargate fallback enabled: one task definition and ECS service
    each, sized by its `fallback.fargate`."""
    images: Mapping[str, pulumi.Input[str]]
    """What each service's pods run (the same string, or the same build's pinned digest)."""
    cluster_name: str
    """The ECS cluster's name, also the prefix of the task families and log groups."""
    strategy: FargateStrategyConfig | Mapping[str, Any]
    """`warmstart:routing.fargateStrategy` as a stack file writes it (or parsed): tasks on
    FARGATE, the rest split with FARGATE_SPOT."""
    region: str
    """The AWS region the tasks log in."""
    ami_type: str
    """The nodes' AMI type: the tasks run on the same CPU architecture as the pods."""
    vpc_id: pulumi.Input[str]
    """The VPC of the tasks' security group."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The private subnets the tasks run in (no public IP)."""
    load_balancer_security_group_id: pulumi.Input[str]
    """The load balancer's security group: the only source the tasks take traffic from."""
    target_group_arns: Mapping[str, pulumi.Input[str]]
    """Service name -> the target group its tasks register into."""
    log_retention_days: int
    """Retention of each service's task log group."""
    execution_policy_arns: Sequence[pulumi.Input[str]] = ()
    """Extra policies for the execution role, e.g. importing into the pull-through cache."""


class FargateSpotFallback(pulumi.ComponentResource):
    """One ECS cluster on Fargate + Fargate Spot; per service a task, a service, autoscaling."""

    cluster: aws.ecs.Cluster
    tasks_security_group: aws.ec2.SecurityGroup
    execution_role: aws.iam.Role
    task_definitions: dict[str, aws.ecs.TaskDefinition]
    services: dict[str, aws.ecs.Service]

    def __init__(
        self, name: str, args: FargateSpotFallbackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        services, strategy = validated_fargate(
            name,
            args.services,
            strategy=args.strategy,
            images=args.images,
            target_group_arns=args.target_group_arns,
            log_retention_days=args.log_retention_days,
        )
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args = replace(args, services=services, strategy=strategy)
        self._names = names = Children(self, TYPE_TOKEN, name)
        # What the ECS services wait for: ECS only registers into a target group that a
        # listener rule already uses.
        self._waits_for = inherited_dependencies(opts)
        self.cluster = aws.ecs.Cluster(
            names.name(""),
            name=args.cluster_name,
            settings=[{"name": "containerInsights", "value": "enabled"}],
            opts=names.options("", old="fallback"),
        )
        self._capacity_providers = aws.ecs.ClusterCapacityProviders(
            names.name(""),
            cluster_name=self.cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=capacity_strategy(args.strategy),
            opts=names.options("", old="fallback"),
        )
        self.tasks_security_group = _tasks_security_group(names, args)
        self.execution_role = self._role(
            "execution", [ECS_TASK_EXECUTION_POLICY, *args.execution_policy_arns], old="fallback"
        )
        self.task_definitions = {s.name: self._task_definition(s) for s in args.services}
        self.services = {service.name: self._service(service) for service in args.services}
        self.register_outputs({"clusterName": self.cluster.name})

    def _role(
        self, role: str, policies: Sequence[pulumi.Input[str]], old: str | None = None
    ) -> aws.iam.Role:
        """A role for ECS tasks and its attachments (`<role>-<n>`); `old`: the prefix its
        names had before they took the component's."""
        names, was = self._names, f"{old}-{role}" if old else role
        created = aws.iam.Role(
            names.name(role),
            assume_role_policy=json.dumps(ecs_tasks_trust_policy()),
            opts=names.options(role, old=was),
        )
        for index, arn in enumerate(policies):
            aws.iam.RolePolicyAttachment(
                names.name(f"{role}-{index}"),
                role=created.name,
                policy_arn=arn,
                opts=names.options(f"{role}-{index}", old=f"{was}-{index}"),
            )
        return created

    def _task_definition(self, service: ServiceConfig) -> aws.ecs.TaskDefinition:
        """The pods' image and environment, sized for Fargate, logging to its own group."""
        args, fargate, names = self._args, service.fallback.fargate, self._names
        log_group = f"/warmstart/{args.cluster_name}/{service.name}"
        aws.cloudwatch.LogGroup(
            names.name(service.name),
            name=log_group,
            retention_in_days=args.log_retention_days,
            opts=names.options(service.name),
        )
        # The service itself calls no AWS API: its task role has no permissions at all.
        task_role = self._role(f"{service.name}-task", [])
        return aws.ecs.TaskDefinition(
            names.name(service.name),
            family=f"{args.cluster_name}-{service.name}",
            cpu=str(fargate.cpu),
            memory=str(fargate.memory_mib),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform={
                "cpu_architecture": cpu_architecture(args.ami_type),
                "operating_system_family": "LINUX",
            },
            execution_role_arn=self.execution_role.arn,
            task_role_arn=task_role.arn,
            container_definitions=pulumi.Output.from_input(args.images[service.name]).apply(
                lambda image: container_definitions(service, image, log_group, args.region)
            ),
            opts=names.options(service.name),
        )

    def _service(self, service: ServiceConfig) -> aws.ecs.Service:
        """The ECS service behind the service's target group, scaled from its standby count."""
        names = self._names
        args, fargate = self._args, service.fallback.fargate
        task = self.task_definitions[service.name]
        ecs_service = aws.ecs.Service(
            names.name(service.name),
            name=service.name,
            cluster=self.cluster.arn,
            task_definition=task.arn,
            desired_count=fargate.standby_tasks,
            capacity_provider_strategies=capacity_strategy(args.strategy),
            # A changed strategy takes effect only through a new deployment; without this the
            # provider plans a replacement, which the fixed name makes fail.
            force_new_deployment=True,
            network_configuration={
                "subnets": list(args.subnet_ids),
                "security_groups": [self.tasks_security_group.id],
                "assign_public_ip": False,
            },
            load_balancers=[
                {
                    "target_group_arn": args.target_group_arns[service.name],
                    "container_name": service.name,
                    "container_port": service.port,
                }
            ],
            health_check_grace_period_seconds=math.ceil(service.startup.budget_seconds),
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            # Autoscaling and the failover function own the count after creation.
            opts=names.options(
                service.name,
                depends_on=[self._capacity_providers, *self._waits_for],
                ignore_changes=["desiredCount"],
            ),
        )
        self._autoscaling(service, ecs_service)
        return ecs_service

    def _autoscaling(self, service: ServiceConfig, ecs_service: aws.ecs.Service) -> None:
        """CPU target tracking from the standby count; failover raises the floor at run time."""
        names = self._names
        fargate = service.fallback.fargate
        resource_id = pulumi.Output.concat("service/", self.cluster.name, "/", ecs_service.name)
        target = aws.appautoscaling.Target(
            names.name(service.name),
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=resource_id,
            min_capacity=fargate.standby_tasks,
            max_capacity=fargate.max_tasks,
            opts=names.options(service.name, ignore_changes=["minCapacity"]),
        )
        aws.appautoscaling.Policy(
            names.name(service.name),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration={
                "target_value": fargate.target_cpu_percent,
                "predefined_metric_specification": {
                    "predefined_metric_type": "ECSServiceAverageCPUUtilization"
                },
                "scale_in_cooldown": 120,
                "scale_out_cooldown": 30,
            },
            opts=names.options(service.name),
        )


def _tasks_security_group(names: Children, args: FargateSpotFallbackArgs) -> aws.ec2.SecurityGroup:
    """Tasks take traffic from the load balancer only; egress for pulls and their own calls."""
    return aws.ec2.SecurityGroup(
        names.name("tasks"),
        vpc_id=args.vpc_id,
        description="warmstart: Fargate fallback tasks, reachable from the ALB only",
        # One rule per distinct port: a duplicate is refused (InvalidPermission.Duplicate).
        ingress=[
            {
                "protocol": "tcp",
                "from_port": port,
                "to_port": port,
                "security_groups": [args.load_balancer_security_group_id],
                "description": port_rule_description("ALB to tasks", port, names),
            }
            for port, names in services_by_port(args.services).items()
        ],
        egress=[
            {
                "protocol": "-1",
                "from_port": 0,
                "to_port": 0,
                "cidr_blocks": ["0.0.0.0/0"],
                "description": "image pulls and the service's own calls",
            }
        ],
        opts=names.options("tasks", old="fallback-tasks"),
    )
