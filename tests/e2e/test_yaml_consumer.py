"""warmstart from Pulumi YAML: the component provider added with `pulumi package add`, and a
YAML program that builds `hello` and deploys it through the multi-language GoService onto
the local cluster.

The provider gets a virtualenv of its own with warmstart installed from the checkout (from
PyPI for its dependencies), as on a user's machine; the YAML language host comes with the
toolchain (scripts/toolchain.sh).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.e2e.cluster import CONTEXT, kube_json, kubectl
from tests.e2e.project import COPY_IGNORES, Project, toolchain_env
from warmstart.stackfile import PROJECT_ROOT

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-yaml"
REPOSITORY = "127.0.0.1:5000/warmstart/yaml-hello"
GO_IMAGE = "127.0.0.1:5000/base/golang:1.26"


def program(services: Path) -> dict:
    """The consumer's Pulumi.yaml: a namespace, the hello image, and the GoService."""
    return {
        "name": "hello-yaml",
        "runtime": "yaml",
        "resources": {
            "namespace": {
                "type": "kubernetes:core/v1:Namespace",
                "properties": {
                    "metadata": {
                        "name": NAMESPACE,
                        "labels": {"pod-security.kubernetes.io/enforce": "restricted"},
                    }
                },
            },
            "image": {
                "type": "docker-build:Image",
                "properties": {
                    "context": {"location": str(services)},
                    "target": "hello",
                    "platforms": ["linux/amd64"],
                    "buildArgs": {"GO_IMAGE": GO_IMAGE},
                    "push": False,
                    "buildOnPreview": False,
                    "exports": [
                        {"image": {"names": [REPOSITORY], "push": True, "pushByDigest": True}}
                    ],
                },
            },
            "hello": {
                "type": "warmstart:GoService",
                "properties": {
                    "namespace": NAMESPACE,
                    "image": f"{REPOSITORY}@${{image.digest}}",
                    "service": {
                        "name": "hello",
                        "startup": {"budgetSeconds": 5, "probe": "http"},
                        "resources": {
                            "requests": {"cpu": "50m", "memory": "32Mi"},
                            "limits": {"cpu": "250m", "memory": "64Mi"},
                        },
                    },
                },
                "options": {"dependsOn": ["${namespace}"]},
            },
        },
        "outputs": {"deployment": "${hello.deploymentName}", "image": "${hello.image}"},
    }


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Project:
    kubectl("get", "--raw", "/readyz")
    root = tmp_path_factory.mktemp("yaml")
    checkout = root / "warmstart"
    shutil.copytree(PROJECT_ROOT, checkout, ignore=COPY_IGNORES)
    project = root / "consumer"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        yaml.safe_dump(program(checkout / "services"), sort_keys=False)
    )
    env = toolchain_env()
    env.update(
        PULUMI_BACKEND_URL=f"file://{root / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="yaml-test-only",
        BUILDX_BUILDER=os.environ.get("WARMSTART_BUILDER", ""),
    )
    (root / "state").mkdir()
    consumer = Project(root=project, env=env, stack="dev")
    consumer.unstacked("stack", "init", "dev")
    consumer.unstacked("config", "set", "kubernetes:context", CONTEXT)
    return consumer


def test_package_add_records_the_provider(consumer):
    consumer.unstacked("package", "add", "../warmstart/provider")
    packages = yaml.safe_load((consumer.root / "Pulumi.yaml").read_text())["packages"]
    assert packages == {"warmstart": "../warmstart/provider"}


def test_a_yaml_program_deploys_hello_through_the_go_service(consumer):
    consumer.ok("up", "--yes", "--skip-preview")
    outputs = yaml.safe_load(consumer.ok("stack", "output", "--json"))
    assert outputs["deployment"] == "hello"
    assert outputs["image"].startswith(f"{REPOSITORY}@sha256:")
    hello = kube_json("-n", NAMESPACE, "get", "deployment", "hello")
    assert hello["status"].get("readyReplicas") == hello["spec"]["replicas"]
    container = hello["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == outputs["image"]
    assert {e["name"] for e in container["env"]} >= {"GOMEMLIMIT", "GOMAXPROCS"}


def test_then_nothing_to_change_and_destroy_removes_it(consumer):
    consumer.ok("preview", "--expect-no-changes")
    consumer.ok("destroy", "--yes", "--skip-preview")
    assert kubectl("get", "namespace", NAMESPACE, "--ignore-not-found", "-o", "name") == ""
