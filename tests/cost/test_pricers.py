"""Each priced component against a hand computation (round prices: see builders.py)."""

import json

import pytest

from tests.cost.builders import plan, ref, resource, round_prices
from warmstart.components.config.cost import CostConfig
from warmstart.cost.estimate import estimate
from warmstart.cost.pricers import Scenario, spot_tasks_of

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
FUNCTION = "aws:lambda/function:Function"


DEFAULT_USAGE = CostConfig()
WARMSTART = Scenario()


def charges(document, tmp_path, usage=DEFAULT_USAGE, scenario=WARMSTART, **price_overrides):
    result = estimate(document, usage, round_prices(tmp_path, **price_overrides), scenario)
    assert result.unpriced == ()
    return [(item.what, round(item.monthly, 6)) for item in result.items]


def test_eks_control_plane_is_hourly(tmp_path):
    document = plan(resource("aws:eks/cluster:Cluster", "cluster", name="c"))
    assert charges(document, tmp_path) == [("control plane, 730 h", 73.0)]


def nodes(capacity="ON_DEMAND", types=("m7g.large",), desired=2):
    return plan(
        resource(
            NODE_GROUP,
            "spot",
            instanceTypes=list(types),
            capacityType=capacity,
            scalingConfig={"desiredSize": desired},
            launchTemplate={"id": ref(TEMPLATE, "spot")},
        ),
        resource(TEMPLATE, "spot", blockDeviceMappings=[{"ebs": {"volumeSize": 20}}]),
    )


def test_on_demand_nodes_and_their_disks(tmp_path):
    # 2 x 0.1 $/h x 730 h = 146; 2 x 20 GiB x 0.1 $/GiB-month = 4
    assert charges(nodes(), tmp_path) == [
        ("2 x m7g.large on-demand", 146.0),
        ("2 x 20 GiB gp3 root volume", 4.0),
    ]


def test_spot_nodes_take_the_family_discount_on_the_mean_price(tmp_path):
    # mean(0.1, 0.2) = 0.15 $/h, -50% = 0.075; x 2 nodes x 730 h = 109.5
    document = nodes("SPOT", ("m7g.large", "m7g.xlarge"))
    assert charges(document, tmp_path)[0] == (
        "2 x m7g.large/m7g.xlarge Spot at -50% (mean of the types)",
        109.5,
    )


def test_a_stack_spot_discount_overrides_the_shipped_one(tmp_path):
    # 0.1 $/h x (1 - 0.2) x 2 x 730 = 116.8
    document = nodes("SPOT")
    assert charges(document, tmp_path, spot_overrides={"m7g": 0.2})[0][1] == 116.8


def test_baseline_prices_x86_on_demand_for_a_spot_group(tmp_path):
    # m7g.large -> m6i.large 0.2 $/h, no Spot: 2 x 0.2 x 730 = 292
    document = nodes("SPOT")
    baseline = Scenario(spot=False, graviton=False)
    assert charges(document, tmp_path, scenario=baseline)[0] == ("2 x m6i.large on-demand", 292.0)


def test_nat_gateway_hours_data_and_image_pulls_only_without_private_pulls(tmp_path):
    document = plan(resource("aws:ec2/natGateway:NatGateway", "nat-a"))
    usage = CostConfig(nat_gib_per_month=10, image_pulls_per_month=1024, image_mib=20)
    # 0.05 x 730 = 36.5; 10 GiB x 0.05 = 0.5
    assert charges(document, tmp_path, usage) == [("730 h", 36.5), ("10 GiB processed", 0.5)]
    # + 1024 pulls x 20 MiB = 20 GiB x 0.05 = 1.0
    over_nat = charges(document, tmp_path, usage, Scenario(private_pulls=False))
    assert over_nat[2] == ("20.0 GiB of image pulls", 1.0)


