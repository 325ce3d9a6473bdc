"""Contract: the failover configuration the program renders, driven as AWS drives it.

The other failover tests hand the handler a configuration written in the test. Here a stack
with three routed services (both fallbacks; Lambda only; Fargate only) is rendered by the
program, its target groups, listener rules, alarms, ECS services, SSM parameters and
EventBridge rule are created in moto from the rendered inputs (placeholders replaced by the
ARNs moto gives), and the function is invoked only with what EventBridge delivers: alarm
state changes matched against the rendered pattern, one event per change, and the
schedule's rendered input. Weights are asserted per target group, by its resource name.
"""

import functools
import json
import types
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.conftest import run, service
from tests.functions.failover_world import put_alarm
from tests.routed import HELLO, routed_stack
from warmstart.cost.plan import reference
from warmstart.functions.failover import handler
from warmstart.harness import placeholder

REGION = "eu-west-1"
ACCOUNT = "123456789012"
T0 = 1_800_000_000.0
QUOTE = service(
    name="quote",
    routes={"hosts": ["quote.example.com"], "priority": 20},
    fallback={"lambda": {"enabled": True, "memoryMb": 256, "reservedConcurrency": 5}},
)
ORDERS = service(
    name="orders",
    port=9090,
    routes={"paths": ["/orders/*"], "priority": 10},
    fallback={
        "fargate": {
            "enabled": True,
            "cpu": 256,
            "memoryMib": 512,
            "standbyTasks": 1,
            "failoverTasks": 3,
        }
    },
)


def arn_of(type_: str, name: str) -> str:
    """How the rendered inputs refer to a resource's ARN, before the cloud gives one."""
    return placeholder(type_, name, "arn")


@dataclass
class Deployed:
    """The rendered stack as moto holds it, and the EventBridge path to the function."""

    rendered: Any
    clients: dict[str, Any]
    arns: dict[str, str] = field(default_factory=dict)  # placeholder -> ARN
    queue: str = ""  # the queue EventBridge delivers to, standing in for the function
    alarm_states: dict[str, str] = field(default_factory=dict)
    now: float = T0
    results: list[dict] = field(default_factory=list)

    def real(self, value: Any) -> Any:
        text = json.dumps(value)
        for marker, arn in self.arns.items():
            text = text.replace(marker, arn)
        assert "known after apply" not in text, text
        return json.loads(text)

    def rendered_inputs(self, type_: str) -> dict[str, dict]:
        return {r.name: r.inputs for r in self.rendered.of_type(type_)}

    def alarm(self, service_name: str, kind: str) -> str:
        return self.rendered.get(
            "aws:cloudwatch/metricAlarm:MetricAlarm", f"routing-{service_name}-{kind}"
        ).inputs["name"]

    def change_alarm(self, alarm: str, state: str) -> None:
        """As CloudWatch does: one event on a change of state, none on the same state."""
        previous = self.alarm_states.get(alarm, "OK")
        self.clients["cloudwatch"].set_alarm_state(
            AlarmName=alarm, StateValue=state, StateReason="contract test"
        )
        if previous == state:
            return
        self.alarm_states[alarm] = state
        detail = {
            "alarmName": alarm,
            "state": {"value": state},
            "previousState": {"value": previous},
        }
        self.clients["events"].put_events(
            Entries=[
                {
                    "Source": "aws.cloudwatch",
                    "DetailType": "CloudWatch Alarm State Change",
                    "Resources": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm}"],
                    "Detail": json.dumps(detail),
                }
            ]
        )
        self.deliver()

    def deliver(self) -> None:
        """Invoke the function with each event EventBridge routed to its target."""
        sqs = self.clients["sqs"]
        messages = sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)
        for message in messages.get("Messages", []):
            self.results.append(handler.lambda_handler(json.loads(message["Body"]), None))
            sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])

    def minute_passes(self) -> dict:
        self.now += 60
        schedule = self.rendered.get(
            "aws:cloudwatch/eventTarget:EventTarget", "routing-failover-schedule"
        )
        return handler.lambda_handler(json.loads(schedule.inputs["input"]), None)

    def weights(self, service_name: str) -> dict[str, int]:
        """{target group resource name: weight} on the service's listener rule, from AWS."""
        rule_arn = self.arns[arn_of("aws:lb/listenerRule:ListenerRule", f"routing-{service_name}")]
        rule = self.clients["elbv2"].describe_rules(RuleArns=[rule_arn])["Rules"][0]
        by_arn = {arn: reference(marker)[1] for marker, arn in self.arns.items()}
        groups = rule["Actions"][0]["ForwardConfig"]["TargetGroups"]
        return {by_arn[g["TargetGroupArn"]]: g["Weight"] for g in groups}

    def fargate(self, service_name: str) -> tuple[int, int]:
        """(desired count, autoscaling floor) of the service's Fargate fallback."""
        cluster = self.rendered.get("aws:ecs/cluster:Cluster", "fargate").inputs["name"]
        found = self.clients["ecs"].describe_services(cluster=cluster, services=[service_name])
        target = self.clients["application-autoscaling"].describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[f"service/{cluster}/{service_name}"]
        )["ScalableTargets"][0]
        return found["services"][0]["desiredCount"], target["MinCapacity"]

    def register(self, group: str, address: str, port: int) -> None:
        arn = self.arns[arn_of("aws:lb/targetGroup:TargetGroup", group)]
        self.clients["elbv2"].register_targets(
            TargetGroupArn=arn, Targets=[{"Id": address, "Port": port}]
        )


