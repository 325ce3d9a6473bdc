"""One pricing rule per resource type, and the types that cost nothing (with the reason).

A rule reads the resource's rendered inputs (and what they refer to) and returns charges:
(what was priced, USD a month). Usage the plan cannot know comes from `warmstart:cost`
(`CostConfig`); the `Scenario` switches the choices the articles' claim is about (Spot,
Graviton, private image pulls, fallbacks) so the same rules price the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from warmstart.components.config.cost import CostConfig
from warmstart.cost.plan import HOURS_PER_MONTH, Plan, reference
from warmstart.cost.prices import Prices

SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
Charge = tuple[str, float]


@dataclass(frozen=True)
class Scenario:
    """The cost-relevant choices warmstart makes; the articles' baseline turns all off."""

    spot: bool = True
    graviton: bool = True
    private_pulls: bool = True
    fallbacks: bool = True


@dataclass(frozen=True)
class Context:
    plan: Plan
    prices: Prices
    usage: CostConfig
    scenario: Scenario

    @property
    def pull_gib(self) -> float:
        return self.usage.image_pulls_per_month * self.usage.image_mib / 1024


def eks_cluster(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    return [("control plane, 730 h", ctx.prices["eksClusterHour"] * HOURS_PER_MONTH)]


def node_group(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    inputs, prices = resource["inputs"], ctx.prices
    types = inputs["instanceTypes"]
    if not ctx.scenario.graviton:
        types = [prices.x86_equivalent(instance_type) for instance_type in types]
    hourly = fmean(prices.instance_hour(instance_type) for instance_type in types)
    count = inputs["scalingConfig"]["desiredSize"]
    if inputs.get("capacityType") == "SPOT" and ctx.scenario.spot:
        discount = fmean(prices.spot_discount(instance_type) for instance_type in types)
        market = f"Spot at -{discount:.0%}"
        hourly *= 1 - discount
    else:
        market = "on-demand"
    mean = " (mean of the types)" if len(types) > 1 else ""
    charges = [(f"{count} x {'/'.join(types)} {market}{mean}", count * hourly * HOURS_PER_MONTH)]
    template = ctx.plan.get(reference(inputs.get("launchTemplate", {}).get("id")))
    for mapping in (template or {}).get("inputs", {}).get("blockDeviceMappings", []):
        size = mapping["ebs"]["volumeSize"]
        cost = count * size * prices["ebsGp3GiBMonth"]
        charges.append((f"{count} x {size} GiB gp3 root volume", cost))
    return charges


def nat_gateway(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    prices, usage = ctx.prices, ctx.usage
    charges = [
        ("730 h", prices["natGatewayHour"] * HOURS_PER_MONTH),
        (
            f"{usage.nat_gib_per_month:g} GiB processed",
            usage.nat_gib_per_month * prices["natGatewayGiB"],
        ),
    ]
    if not ctx.scenario.private_pulls:
        gateways = len(ctx.plan.of_type(resource["type"]))
        pulled = ctx.pull_gib / gateways
        charges.append((f"{pulled:.1f} GiB of image pulls", pulled * prices["natGatewayGiB"]))
    return charges


def elastic_ip(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    return [("public IPv4 address, 730 h", ctx.prices["publicIpv4Hour"] * HOURS_PER_MONTH)]


def load_balancer(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    inputs, prices, lcus = resource["inputs"], ctx.prices, ctx.usage.alb_lcus
    charges = [
        ("730 h", prices["albHour"] * HOURS_PER_MONTH),
        (f"{lcus:g} LCU average", lcus * prices["albLcuHour"] * HOURS_PER_MONTH),
    ]
    if not inputs.get("internal", False):
        addresses = len(inputs.get("subnets", []))
        cost = addresses * prices["publicIpv4Hour"] * HOURS_PER_MONTH
        charges.append((f"{addresses} public IPv4 addresses (one per zone)", cost))
    return charges


def vpc_endpoint(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    inputs = resource["inputs"]
    if inputs.get("vpcEndpointType") != "Interface":
        return [("gateway endpoint: image layers from S3 without NAT", 0.0)]
    if not ctx.scenario.private_pulls and ".ecr." in inputs["serviceName"]:
        return []
    zones = len(inputs.get("subnetIds", []))
    return [
        (f"{zones} zones x 730 h", zones * ctx.prices["interfaceEndpointHour"] * HOURS_PER_MONTH)
    ]


def ecs_service(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    inputs, prices = resource["inputs"], ctx.prices
    task = ctx.plan.get(reference(inputs.get("taskDefinition"))) or {"inputs": {}}
    vcpu = int(task["inputs"].get("cpu", 256)) / 1024
    gib = int(task["inputs"].get("memory", 512)) / 1024
    platform = task["inputs"].get("runtimePlatform", {}).get("cpuArchitecture", "X86_64")
    arch = "arm64" if platform == "ARM64" and ctx.scenario.graviton else "x86_64"
    on_demand = vcpu * prices["fargateVcpuHour"][arch] + gib * prices["fargateGiBHour"][arch]
    strategy = inputs.get("capacityProviderStrategies", []) if ctx.scenario.spot else []

    def hourly(tasks: int) -> float:
        spot_tasks = spot_tasks_of(strategy, tasks)
        return (tasks - spot_tasks) * on_demand + spot_tasks * on_demand * (
            1 - prices.fargate_spot_discount
        )

    standby = inputs.get("desiredCount", 0)
    failover = ctx.plan.failovers.get(inputs["name"])
    during_failover = max(standby, failover.ecs_failover_count) if failover else standby
    hours = ctx.usage.failover_hours_per_month
    size = f"({vcpu:g} vCPU, {gib:g} GiB, {arch})"
    return [
        (
            f"{standby} standby tasks {size} x 730 h, {spot_tasks_of(strategy, standby):g} on Spot",
            hourly(standby) * HOURS_PER_MONTH,
        ),
        (
            f"{during_failover} tasks while failed over x {hours:g} h, "
            f"{spot_tasks_of(strategy, during_failover):g} on Spot",
            (hourly(during_failover) - hourly(standby)) * hours,
        ),
    ]


def spot_tasks_of(strategy: list[dict[str, Any]], tasks: int) -> float:
    """Tasks (on average) ECS places on FARGATE_SPOT: `base` on FARGATE first, the rest by weight.

    An empty strategy (or the all-on-demand scenario) places nothing on Spot.
    """
    base = sum(entry.get("base", 0) for entry in strategy if entry["capacityProvider"] == "FARGATE")
    weights = {entry["capacityProvider"]: entry.get("weight", 0) for entry in strategy}
    total = sum(weights.values())
    return max(0, tasks - base) * weights.get("FARGATE_SPOT", 0) / total if total else 0.0


def lambda_function(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    inputs, usage = resource["inputs"], ctx.usage
    gib = inputs.get("memorySize", 128) / 1024
    arch = (
        "arm64"
        if "arm64" in inputs.get("architectures", []) and ctx.scenario.graviton
        else "x86_64"
    )
    runs = ctx.plan.scheduled_runs((resource["type"], resource["name"]))
    charges = []
    if runs:
        charges += _invocations(
            ctx, arch, f"{runs:,.0f} scheduled runs", runs, usage.control_function_ms * gib / 1000
        )
    normal, failover = _traffic_shares(ctx, inputs["name"])
    if normal or failover:
        hours = usage.failover_hours_per_month
        requests = (
            usage.requests_per_second
            * 3600
            * ((HOURS_PER_MONTH - hours) * normal + hours * failover)
        )
        provisioned = _provisioned(ctx, inputs["name"])
        concurrency = (
            usage.requests_per_second * max(normal, failover) * usage.lambda_duration_ms / 1000
        )
        on_provisioned = min(1.0, provisioned / concurrency) if concurrency else 0.0
        gib_seconds = requests * usage.lambda_duration_ms / 1000 * gib
        rate = ctx.prices["lambdaGiBSecond"][arch] * (1 - on_provisioned)
        rate += ctx.prices["lambdaProvisionedDurationGiBSecond"][arch] * on_provisioned
        charges.append(
            (f"{requests:,.0f} requests", requests / 1e6 * ctx.prices["lambdaRequestMillion"])
        )
        charges.append((f"{gib_seconds:,.0f} GiB-s of requests ({arch})", gib_seconds * rate))
        init = usage.lambda_cold_starts_per_month * usage.lambda_init_ms / 1000 * gib
        charges.append((f"{init:,.0f} GiB-s of INIT", init * ctx.prices["lambdaGiBSecond"][arch]))
    return charges


def _invocations(
    ctx: Context, arch: str, what: str, count: float, gib_seconds_each: float
) -> list[Charge]:
    prices = ctx.prices
    return [
        (what, count / 1e6 * prices["lambdaRequestMillion"]),
        (
            f"{count * gib_seconds_each:,.0f} GiB-s ({arch})",
            count * gib_seconds_each * prices["lambdaGiBSecond"][arch],
        ),
    ]


def _traffic_shares(ctx: Context, function_name: str) -> tuple[float, float]:
    """The function's share of its service's requests: normally, and while failed over."""
    plan = ctx.plan
    aliases = {
        ("aws:lambda/alias:Alias", alias["name"])
        for alias in plan.of_type("aws:lambda/alias:Alias")
        if alias["inputs"].get("functionName") == function_name
    }
    for attachment in plan.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment"):
        if reference(attachment["inputs"].get("targetId")) in aliases:
            group = reference(attachment["inputs"]["targetGroupArn"])
            normal = plan.listener_shares.get(group, (None, 0.0))[1]
            failover = plan.failover_share(group)
            return normal, normal if failover is None else failover
    return 0.0, 0.0


def _provisioned(ctx: Context, function_name: str) -> int:
    return sum(
        config["inputs"]["provisionedConcurrentExecutions"]
        for config in ctx.plan.of_type(
            "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
        )
        if config["inputs"].get("functionName") == function_name
    )


def provisioned_concurrency(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    inputs = resource["inputs"]
    function = next(
        (
            f
            for f in ctx.plan.of_type("aws:lambda/function:Function")
            if f["inputs"].get("name") == inputs["functionName"]
        ),
        {"inputs": {}},
    )
    gib = function["inputs"].get("memorySize", 128) / 1024
    arch = (
        "arm64"
        if "arm64" in function["inputs"].get("architectures", []) and ctx.scenario.graviton
        else "x86_64"
    )
    count = inputs["provisionedConcurrentExecutions"]
    gib_seconds = count * gib * SECONDS_PER_MONTH
    rate = ctx.prices["lambdaProvisionedGiBSecond"][arch]
    return [(f"{count} environments x {gib:g} GiB x 730 h ({arch})", gib_seconds * rate)]


def ecr_repository(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    usage = ctx.usage
    gib = usage.images_stored_per_repository * usage.image_mib / 1024
    return [
        (
            f"{usage.images_stored_per_repository} images x {usage.image_mib:g} MiB",
            gib * ctx.prices["ecrStorageGiBMonth"],
        )
    ]


def pull_through_rule(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    gib = ctx.usage.cached_upstream_gib / len(ctx.plan.of_type(resource["type"]))
    return [(f"{gib:.2f} GiB of cached upstream images", gib * ctx.prices["ecrStorageGiBMonth"])]


def metric_alarm(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    return [("standard-resolution alarm", ctx.prices["cloudwatchAlarmMonth"])]


def log_group(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    groups = len(ctx.plan.of_type(resource["type"]))
    gib = ctx.usage.log_gib_per_month / groups
    return [
        (
            f"{gib:.2f} GiB ingested (logGiBPerMonth / {groups} groups)",
            gib * ctx.prices["cloudwatchLogsIngestGiB"],
        )
    ]


def kms_key(resource: dict[str, Any], ctx: Context) -> list[Charge]:
    return [("customer managed key", ctx.prices["kmsKeyMonth"])]


PRICED: dict[str, Callable[[dict[str, Any], Context], list[Charge]]] = {
    "aws:eks/cluster:Cluster": eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": node_group,
    "aws:ec2/natGateway:NatGateway": nat_gateway,
    "aws:ec2/eip:Eip": elastic_ip,
    "aws:lb/loadBalancer:LoadBalancer": load_balancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpc_endpoint,
    "aws:ecs/service:Service": ecs_service,
    "aws:lambda/function:Function": lambda_function,
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": provisioned_concurrency,
    "aws:ecr/repository:Repository": ecr_repository,
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": pull_through_rule,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:kms/key:Key": kms_key,
}

_NO_CHARGE = "AWS does not charge for it"
FREE: dict[str, str] = {
    "aws:ec2/vpc:Vpc": _NO_CHARGE,
    "aws:ec2/subnet:Subnet": _NO_CHARGE,
    "aws:ec2/routeTable:RouteTable": _NO_CHARGE,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _NO_CHARGE,
    "aws:ec2/internetGateway:InternetGateway": _NO_CHARGE,
    "aws:ec2/securityGroup:SecurityGroup": _NO_CHARGE,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _NO_CHARGE,
    "aws:ec2/launchTemplate:LaunchTemplate": "its volumes are priced with the node group",
    "aws:ecs/taskDefinition:TaskDefinition": "priced with the ECS service that runs it",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": _NO_CHARGE,
    "aws:ecs/cluster:Cluster": _NO_CHARGE,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": _NO_CHARGE,
    "aws:eks/accessEntry:AccessEntry": _NO_CHARGE,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": _NO_CHARGE,
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": _NO_CHARGE,
    "aws:eks/addon:Addon": "add-ons run on the priced nodes",
    "aws:iam/role:Role": _NO_CHARGE,
    "aws:iam/policy:Policy": _NO_CHARGE,
    "aws:iam/rolePolicy:RolePolicy": _NO_CHARGE,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _NO_CHARGE,
    "aws:kms/alias:Alias": _NO_CHARGE,
    "aws:lambda/alias:Alias": _NO_CHARGE,
    "aws:lambda/permission:Permission": _NO_CHARGE,
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": _NO_CHARGE,
    "aws:lb/listener:Listener": "in the load balancer's hours and LCUs",
    "aws:lb/listenerRule:ListenerRule": "in the load balancer's hours and LCUs",
    "aws:lb/targetGroup:TargetGroup": "in the load balancer's hours and LCUs",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": _NO_CHARGE,
    "aws:sqs/queue:Queue": "holds failed failover runs only: within SQS's free million requests",
    "aws:ssm/parameter:Parameter": "standard-tier parameters are free",
    "aws:cloudwatch/eventRule:EventRule": "AWS service events and schedules are free",
    "aws:cloudwatch/eventTarget:EventTarget": _NO_CHARGE,
    "aws:appautoscaling/target:Target": _NO_CHARGE,
    "aws:appautoscaling/policy:Policy": _NO_CHARGE,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _NO_CHARGE,
    "docker-build:index:Image": "built on the deployer; its storage is priced with its repository",
}
KUBERNETES_PREFIX = "kubernetes:"
KUBERNETES_REASON = "runs on the priced nodes"


def free_reason(type_: str) -> str | None:
    """Why a type costs nothing; None when it is neither priced nor known to be free."""
    if type_.startswith(KUBERNETES_PREFIX):
        return KUBERNETES_REASON
    return FREE.get(type_)
