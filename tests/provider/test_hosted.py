"""The component provider other languages use: the SDK's analyzer infers a schema from
every hosted component (a new arg type it cannot type fails here), and each hosted
component builds the Python component of the same name."""

import pulumi
import pytest
from pulumi.provider.experimental.analyzer import Analyzer

from tests.conftest import registered, service
from tests.routed import AWS, EKS
from warmstart.provider.aws import Cluster, LambdaFallback, RegistryMirror
from warmstart.provider.components import HOSTED
from warmstart.provider.kubernetes import GoService, ImagePrewarm, ProxyMirror, ServiceImage


@pytest.fixture(scope="module")
def schema():
    return Analyzer("warmstart").analyze(HOSTED)["component_definitions"]


def shape(properties):
    return {
        name: (p.type.value if p.type else p.ref, p.optional, bool(p.plain))
        for name, p in properties.items()
    }


def test_every_hosted_component_has_a_schema(schema):
    assert sorted(schema) == [
        "Cluster",
        "FargateSpotFallback",
        "GoService",
        "ImagePrewarm",
        "LambdaFallback",
        "ProxyMirror",
        "RegistryMirror",
        "ServiceImage",
    ]
    assert all(definition.description for definition in schema.values())
    for definition in schema.values():
        properties = {**definition.inputs, **definition.outputs}
        assert all(p.description for p in properties.values()), definition


def test_go_service_takes_a_stack_file_entry_and_names_what_it_made(schema):
    go = schema["GoService"]
    assert shape(go.inputs) == {
        "service": ("object", False, True),
        "namespace": ("string", False, True),
        "image": ("string", True, False),
        "production": ("boolean", True, True),
    }
    assert shape(go.outputs) == {
        "deploymentName": ("string", False, False),
        "image": ("string", False, False),
    }
    assert all(p.description for p in go.inputs.values())


def test_prewarm_and_mirror_inputs(schema):
    assert set(schema["ImagePrewarm"].inputs) == {
        "images",
        "namespace",
        "prewarm",
        "sleepImage",
        "production",
    }
    assert shape(schema["ProxyMirror"].inputs) == {"endpoints": ("object", False, True)}


def test_a_hosted_go_service_builds_the_python_one_inside():
    def program():
        GoService("hello", {"service": service(), "namespace": "team"})
        ImagePrewarm(
            "prewarm",
            {
                "images": ["registry.local/a:1"],
                "namespace": "team",
                "prewarm": {"sleepImage": "registry.local/sleep:1"},
            },
        )
        ProxyMirror("mirror", {"endpoints": {"docker-hub": "mirror.internal"}})

    resources = registered(program)
    outer = {r.type: r for r in resources if r.type.startswith("warmstart:index:")}
    assert sorted(outer) == [
        "warmstart:index:GoService",
        "warmstart:index:ImagePrewarm",
        "warmstart:index:ProxyMirror",
    ]
    inner = next(r for r in resources if r.type == "warmstart:kubernetes:GoService")
    assert inner.parent == outer["warmstart:index:GoService"].urn
    assert sum(r.type == "kubernetes:apps/v1:Deployment" for r in resources) == 1


def test_hosted_components_check_args_as_the_python_ones_do():
    with pytest.raises(pulumi.RunError, match="invalid GoService hello args"):
        GoService(
            "hello",
            {
                "service": service(autoscaling={"minReplicas": 3, "maxReplicas": 1}),
                "namespace": "t",
            },
        )


def test_the_aws_side_takes_stack_file_maps_and_ids(schema):
    assert shape(schema["Cluster"].outputs) == {
        "mode": ("string", False, False),
        "name": ("string", True, False),
        "endpoint": ("string", True, False),
        "kubeconfig": ("string", True, False),
    }
    assert shape(schema["LambdaFallback"].inputs) == {
        "service": ("object", False, True),
        "functionName": ("string", False, True),
        "logRetentionDays": ("integer", True, True),
    }
    assert schema["FargateSpotFallback"].inputs["subnetIds"].optional is False


def test_hosted_aws_components_build_the_python_ones_inside():
    def program():
        Cluster("platform", {"cluster": EKS, "aws": AWS})
        RegistryMirror("mirror", {"mirror": {"enabled": True}, "aws": AWS, "repositories": ["api"]})
        LambdaFallback(
            "api-lambda",
            {
                "service": service(fallback={"lambda": {"enabled": True}}),
                "function_name": "platform-api",
            },
        )
        ServiceImage(
            "api",
            {
                "build": {"context": "services", "target": "hello"},
                "registry": "registry.example.com",
                "repository": "registry.example.com/team/api",
            },
        )

    resources = registered(program)
    inner = {
        r.type for r in resources if r.type.startswith("warmstart:") and ":index:" not in r.type
    }
    assert inner >= {
        "warmstart:cluster:Cluster",
        "warmstart:aws:RegistryMirror",
        "warmstart:aws:LambdaFallback",
        "warmstart:docker:ServiceImage",
    }
    node_groups = sorted(r.name for r in resources if r.type == "aws:eks/nodeGroup:NodeGroup")
    assert node_groups == ["platform-spot", "platform-system"]