def create_load_balancer(deployed: Deployed) -> None:
    ec2, elb = deployed.clients["ec2"], deployed.clients["elbv2"]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    alb = deployed.rendered_inputs("aws:lb/loadBalancer:LoadBalancer")["routing-alb"]
    lb = elb.create_load_balancer(Name=alb["name"], Subnets=subnets)["LoadBalancers"][0]
    for name, group in deployed.rendered_inputs("aws:lb/targetGroup:TargetGroup").items():
        shape = {"TargetType": group["targetType"]}
        if group["targetType"] == "ip":
            shape |= {"Protocol": group["protocol"], "Port": group["port"], "VpcId": vpc}
        arn = elb.create_target_group(Name=group["name"], **shape)["TargetGroups"][0]
        deployed.arns[arn_of("aws:lb/targetGroup:TargetGroup", name)] = arn["TargetGroupArn"]
    (listener_name, listener), *_ = deployed.rendered_inputs("aws:lb/listener:Listener").items()
    deployed.arns[arn_of("aws:lb/listener:Listener", listener_name)] = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol=listener["protocol"],
        Port=listener["port"],
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Listeners"][0]["ListenerArn"]


CONDITIONS = {
    "hostHeader": ("host-header", "HostHeaderConfig"),
    "pathPattern": ("path-pattern", "PathPatternConfig"),
}


def create_rules(deployed: Deployed) -> None:
    for name, rendered in deployed.rendered_inputs("aws:lb/listenerRule:ListenerRule").items():
        rule = deployed.real(rendered)
        conditions = []
        for condition in rule["conditions"]:
            (kind, values), *_ = condition.items()
            field_name, config = CONDITIONS[kind]
            conditions.append({"Field": field_name, config: {"Values": values["values"]}})
        groups = [
            {"TargetGroupArn": g["arn"], "Weight": g["weight"]}
            for g in rule["actions"][0]["forward"]["targetGroups"]
        ]
        created = deployed.clients["elbv2"].create_rule(
            ListenerArn=rule["listenerArn"],
            Priority=rule["priority"],
            Conditions=conditions,
            Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}],
        )
        deployed.arns[arn_of("aws:lb/listenerRule:ListenerRule", name)] = created["Rules"][0][
            "RuleArn"
        ]


def create_alarms_and_fallbacks(deployed: Deployed) -> None:
    for alarm in deployed.rendered_inputs("aws:cloudwatch/metricAlarm:MetricAlarm").values():
        put_alarm(deployed.clients["cloudwatch"], alarm["name"])
    ecs, scaling = deployed.clients["ecs"], deployed.clients["application-autoscaling"]
    cluster = deployed.rendered_inputs("aws:ecs/cluster:Cluster")["fargate"]["name"]
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family="fallback", containerDefinitions=[{"name": "app", "image": "app:1", "memory": 128}]
    )
    for name, fallback in deployed.rendered_inputs("aws:ecs/service:Service").items():
        ecs.create_service(
            cluster=cluster,
            serviceName=fallback["name"],
            taskDefinition="fallback",
            desiredCount=fallback["desiredCount"],
        )
        target = deployed.rendered.get("aws:appautoscaling/target:Target", name).inputs
        scaling.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=target["resourceId"],
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=target["minCapacity"],
            MaxCapacity=target["maxCapacity"],
        )


