"""A routed service in moto, and the ways the failover tests drive it as AWS would."""

import json
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws

from warmstart.functions.failover.decision import ARMED_TAG
from warmstart.functions.failover.handler import handle, re_evaluate

REGION = "eu-west-1"
HOLD = 300
T0 = 1_800_000_000.0


def event(alarm, state="ALARM"):
    return {
        "source": "aws.cloudwatch",
        "detail-type": "CloudWatch Alarm State Change",
        "detail": {"alarmName": alarm, "state": {"value": state}, "previousState": {"value": "OK"}},
    }


@contextmanager
def moto_world():
    """One routed service (Kubernetes, Fargate, Lambda) as AWS holds it, in moto: yields
    (the function's configuration, boto3 clients, target group ARNs by path)."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}"
            )["Subnet"]["SubnetId"]
            for i, z in ((1, "a"), (2, "b"))
        ]
        elb = boto3.client("elbv2", region_name=REGION)
        lb = elb.create_load_balancer(Name="warmstart-dev", Subnets=subnets)["LoadBalancers"][0][
            "LoadBalancerArn"
        ]
        groups = {
            name: elb.create_target_group(
                Name=f"hello-{name}", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip"
            )["TargetGroups"][0]["TargetGroupArn"]
            for name in ("k8s", "ecs")
        }
        groups["lambda"] = elb.create_target_group(Name="hello-lambda", TargetType="lambda")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        listener = elb.create_listener(
            LoadBalancerArn=lb,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}
            ],
        )["Listeners"][0]["ListenerArn"]
        normal = {groups["k8s"]: 100, groups["ecs"]: 0, groups["lambda"]: 0}
        failover = {groups["k8s"]: 0, groups["ecs"]: 80, groups["lambda"]: 20}
        rule = elb.create_rule(
            ListenerArn=listener,
            Priority=10,
            Conditions=[
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["hello.example.com"]}}
            ],
            Actions=[
                {
                    "Type": "forward",
                    "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": arn, "Weight": weight}
                            for arn, weight in normal.items()
                        ]
                    },
                }
            ],
        )["Rules"][0]["RuleArn"]
        # A stack that has served: the function recorded Kubernetes healthy behind the rule.
        elb.add_tags(ResourceArns=[rule], Tags=[{"Key": ARMED_TAG, "Value": f"{T0 - 3600:.0f}"}])
        ecs = boto3.client("ecs", region_name=REGION)
        ecs.create_cluster(clusterName="warmstart-dev")
        ecs.register_task_definition(
            family="hello",
            containerDefinitions=[{"name": "hello", "image": "hello:1", "memory": 128}],
        )
        ecs.create_service(
            cluster="warmstart-dev", serviceName="hello", taskDefinition="hello", desiredCount=0
        )
        scaling = boto3.client("application-autoscaling", region_name=REGION)
        scaling.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId="service/warmstart-dev/hello",
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=0,
            MaxCapacity=10,
        )
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        for alarm, comparison in (
            ("hello-down", "LessThanThreshold"),
            ("hello-recovered", "GreaterThanOrEqualToThreshold"),
        ):
            put_alarm(cloudwatch, alarm, comparison=comparison, periods=2)
        config = {
            "services": {
                "hello": {
                    "ruleArn": rule,
                    "kubernetesTargetGroupArn": groups["k8s"],
                    "fargateTargetGroupArn": groups["ecs"],
                    "lambdaTargetGroupArn": groups["lambda"],
                    "normalWeights": normal,
                    "failoverWeights": failover,
                    "downAlarm": "hello-down",
                    "recoveredAlarm": "hello-recovered",
                    "holdSeconds": HOLD,
                    "ecs": {
                        "cluster": "warmstart-dev",
                        "service": "hello",
                        "standbyCount": 0,
                        "failoverCount": 2,
                    },
                }
            }
        }
        clients = {
            "elbv2": elb,
            "cloudwatch": cloudwatch,
            "ecs": ecs,
            "application-autoscaling": scaling,
        }
        yield config, clients, groups


def weights(clients, config):
    rule = clients["elbv2"].describe_rules(RuleArns=[config["services"]["hello"]["ruleArn"]])[
        "Rules"
    ][0]
    return {
        g["TargetGroupArn"]: g["Weight"]
        for g in rule["Actions"][0]["ForwardConfig"]["TargetGroups"]
    }


def desired(clients):
    """(desired count, autoscaling floor) of the Fargate service."""
    services = clients["ecs"].describe_services(cluster="warmstart-dev", services=["hello"])
    targets = clients["application-autoscaling"].describe_scalable_targets(ServiceNamespace="ecs")
    return services["services"][0]["desiredCount"], targets["ScalableTargets"][0]["MinCapacity"]


def set_alarm(clients, alarm, state):
    clients["cloudwatch"].set_alarm_state(AlarmName=alarm, StateValue=state, StateReason="test")


def split(groups, k8s, ecs, fn):
    """Listener weights by path: Kubernetes, Fargate, Lambda."""
    return {groups["k8s"]: k8s, groups["ecs"]: ecs, groups["lambda"]: fn}


def register_fargate_task(clients, groups, address):
    clients["elbv2"].register_targets(
        TargetGroupArn=groups["ecs"], Targets=[{"Id": address, "Port": 8080}]
    )


def fail_over(config, clients):
    set_alarm(clients, "hello-down", "ALARM")
    return handle(event("hello-down"), config, clients, T0)


def ramping(aws):
    """Failed over at T0, Kubernetes healthy again, the recovered alarm just after the hold."""
    config, clients, groups = aws
    alarms = AlarmSequence(config, clients)
    alarms.change("hello-down", "ALARM", T0)
    register_healthy_target(clients, groups["k8s"])
    alarms.change("hello-down", "OK", T0 + 60)
    return alarms, alarms.change("hello-recovered", "ALARM", T0 + HOLD + 1)


PATH = "/warmstart/warmstart/dev/failover/"


def store(config, alarms=("hello-down", "hello-recovered")):
    """What the program writes: per alarm, a String parameter named after it."""
    ssm = boto3.client("ssm", region_name=REGION)
    for alarm in alarms:
        ssm.put_parameter(Name=f"{PATH}{alarm}", Value=json.dumps(config), Type="String")


class AlarmSequence:
    """Drives the function as AWS does: one event per alarm state change, never a repeat;
    the scheduled pass every minute in between."""

    def __init__(self, config, clients):
        self.config, self.clients = config, clients
        self.states = {"hello-down": "OK", "hello-recovered": "OK"}

    def change(self, alarm, state, at):
        if self.states[alarm] == state:
            return None  # CloudWatch sends nothing when the state does not change
        self.states[alarm] = state
        set_alarm(self.clients, alarm, state)
        return handle(event(alarm, state), self.config, self.clients, at)

    def minute(self, at):
        [result] = re_evaluate(self.config, self.clients, at)
        return result


def put_weights(clients, config, new):
    clients["elbv2"].modify_rule(
        RuleArn=config["services"]["hello"]["ruleArn"],
        Actions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": a, "Weight": w} for a, w in new.items()]
                },
            }
        ],
    )


def register_healthy_target(clients, group):
    clients["elbv2"].register_targets(
        TargetGroupArn=group, Targets=[{"Id": "10.0.1.10", "Port": 8080}]
    )


class FailsOnce:
    """A client whose `method` raises once, as a throttled or timed-out call would."""

    def __init__(self, client, method):
        self._client, self._method, self._failed = client, method, False

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name != self._method or self._failed:
            return attribute

        def fail(*_args, **_kwargs):
            self._failed = True
            raise RuntimeError(f"{name}: throttled")

        return fail


def put_alarm(
    cloudwatch: Any, name: str, *, comparison: str = "LessThanThreshold", periods: int = 1
) -> None:
    """An alarm on a target group's HealthyHostCount, by name: the function reads only its
    state, which the tests set."""
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/ApplicationELB",
        MetricName="HealthyHostCount",
        Statistic="Minimum",
        Period=60,
        EvaluationPeriods=periods,
        Threshold=1,
        ComparisonOperator=comparison,
    )