@pytest.mark.parametrize(
    ("gateways", "each"),
    [(2, ("10.0 GiB of image pulls", 0.5)), (4, ("5.0 GiB of image pulls", 0.25))],
)
def test_image_pulls_over_nat_are_split_between_the_gateways(tmp_path, gateways, each):
    """#21 item 22: one gateway hid a multiplication for the division (x 1 = / 1)."""
    document = plan(
        *(resource("aws:ec2/natGateway:NatGateway", f"nat-{i}") for i in range(gateways))
    )
    usage = CostConfig(nat_gib_per_month=10, image_pulls_per_month=1024, image_mib=20)
    # 20 GiB of pulls over `gateways` gateways, 0.05 a GiB: the month's pulls priced once in all
    over_nat = charges(document, tmp_path, usage, Scenario(private_pulls=False))
    pulls = [charge for charge in over_nat if "image pulls" in charge[0]]
    assert pulls == [each] * gateways
    assert sum(cost for _, cost in pulls) == pytest.approx(1.0)


def test_load_balancer_hours_lcus_and_a_public_address_per_zone(tmp_path):
    document = plan(
        resource(
            "aws:lb/loadBalancer:LoadBalancer", "routing-alb", internal=False, subnets=["a", "b"]
        )
    )
    # 0.02 x 730 = 14.6; 2 LCU x 0.01 x 730 = 14.6; 2 x 0.005 x 730 = 7.3
    assert charges(document, tmp_path, CostConfig(alb_lcus=2)) == [
        ("730 h", 14.6),
        ("2 LCU average", 14.6),
        ("2 public IPv4 addresses (one per zone)", 7.3),
    ]


def test_interface_endpoints_per_zone_gateway_free_and_ecr_ones_absent_over_nat(tmp_path):
    endpoint = "aws:ec2/vpcEndpoint:VpcEndpoint"
    document = plan(
        resource(
            endpoint,
            "ecr",
            vpcEndpointType="Interface",
            serviceName="com.amazonaws.x.ecr.dkr",
            subnetIds=["a", "b"],
        ),
        resource(endpoint, "s3", vpcEndpointType="Gateway", serviceName="com.amazonaws.x.s3"),
    )
    # 2 zones x 0.01 x 730 = 14.6
    assert charges(document, tmp_path) == [
        ("2 zones x 730 h", 14.6),
        ("gateway endpoint: image layers from S3 without NAT", 0.0),
    ]
    assert charges(document, tmp_path, scenario=Scenario(private_pulls=False)) == [
        ("gateway endpoint: image layers from S3 without NAT", 0.0)
    ]


@pytest.mark.parametrize(
    ("tasks", "spot"),
    [(0, 0.0), (1, 0.0), (2, 0.8), (6, 4.0), (11, 8.0)],
)
def test_spot_tasks_follow_base_then_weights(tasks, spot):
    strategy = [
        {"base": 1, "capacityProvider": "FARGATE", "weight": 1},
        {"base": 0, "capacityProvider": "FARGATE_SPOT", "weight": 4},
    ]
    assert spot_tasks_of(strategy, tasks) == pytest.approx(spot)


