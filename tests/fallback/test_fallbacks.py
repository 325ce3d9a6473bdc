"""FargateSpotFallback and LambdaFallback under the mock runtime, wired behind routing."""

import json

import pytest

from tests.routed import dev_run


@pytest.fixture
def dev():
    return dev_run()


def test_fargate_service_uses_strategies_not_a_launch_type(dev):
    ecs = dev.get("aws:ecs/service:Service", "fargate-hello")
    assert "launchType" not in ecs.inputs
    assert ecs.inputs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 4},
    ]
    assert ecs.inputs["desiredCount"] == 0
    # A changed strategy reaches the tasks through a new deployment, not a replacement.
    assert ecs.inputs["forceNewDeployment"] is True
    providers = dev.get("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "fargate")
    assert providers.urn in ecs.depends_on
    assert providers.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    rule = dev.get("aws:lb/listenerRule:ListenerRule", "routing-hello")
    assert rule.urn in ecs.depends_on
    assert ecs.inputs["loadBalancers"] == [
        {
            "targetGroupArn": "<known after apply: aws:lb/targetGroup:TargetGroup routing-hello-ecs.arn>",
            "containerName": "hello",
            "containerPort": 8080,
        }
    ]
    assert ecs.ignore_changes == ("desiredCount",)


def test_fargate_task_runs_the_pod_image_and_environment(dev):
    task = dev.get("aws:ecs/taskDefinition:TaskDefinition", "fargate-hello").inputs
    assert (task["cpu"], task["memory"], task["networkMode"]) == ("512", "1024", "awsvpc")
    assert task["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    container = json.loads(task["containerDefinitions"])[0]
    pod = dev.get("kubernetes:apps/v1:Deployment", "hello").inputs["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert container["image"] == pod["image"]
    pod_env = {e["name"]: e["value"] for e in pod["env"]}
    task_env = {e["name"]: e["value"] for e in container["environment"]}
    assert task_env == {**pod_env, "GOMAXPROCS": "1", "GOMEMLIMIT": "921MiB"}
    assert container["readonlyRootFilesystem"] is True
    assert container["stopTimeout"] == 45
    assert (
        container["logConfiguration"]["options"]["awslogs-group"]
        == "/warmstart/demo-fallback/hello"
    )
    logs = dev.get("aws:cloudwatch/logGroup:LogGroup", "fargate-hello").inputs
    assert (logs["name"], logs["retentionInDays"]) == ("/warmstart/demo-fallback/hello", 14)


def test_fargate_scales_with_target_tracking_from_zero(dev):
    target = dev.get("aws:appautoscaling/target:Target", "fargate-hello").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (0, 10)
    policy = dev.get("aws:appautoscaling/policy:Policy", "fargate-hello").inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["targetTrackingScalingPolicyConfiguration"]["targetValue"] == 60
    assert policy["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"] == {
        "predefinedMetricType": "ECSServiceAverageCPUUtilization"
    }


def test_lambda_fallback(dev):
    function = dev.get("aws:lambda/function:Function", "hello-lambda").inputs
    assert (function["runtime"], function["architectures"], function["handler"]) == (
        "provided.al2023",
        ["arm64"],
        "bootstrap",
    )
    assert (
        function["memorySize"],
        function["reservedConcurrentExecutions"],
        function["publish"],
    ) == (512, 10, True)
    assert function["code"] == {"fileArchive": "build/lambda/hello.zip"}
    assert function["environment"]["variables"]["GOMEMLIMIT"] == "460MiB"
    assert "PORT" not in function["environment"]["variables"]
    alias = dev.get("aws:lambda/alias:Alias", "hello-lambda").inputs
    assert (alias["name"], alias["functionVersion"]) == (
        "live",
        "<known after apply: aws:lambda/function:Function hello-lambda.version>",
    )
    provisioned = dev.get(
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig", "hello-lambda"
    ).inputs
    assert (provisioned["qualifier"], provisioned["provisionedConcurrentExecutions"]) == ("live", 2)
    logs = dev.get("aws:cloudwatch/logGroup:LogGroup", "hello-lambda").inputs
    assert logs["retentionInDays"] == 14