def connect_function(deployed: Deployed, monkeypatch) -> None:
    """The SSM parameters, the function's environment and clock, and the alarm event rule
    with a queue standing in for the function as its target."""
    for parameter in deployed.rendered_inputs("aws:ssm/parameter:Parameter").values():
        deployed.clients["ssm"].put_parameter(
            Name=parameter["name"],
            Value=json.dumps(deployed.real(json.loads(parameter["insecureValue"]))),
            Type=parameter["type"],
        )
    function = deployed.rendered.get("aws:lambda/function:Function", "routing-failover").inputs
    for key, value in function["environment"]["variables"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(handler, "time", types.SimpleNamespace(time=lambda: deployed.now))
    sqs, events = deployed.clients["sqs"], deployed.clients["events"]
    queue = sqs.create_queue(QueueName="failover-function")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    pattern = deployed.rendered.get("aws:cloudwatch/eventRule:EventRule", "routing-failover").inputs
    events.put_rule(Name="failover", EventPattern=pattern["eventPattern"])
    events.put_targets(
        Rule="failover", Targets=[{"Id": "function", "Arn": queue_arn["Attributes"]["QueueArn"]}]
    )
    deployed.queue = queue


@functools.cache
def rendered_stack():
    """Rendered once: every test deploys the same program output into a fresh moto."""
    return run(routed_stack(HELLO, QUOTE, ORDERS))


@pytest.fixture
def deployed(monkeypatch):
    rendered = rendered_stack()
    with mock_aws():
        names = (
            "ec2",
            "elbv2",
            "cloudwatch",
            "ecs",
            "application-autoscaling",
            "ssm",
            "sqs",
            "events",
        )
        clients = {name: boto3.client(name, region_name=REGION) for name in names}
        result = Deployed(rendered, clients)
        create_load_balancer(result)
        create_rules(result)
        create_alarms_and_fallbacks(result)
        connect_function(result, monkeypatch)
        for group, port in (
            ("routing-hello-k8s", 8080),
            ("routing-quote-k8s", 8080),
            ("routing-orders-k8s", 9090),
        ):
            result.register(group, "10.20.1.10", port)
        yield result


NORMAL = {
    "hello": {"routing-hello-k8s": 100, "routing-hello-ecs": 0, "routing-hello-fn": 0},
    "quote": {"routing-quote-k8s": 100, "routing-quote-fn": 0},
    "orders": {"routing-orders-k8s": 100, "routing-orders-ecs": 0},
}


def fail_over_everything(deployed: Deployed) -> None:
    for name in NORMAL:
        deployed.change_alarm(deployed.alarm(name, "down"), "ALARM")


def test_the_rendered_stack_starts_on_its_normal_weights(deployed):
    assert {name: deployed.weights(name) for name in NORMAL} == NORMAL
    assert (deployed.fargate("hello"), deployed.fargate("orders")) == ((0, 0), (1, 1))


def test_each_service_fails_over_to_the_paths_it_has(deployed):
    fail_over_everything(deployed)
    assert [(r["service"], r["shiftedTo"]) for r in deployed.results] == [
        ("hello", "failover"),
        ("quote", "failover"),
        ("orders", "failover"),
    ]
    # hello's Fargate standby is cold: Lambda takes its share until tasks are healthy.
    assert deployed.weights("hello") == {
        "routing-hello-k8s": 0,
        "routing-hello-ecs": 0,
        "routing-hello-fn": 100,
    }
    assert deployed.weights("quote") == {"routing-quote-k8s": 0, "routing-quote-fn": 100}
    # Without a Lambda path, Fargate keeps its whole share: there is nothing better.
    assert deployed.weights("orders") == {"routing-orders-k8s": 0, "routing-orders-ecs": 100}
    assert (deployed.fargate("hello"), deployed.fargate("orders")) == ((2, 2), (3, 3))


def test_an_alarm_of_another_stack_never_reaches_the_function(deployed):
    put_alarm(deployed.clients["cloudwatch"], "other-hello-down")
    deployed.change_alarm("other-hello-down", "ALARM")
    assert deployed.results == []


def test_fargates_share_grows_as_its_tasks_turn_healthy_on_the_scheduled_pass(deployed):
    fail_over_everything(deployed)
    deployed.register("routing-hello-ecs", "10.20.2.20", 8080)
    deployed.minute_passes()
    assert deployed.weights("hello") == {
        "routing-hello-k8s": 0,
        "routing-hello-ecs": 40,
        "routing-hello-fn": 60,
    }
    deployed.register("routing-hello-ecs", "10.20.2.21", 8080)
    deployed.minute_passes()
    assert deployed.weights("hello") == {
        "routing-hello-k8s": 0,
        "routing-hello-ecs": 80,
        "routing-hello-fn": 20,
    }


def test_a_recovery_inside_the_hold_is_ramped_back_by_the_schedule_and_floors_come_down(deployed):
    fail_over_everything(deployed)
    deployed.now += 120  # Kubernetes is back two minutes later: inside the 300 s hold
    for name in NORMAL:
        deployed.change_alarm(deployed.alarm(name, "down"), "OK")
        deployed.change_alarm(deployed.alarm(name, "recovered"), "ALARM")
    recovered = [r for r in deployed.results if r["state"] == "ALARM" and "recovered" in r["alarm"]]
    assert {r["reason"] for r in recovered} == {"held: shifted 120s ago, hold is 300s"}
    deployed.now += 120  # no event will come again: only the schedule can finish this
    passes = [deployed.minute_passes() for _ in range(2)]
    assert [p["service"] for p in passes[0]["reEvaluated"]] == ["hello", "orders", "quote"]
    assert deployed.weights("quote") == {"routing-quote-k8s": 50, "routing-quote-fn": 50}
    assert deployed.weights("orders") == {"routing-orders-k8s": 50, "routing-orders-ecs": 50}
    assert deployed.fargate("orders") == (3, 3)  # the floor stays up while ramping back
    deployed.minute_passes()
    assert {name: deployed.weights(name) for name in NORMAL} == NORMAL
    assert (deployed.fargate("hello"), deployed.fargate("orders")) == ((0, 0), (1, 1))