def fargate_plan(standby=3, failover_count=5):
    strategy = [
        {"base": 1, "capacityProvider": "FARGATE", "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
    ]
    parameter = {
        "services": {
            "api": {
                "failoverWeights": {},
                "ecs": {"service": "api", "failoverCount": failover_count},
            }
        }
    }
    return plan(
        resource(
            "aws:ecs/service:Service",
            "api",
            name="api",
            desiredCount=standby,
            capacityProviderStrategies=strategy,
            taskDefinition=ref("aws:ecs/taskDefinition:TaskDefinition", "api", "arn"),
        ),
        resource(
            "aws:ecs/taskDefinition:TaskDefinition",
            "api",
            cpu="1024",
            memory="2048",
            runtimePlatform={"cpuArchitecture": "ARM64"},
        ),
        resource("aws:ssm/parameter:Parameter", "failover", insecureValue=json.dumps(parameter)),
    )


def test_fargate_standby_all_month_and_the_failover_increment_for_its_hours(tmp_path):
    # task: 1 vCPU x 0.04 + 2 GiB x 0.005 = 0.05 $/h on demand, 0.015 on Spot (-70%)
    # 3 standby: base 1 on FARGATE, 2 split 1:1 -> 2 on demand + 1 Spot = 0.115 $/h x 730 = 83.95
    # 5 while failed over: 1 + 4 split -> 3 on demand + 2 Spot = 0.18 $/h; +0.065 x 10 h = 0.65
    usage = CostConfig(failover_hours_per_month=10)
    assert charges(fargate_plan(), tmp_path, usage) == [
        ("3 standby tasks (1 vCPU, 2 GiB, arm64) x 730 h, 1 on Spot", 83.95),
        ("5 tasks while failed over x 10 h, 2 on Spot", 0.65),
    ]


def test_fargate_in_the_baseline_is_x86_on_demand(tmp_path):
    # x86: 1 x 0.05 + 2 x 0.01 = 0.07 $/h; 3 tasks x 730 h = 153.3
    baseline = Scenario(spot=False, graviton=False)
    assert charges(fargate_plan(), tmp_path, CostConfig(failover_hours_per_month=0), baseline)[
        0
    ] == (
        "3 standby tasks (1 vCPU, 2 GiB, x86_64) x 730 h, 0 on Spot",
        153.3,
    )


def lambda_plan(provisioned=0):
    group = "aws:lb/targetGroup:TargetGroup"
    failover = {
        "services": {
            "api": {
                "failoverWeights": {ref(group, "api-k8s", "arn"): 0, ref(group, "api-fn", "arn"): 1}
            }
        }
    }
    resources = [
        resource(FUNCTION, "api-lambda", name="fn-api", memorySize=2048, architectures=["arm64"]),
        resource("aws:lambda/alias:Alias", "api-lambda", functionName="fn-api", name="live"),
        resource(
            "aws:lb/targetGroupAttachment:TargetGroupAttachment",
            "api-fn",
            targetGroupArn=ref(group, "api-fn", "arn"),
            targetId=ref("aws:lambda/alias:Alias", "api-lambda", "arn"),
        ),
        resource(
            "aws:lb/listenerRule:ListenerRule",
            "api",
            actions=[
                {
                    "forward": {
                        "targetGroups": [
                            {"arn": ref(group, "api-k8s", "arn"), "weight": 3},
                            {"arn": ref(group, "api-fn", "arn"), "weight": 1},
                        ]
                    }
                }
            ],
        ),
        resource("aws:ssm/parameter:Parameter", "failover", insecureValue=json.dumps(failover)),
    ]
    if provisioned:
        resources.append(
            resource(
                "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
                "api-lambda",
                functionName="fn-api",
                provisionedConcurrentExecutions=provisioned,
            )
        )
    return plan(*resources)


LAMBDA_USAGE = CostConfig(
    requests_per_second=10,
    failover_hours_per_month=10,
    lambda_duration_ms=100,
    lambda_init_ms=500,
    lambda_cold_starts_per_month=1000,
)


def test_lambda_fallback_requests_duration_and_init(tmp_path):
    # requests: 10/s x 3600 x (720 h x 1/4 + 10 h x 1) = 6,840,000 -> 6.84 x 0.2 = 1.368
    # duration: 6.84 M x 0.1 s x 2 GiB = 1,368,000 GiB-s x 0.00001 = 13.68
    # INIT: 1000 x 0.5 s x 2 GiB = 1000 GiB-s x 0.00001 = 0.01
    assert charges(lambda_plan(), tmp_path, LAMBDA_USAGE) == [
        ("6,840,000 requests", 1.368),
        ("1,368,000 GiB-s of requests (arm64)", 13.68),
        ("1,000 GiB-s of INIT", 0.01),
    ]


def test_provisioned_concurrency_and_requests_served_on_it(tmp_path):
    # peak concurrency: 10/s x 1.0 share x 0.1 s = 1; 2 provisioned cover it -> all duration at
    # the provisioned rate: 1,368,000 x 0.000005 = 6.84; provisioned: 2 x 2 GiB x 2,628,000 s
    # x 0.000002 = 21.024
    result = charges(lambda_plan(provisioned=2), tmp_path, LAMBDA_USAGE)
    assert ("1,368,000 GiB-s of requests (arm64)", 6.84) in result
    assert ("2 environments x 2 GiB x 730 h (arm64)", 21.024) in result


PEAK_OF_4 = CostConfig(
    requests_per_second=40,
    failover_hours_per_month=10,
    lambda_duration_ms=100,
    lambda_init_ms=500,
    lambda_cold_starts_per_month=1000,
)


@pytest.mark.parametrize(
    ("provisioned", "duration", "environments"),
    [
        # below: 1 of a peak of 4 -> a quarter at 0.000005, the rest at 0.00001:
        # 5,472,000 GiB-s x (0.75 x 0.00001 + 0.25 x 0.000005) = 47.88
        (1, 47.88, ("1 environments x 2 GiB x 730 h (arm64)", 10.512)),
        # equal: all at the provisioned rate, 5,472,000 x 0.000005 = 27.36
        (4, 27.36, ("4 environments x 2 GiB x 730 h (arm64)", 42.048)),
        # above: no more than all of it; the spare environments still cost
        (6, 27.36, ("6 environments x 2 GiB x 730 h (arm64)", 63.072)),
    ],
)
def test_partly_provisioned_lambda_below_at_and_above_the_load(
    tmp_path, provisioned, duration, environments
):
    """#21 item 22: requests 40/s x 3600 x (720 h x 1/4 + 10 h) = 27,360,000; x 0.1 s x
    2 GiB = 5,472,000 GiB-s; peak concurrency 40/s x 1.0 (failover share) x 0.1 s = 4.
    Environments: n x 2 GiB x 2,628,000 s x 0.000002."""
    result = charges(lambda_plan(provisioned=provisioned), tmp_path, PEAK_OF_4)
    assert ("27,360,000 requests", 5.472) in result
    assert ("5,472,000 GiB-s of requests (arm64)", duration) in result
    assert environments in result


def test_scheduled_function_runs_from_its_rate(tmp_path):
    document = plan(
        resource(FUNCTION, "failover", name="ctl", architectures=["arm64"]),
        resource("aws:cloudwatch/eventRule:EventRule", "tick", scheduleExpression="rate(1 minute)"),
        resource(
            "aws:cloudwatch/eventTarget:EventTarget", "tick", arn=ref(FUNCTION, "failover", "arn")
        ),
    )
    # 43,800 runs: 0.0438 M x 0.2 = 0.00876; 43,800 x 0.5 s x 0.125 GiB = 2,737.5 GiB-s x 0.00001
    usage = CostConfig(control_function_ms=500)
    assert charges(document, tmp_path, usage) == [
        ("43,800 scheduled runs", 0.00876),
        ("2,738 GiB-s (arm64)", 0.027375),
    ]


def test_storage_alarms_logs_and_keys(tmp_path):
    document = plan(
        resource("aws:ecr/repository:Repository", "api"),
        resource("aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "registry-mirror-k8s"),
        resource("aws:cloudwatch/metricAlarm:MetricAlarm", "down"),
        resource("aws:cloudwatch/logGroup:LogGroup", "a"),
        resource("aws:cloudwatch/logGroup:LogGroup", "b"),
        resource("aws:kms/key:Key", "cluster-secrets"),
    )
    usage = CostConfig(
        images_stored_per_repository=512, image_mib=20, cached_upstream_gib=3, log_gib_per_month=8
    )
    # ECR: 512 x 20 MiB = 10 GiB x 0.1 = 1.0; cache 3 GiB x 0.1 = 0.3; alarm 0.1;
    # logs 8 GiB over 2 groups = 4 GiB x 0.5 = 2.0 each; key 1.0
    assert sorted(charges(document, tmp_path, usage)) == sorted(
        [
            ("512 images x 20 MiB", 1.0),
            ("3.00 GiB of cached upstream images", 0.3),
            ("standard-resolution alarm", 0.1),
            ("4.00 GiB ingested (logGiBPerMonth / 2 groups)", 2.0),
            ("4.00 GiB ingested (logGiBPerMonth / 2 groups)", 2.0),
            ("customer managed key", 1.0),
        ]
    )
