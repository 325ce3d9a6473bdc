"""warmstart from Pulumi YAML: the component provider added with `pulumi package add`, and
another team's YAML program (`examples/consumer-yaml`) that builds and pushes `hello`
through the hosted ServiceImage and deploys its digest through the hosted GoService onto
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

from tests.e2e.cluster import kube_json, kubectl
from tests.e2e.consumers import consumer_project
from tests.e2e.project import COPY_IGNORES, Project
from warmstart.stackfile import PROJECT_ROOT

pytestmark = pytest.mark.e2e

NAMESPACE = "payments-yaml"


def without_aws(requirements: Path) -> None:
    """Sandbox only: `pulumi package add` installs the plugins of the provider's Python
    packages, and this machine cannot download the AWS one (get.pulumi.com). The program
    uses no AWS component, so the provider goes in without its AWS half here; users get
    the requirements as they are."""
    lines = requirements.read_text().splitlines()
    kept = [line.replace("..[aws]", "..") for line in lines if not line.startswith("pulumi-aws")]
    requirements.write_text("\n".join(kept) + "\n")


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Project:
    consumer = consumer_project(tmp_path_factory, "consumer-yaml")
    checkout = consumer.root.parent / "warmstart"
    shutil.copytree(PROJECT_ROOT, checkout, ignore=COPY_IGNORES)
    without_aws(checkout / "provider" / "requirements.txt")
    consumer.unstacked("config", "set", "goImage", os.environ["WARMSTART_GO_IMAGE"])
    return consumer


def test_package_add_records_the_provider(consumer):
    consumer.unstacked("package", "add", "../warmstart/provider")
    packages = yaml.safe_load((consumer.root / "Pulumi.yaml").read_text())["packages"]
    assert packages == {"warmstart": "../warmstart/provider"}


def test_a_yaml_program_deploys_hello_through_the_go_service(consumer):
    consumer.ok("up", "--yes", "--skip-preview")
    outputs = yaml.safe_load(consumer.ok("stack", "output", "--json"))
    assert outputs["deployment"] == "hello"
    repository = f"{os.environ['WARMSTART_REGISTRY']}/{NAMESPACE}/hello"
    assert outputs["image"].startswith(f"{repository}@sha256:")
    hello = kube_json("-n", NAMESPACE, "get", "deployment", "hello")
    assert hello["status"].get("readyReplicas") == hello["spec"]["replicas"]
    container = hello["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == outputs["image"]
    assert {e["name"] for e in container["env"]} >= {"GOMEMLIMIT", "GOMAXPROCS"}


def test_then_nothing_to_change_and_destroy_removes_it(consumer):
    consumer.ok("preview", "--expect-no-changes")
    consumer.ok("destroy", "--yes", "--skip-preview")
    assert kubectl("get", "namespace", NAMESPACE, "--ignore-not-found", "-o", "name") == ""
