"""The component provider other languages use: the SDK's analyzer infers a schema from
every hosted component (a new arg type it cannot type fails here), and each hosted
component builds the Python component of the same name."""

import pulumi
import pytest
from pulumi.provider.experimental.analyzer import Analyzer

from tests.conftest import registered, service
from warmstart.provider.components import HOSTED, GoService, ImagePrewarm, ProxyMirror


@pytest.fixture(scope="module")
def schema():
    return Analyzer("warmstart").analyze(HOSTED)["component_definitions"]


def shape(properties):
    return {
        name: (p.type.value if p.type else p.ref, p.optional, bool(p.plain))
        for name, p in properties.items()
    }


def test_every_hosted_component_has_a_schema(schema):
    assert sorted(schema) == ["GoService", "ImagePrewarm", "ProxyMirror"]
    assert all(definition.description for definition in schema.values())


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
