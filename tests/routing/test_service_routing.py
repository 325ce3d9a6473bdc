"""ServiceRouting under the mock runtime: target groups, rules, listeners, failover wiring."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import DIGEST, PINNED_ADDONS, run, service, stack_values
from tests.iam_lint import findings
from tests.routed import CERT, EKS, HELLO, by_name, dev_run, prod_run, routed_stack
from warmstart.components.config import ConfigError, parse_config
from warmstart.components.routing.failover import failover_code_path
from warmstart.functions.failover.handler import RE_EVALUATE
from warmstart.stackfile import config_from_mapping


@pytest.fixture
def dev():
    return dev_run()


@pytest.fixture
def prod():
    return prod_run()


def test_three_target_groups_of_the_right_types(dev):
    groups = by_name(dev, "aws:lb/targetGroup:TargetGroup")
    assert {name: g.inputs["targetType"] for name, g in groups.items()} == {
        "routing-hello-k8s": "ip",
        "routing-hello-ecs": "ip",
        "routing-hello-fn": "lambda",
    }
    kubernetes = groups["routing-hello-k8s"].inputs
    assert kubernetes["port"] == 8080
    assert kubernetes["healthCheck"]["path"] == "/readyz"
    assert kubernetes["healthCheck"]["matcher"] == "200"
    # routed preStop 20 + drain 20, under the Spot warning
    assert kubernetes["deregistrationDelay"] == 40
    assert len(kubernetes["name"]) <= 32
    assert groups["routing-hello-fn"].inputs["lambdaMultiValueHeadersEnabled"] is True


def test_pods_are_bound_to_their_target_group(dev):
    binding = dev.get(
        "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "routing-hello-pods"
    ).inputs
    assert binding["spec"] == {
        "serviceRef": {"name": "hello", "port": 80},
        "targetGroupARN": "<known after apply: aws:lb/targetGroup:TargetGroup routing-hello-k8s.arn>",
        "targetType": "ip",
    }
    namespace = dev.get("kubernetes:core/v1:Namespace", "warmstart").inputs
    assert namespace["metadata"]["labels"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
    rule = dev.get("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "routing-pods-8080")
    ingress = rule.inputs
    assert (ingress["fromPort"], ingress["toPort"]) == (8080, 8080)
    assert (
        ingress["securityGroupId"]
        == "<known after apply: aws:eks/cluster:Cluster cluster.vpcConfig.clusterSecurityGroupId>"
    )
    assert ingress["description"] == "warmstart: ALB to pods on 8080: hello"
    # One rule per port now: the program's own routing keeps the one it had for hello.
    assert rule.aliases == (rule.urn.replace("::routing-pods-8080", "::hello-pods"),)


def test_services_on_one_port_share_one_rule_on_each_group():
    # AWS refuses a duplicate rule (InvalidPermission.Duplicate): 8080 is everyone's default.
    quote = {**HELLO, "name": "quote", "routes": {"hosts": ["quote.example.com"]}}
    grpc = {**HELLO, "name": "ledger", "port": 9090, "routes": {"hosts": ["ledger.example.com"]}}
    result = run(routed_stack(HELLO, quote, grpc))
    rules = {
        r.name: r.inputs
        for r in result.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    }
    assert {name: rule["fromPort"] for name, rule in rules.items()} == {
        "routing-pods-8080": 8080,
        "routing-pods-9090": 9090,
    }
    assert rules["routing-pods-8080"]["description"] == (
        "warmstart: ALB to pods on 8080: hello, quote"
    )
    tasks = result.get("aws:ec2/securityGroup:SecurityGroup", "fargate-tasks").inputs
    assert [(r["fromPort"], r["description"]) for r in tasks["ingress"]] == [
        (8080, "ALB to tasks on 8080: hello, quote"),
        (9090, "ALB to tasks on 9090: ledger"),
    ]


def test_a_new_target_group_replaces_the_binding_old_one_first(dev):
    # The controller refuses a change of targetGroupARN; the binding keeps its name.
    binding = dev.get("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "routing-hello-pods")
    assert binding.replace_on_changes == ("spec.targetGroupARN",)
    assert binding.delete_before_replace is True


def test_lambda_permission_comes_before_the_attachment(dev):
    permission = dev.get("aws:lambda/permission:Permission", "routing-hello-alb")
    assert permission.inputs["principal"] == "elasticloadbalancing.amazonaws.com"
    assert permission.inputs["qualifier"] == "live"
    attachment = dev.get("aws:lb/targetGroupAttachment:TargetGroupAttachment", "routing-hello-fn")
    assert permission.urn in attachment.depends_on
    assert (
        attachment.inputs["targetId"]
        == "<known after apply: aws:lambda/alias:Alias hello-lambda.arn>"
    )


def test_weights_come_from_config(dev, prod):
    def weights(result):
        rule = result.get("aws:lb/listenerRule:ListenerRule", "routing-hello").inputs
        groups = rule["actions"][0]["forward"]["targetGroups"]
        return [(g["arn"].split(" ")[-1].split(".")[0], g["weight"]) for g in groups]

    assert weights(dev) == [
        ("routing-hello-k8s", 100),
        ("routing-hello-ecs", 0),
        ("routing-hello-fn", 0),
    ]
    assert weights(prod) == [
        ("routing-hello-k8s", 90),
        ("routing-hello-ecs", 10),
        ("routing-hello-fn", 0),
    ]
    rule = dev.get("aws:lb/listenerRule:ListenerRule", "routing-hello")
    assert rule.inputs["conditions"] == [
        {"hostHeader": {"values": ["hello.example.com"]}},
        {"pathPattern": {"values": ["/v1/*"]}},
    ]
    # A weight changed in config reaches the ALB; a failover an `up` resets is shifted again
    # by the function's scheduled pass within a minute.
    assert rule.ignore_changes == ()


def test_https_only_in_production_http_elsewhere(dev, prod):
    assert sorted(by_name(dev, "aws:lb/listener:Listener")) == ["routing-http"]
    listeners = by_name(prod, "aws:lb/listener:Listener")
    assert sorted(listeners) == ["routing-https"]
    assert listeners["routing-https"].inputs["certificateArn"] == CERT
    assert listeners["routing-https"].inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert (
        prod.get("aws:lb/loadBalancer:LoadBalancer", "routing-alb").inputs[
            "enableDeletionProtection"
        ]
        is True
    )


def test_alarms_drive_the_failover_function(dev):
    alarms = by_name(dev, "aws:cloudwatch/metricAlarm:MetricAlarm")
    down, recovered = alarms["routing-hello-down"].inputs, alarms["routing-hello-recovered"].inputs
    assert (down["metricName"], down["statistic"], down["comparisonOperator"]) == (
        "HealthyHostCount",
        "Minimum",
        "LessThanThreshold",
    )
    assert (down["evaluationPeriods"], down["treatMissingData"]) == (2, "breaching")
    assert (recovered["comparisonOperator"], recovered["evaluationPeriods"]) == (
        "GreaterThanOrEqualToThreshold",
        5,
    )
    assert down["dimensions"] == {
        "TargetGroup": "<known after apply: aws:lb/targetGroup:TargetGroup routing-hello-k8s.arnSuffix>",
        "LoadBalancer": "<known after apply: aws:lb/loadBalancer:LoadBalancer routing-alb.arnSuffix>",
    }
    pattern = json.loads(
        dev.get("aws:cloudwatch/eventRule:EventRule", "routing-failover").inputs["eventPattern"]
    )
    assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    # One prefix for every alarm of the stack: the pattern does not grow with services.
    assert pattern["resources"] == [
        {"prefix": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:demo-hello-"}
    ]
    target = dev.get("aws:cloudwatch/eventTarget:EventTarget", "routing-failover")
    assert (
        target.inputs["arn"]
        == "<known after apply: aws:lambda/function:Function routing-failover.arn>"
    )
    assert (
        dev.get("aws:lambda/permission:Permission", "routing-failover-events").urn
        in target.depends_on
    )


def test_failover_function_configuration(dev):
    function = dev.get("aws:lambda/function:Function", "routing-failover").inputs
    assert function["code"] == {
        "assetArchive": {
            f"failover/{module}": {"fileAsset": f"functions/failover/{module}"}
            for module in ("__init__.py", "decision.py", "handler.py")
        }
    }
    assert function["handler"] == "failover.handler.lambda_handler"
    assert function["reservedConcurrentExecutions"] == 1
    path = "/warmstart/warmstart/test/failover/"
    assert function["environment"]["variables"] == {"WARMSTART_FAILOVER_PARAMETERS": path}
    parameters = {p.name: p.inputs for p in dev.of_type("aws:ssm/parameter:Parameter")}
    assert sorted(parameters) == ["routing-failover-hello-down", "routing-failover-hello-recovered"]
    down = parameters["routing-failover-hello-down"]
    assert down["name"] == f"{path}{hello_alarm('down')}"
    assert (down["type"], down["tier"]) == ("String", "Standard")
    assert down["insecureValue"] == parameters["routing-failover-hello-recovered"]["insecureValue"]
    config = json.loads(down["insecureValue"])
    hello = config["services"]["hello"]
    assert (hello["downAlarm"], hello["recoveredAlarm"]) == (
        hello_alarm("down"),
        hello_alarm("recovered"),
    )
    assert hello["ecs"] == {
        "cluster": "demo-fallback",
        "service": "hello",
        "standbyCount": 0,
        "failoverCount": 2,
    }
    groups = {key: hello[f"{key}TargetGroupArn"] for key in ("kubernetes", "fargate", "lambda")}
    assert groups == {
        "kubernetes": "<known after apply: aws:lb/targetGroup:TargetGroup routing-hello-k8s.arn>",
        "fargate": "<known after apply: aws:lb/targetGroup:TargetGroup routing-hello-ecs.arn>",
        "lambda": "<known after apply: aws:lb/targetGroup:TargetGroup routing-hello-fn.arn>",
    }
    per_group = {
        key: (hello["normalWeights"][arn], hello["failoverWeights"][arn])
        for key, arn in groups.items()
    }
    assert per_group == {"kubernetes": (100, 0), "fargate": (0, 80), "lambda": (0, 20)}
    assert hello["holdSeconds"] == 300


def hello_alarm(kind):
    # Literal: a change to aws_name would replace every alarm and parameter.
    return {"down": "demo-hello-down-a37858", "recovered": "demo-hello-recovered-5808db"}[kind]


REAL_ARNS = {
    "aws:lb/listener:Listener": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/demo/50dc6c495c0c9188/f2f7dc8efc522ab2",
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/{name}",
    "aws:lb/listenerRule:ListenerRule": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/demo/50dc6c495c0c9188/f2f7dc8efc522ab2/{name}",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{name}",
    "aws:sqs/queue:Queue": "arn:aws:sqs:eu-west-1:123456789012:{name}",
    "aws:lb/targetGroup:TargetGroup": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-{name}-0123456789abcdef-0/73e2d6bc24d8a067",
}


def test_a_services_failover_entry_fits_a_standard_parameter_with_room_to_spare(dev):
    """4,096 characters per Standard parameter; real ARNs, three paths: well under half."""
    value = dev.get("aws:ssm/parameter:Parameter", "routing-failover-hello-down").inputs[
        "insecureValue"
    ]
    text = json.dumps(realistic(value))
    assert len(text) < 2048, len(text)


def realistic(text):
    for type_, arn in REAL_ARNS.items():
        text = re.sub(
            rf"<known after apply: {re.escape(type_)} ([^ .]+)\.arn>",
            lambda match, arn=arn: arn.format(name=match.group(1)),
            text,
        )
    assert "known after apply" not in text
    return json.loads(text)


def test_every_policy_written_passes_the_linter(dev):
    policies = {
        p.name: realistic(p.inputs["policy"]) for p in dev.of_type("aws:iam/rolePolicy:RolePolicy")
    }
    assert sorted(policies) == [
        "cluster-autoscaler",
        "hello-lambda",
        "routing-failover",
        "routing-failover-failures",
    ]
    for name, policy in policies.items():
        real, _ = findings(policy)
        assert real == [], name
    actions = {a for st in policies["routing-failover"]["Statement"] for a in st["Action"]}
    assert {
        "elasticloadbalancing:ModifyRule",
        "ecs:UpdateService",
        "cloudwatch:DescribeAlarms",
    } <= actions


def config_problems(values):
    raw = config_from_mapping("t", values)
    with pytest.raises(ConfigError) as caught:
        parse_config(raw.values)
    return [str(p) for p in caught.value.problems]


def test_routing_rules():
    grpc = service(
        name="ledger",
        startup={"budgetSeconds": 5, "probe": "grpc"},
        routes={"hosts": ["l.example.com"]},
    )
    no_fallback_weight = service(
        routes={"hosts": ["x.example.com"], "paths": ["/x"]},
        fallback={"weights": {"kubernetes": 50, "lambda": 50}},
    )
    assert config_problems(
        routed_stack(no_fallback_weight, grpc, production=False, cluster={"mode": "existing"})
    ) == [
        "warmstart:routing.enabled: the load balancer needs an EKS cluster: cluster.mode eks,"
        " or existing with name and network (vpcId, cidr, subnets) (got true)",
        "warmstart:services[0].fallback.weights.lambda: weight for a fallback that is off "
        "(services[0].fallback.lambda.enabled is false) (got 50)",
        'warmstart:services[1].routes: the load balancer health-checks over HTTP: only http services (got "grpc")',
    ]


def test_fallbacks_need_routing():
    assert config_problems(stack_values(HELLO)) == [
        "warmstart:services[0].routes: needs warmstart:routing.enabled",
        "warmstart:services[0].fallback: needs warmstart:routing.enabled",
    ]


def test_fargate_sizes_and_failover_weights_are_checked():
    bad = service(
        routes={"hosts": ["h.example.com"]},
        fallback={
            "fargate": {
                "enabled": True,
                "cpu": 256,
                "memoryMib": 4096,
                "failoverTasks": 20,
                "maxTasks": 5,
            },
            "failoverWeights": {"kubernetes": 10, "fargate": 90},
        },
    )
    assert config_problems(routed_stack(bad)) == [
        "warmstart:services[0].fallback.failoverWeights.kubernetes: must be 0: failover is for when it has no healthy pods (got 10)",
        "warmstart:services[0].fallback.fargate.memoryMib: Fargate cpu 256 allows 512, 1024, 2048 MiB (got 4096)",
        "warmstart:services[0].fallback.fargate.failoverTasks: must be <= maxTasks (5) (got 20)",
    ]


def test_production_needs_a_certificate():
    pinned = {**HELLO, "image": "repo/hello@" + DIGEST, "autoscaling": {"minReplicas": 2}}
    cluster = {
        **EKS,
        "adminRoleArns": ["arn:aws:iam::123456789012:role/admins"],
        "endpoint": {"publicCidrs": ["198.51.100.0/24"]},
        "addonVersions": PINNED_ADDONS,
    }
    assert config_problems(routed_stack(pinned, production=True, cluster=cluster)) == [
        "warmstart:routing.certificateArn: production serves HTTPS only: required"
    ]


def test_reservations_must_leave_awss_unreserved_executions():
    # HELLO reserves 10 for its Lambda fallback; the failover function reserves 1.
    tight = routed_stack(routing={"enabled": True, "lambdaConcurrencyLimit": 110})
    assert config_problems(tight) == [
        "warmstart:routing.lambdaConcurrencyLimit: the stack reserves 11 Lambda executions; "
        "AWS keeps 100 unreserved, so the account's limit must be at least 111 (got 110)"
    ]
    enough = routed_stack(routing={"enabled": True, "lambdaConcurrencyLimit": 111})
    config = parse_config(config_from_mapping("t", enough).values)
    assert config.routing.lambda_concurrency_limit == 111


def test_failover_is_re_evaluated_every_minute_with_the_event_the_handler_knows(dev):
    schedule = dev.get("aws:cloudwatch/eventRule:EventRule", "routing-failover-schedule").inputs
    assert schedule["scheduleExpression"] == "rate(1 minute)"
    target = dev.get("aws:cloudwatch/eventTarget:EventTarget", "routing-failover-schedule")
    assert json.loads(target.inputs["input"]) == RE_EVALUATE
    permission = dev.get("aws:lambda/permission:Permission", "routing-failover-schedule")
    assert permission.inputs["sourceArn"] == (
        "<known after apply: aws:cloudwatch/eventRule:EventRule routing-failover-schedule.arn>"
    )
    assert permission.urn in target.depends_on


def test_generated_aws_names_are_pinned_and_a_port_change_renames_the_ip_groups(dev):
    # Literal: a change to aws_name would replace the load balancer and every group.
    assert (
        dev.get("aws:lb/loadBalancer:LoadBalancer", "routing-alb").inputs["name"] == "demo-2a9751"
    )
    groups = by_name(dev, "aws:lb/targetGroup:TargetGroup")
    assert {name: group.inputs["name"] for name, group in groups.items()} == {
        "routing-hello-k8s": "demo-hello-k8s-8080-6304b2",
        "routing-hello-ecs": "demo-hello-ecs-8080-b3f559",
        "routing-hello-fn": "demo-hello-fn-e61c59",
    }
    moved = run(routed_stack({**HELLO, "port": 9090}))
    renamed = by_name(moved, "aws:lb/targetGroup:TargetGroup")
    assert renamed["routing-hello-k8s"].inputs["name"] == "demo-hello-k8s-9090-eeb7c3"


def test_failed_failover_invocations_land_in_a_queue_the_function_may_write(dev):
    queue = dev.get("aws:sqs/queue:Queue", "routing-failover-failures").inputs
    assert queue["messageRetentionSeconds"] == 1_209_600
    invoke = dev.get(
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "routing-failover"
    )
    assert invoke.inputs["maximumRetryAttempts"] == 2
    # Lambda checks at creation that the role may send to the queue: the grant comes first,
    # in a policy of its own that waits for the queue only, not for the load balancer.
    grant = dev.get("aws:iam/rolePolicy:RolePolicy", "routing-failover-failures")
    assert grant.urn in invoke.depends_on
    [statement] = realistic(grant.inputs["policy"])["Statement"]
    assert (statement["Action"], statement["Resource"]) == (
        ["sqs:SendMessage"],
        "arn:aws:sqs:eu-west-1:123456789012:routing-failover-failures",
    )
    assert "listener" not in grant.inputs["policy"].lower()
    assert invoke.inputs["destinationConfig"] == {
        "onFailure": {
            "destination": "<known after apply: aws:sqs/queue:Queue routing-failover-failures.arn>"
        }
    }


def test_the_failover_archive_imports_as_the_lambda_runtime_imports_it(dev, tmp_path):
    """Laid out as the archive lays it out, outside warmstart: the handler's relative import
    of its decisions resolves, and nothing of warmstart (absent in Lambda) is imported."""
    function = dev.get("aws:lambda/function:Function", "routing-failover").inputs
    for name, asset in function["code"]["assetArchive"].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(asset["fileAsset"], tmp_path / name)
    module, _, entry = function["handler"].rpartition(".")
    probe = (
        "import importlib, sys; sys.path.insert(0, '.'); "
        f"handler = importlib.import_module({module!r}); "
        f"assert callable(getattr(handler, {entry!r})); "
        "print(sorted(m for m in sys.modules if m.startswith(('warmstart', 'failover'))))"
    )
    found = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "['failover', 'failover.decision', 'failover.handler']"


def test_failover_code_is_relative_in_a_checkout_and_absolute_when_installed(tmp_path):
    handler = tmp_path / "functions" / "failover" / "handler.py"
    handler.parent.mkdir(parents=True)
    handler.write_text("")
    assert failover_code_path(handler, tmp_path) == "functions/failover/handler.py"
    elsewhere = tmp_path / "consumer"
    elsewhere.mkdir()
    assert failover_code_path(handler, elsewhere) == str(handler.resolve())
    # through the checkout's symlink into the package: the real file's path
    (tmp_path / "warmstart").mkdir()
    (tmp_path / "warmstart" / "functions").symlink_to(tmp_path / "functions")
    linked = tmp_path / "warmstart" / "functions" / "failover" / "handler.py"
    assert failover_code_path(linked, tmp_path) == "functions/failover/handler.py"


def test_only_the_pods_target_groups_are_open_to_this_clusters_controller(dev):
    groups = {g.name: g.inputs for g in dev.of_type("aws:lb/targetGroup:TargetGroup")}
    assert groups["routing-hello-k8s"]["tags"] == {"warmstart:kubernetes-cluster": "demo"}
    assert "tags" not in groups["routing-hello-ecs"]
    assert "tags" not in groups["routing-hello-fn"]
    policy = json.loads(
        dev.get("aws:iam/policy:Policy", "cluster-load-balancer-controller").inputs["policy"]
    )
    [sync] = [s for s in policy["Statement"] if s["Sid"] == "SyncTargets"]
    assert sync["Condition"] == {
        "StringEquals": {"aws:ResourceTag/warmstart:kubernetes-cluster": "demo"}
    }
    trust = json.loads(
        dev.get("aws:iam/role:Role", "cluster-load-balancer-controller").inputs["assumeRolePolicy"]
    )
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "123456789012",
        "aws:RequestTag/eks-cluster-name": "demo",
        "aws:RequestTag/kubernetes-namespace": "kube-system",
        "aws:RequestTag/kubernetes-service-account": "aws-load-balancer-controller",
    }
