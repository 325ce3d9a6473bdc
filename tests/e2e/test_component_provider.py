"""A Python component provider through the real CLI, as a team in another language uses one.

`pulumi package add <dir>` runs the provider (PulumiPlugin.yaml, `runtime: python`) through
the Python language host to read its schema, generates a Python SDK for the consumer and
links it into the consumer's requirements; `pulumi up` then runs the provider again to
construct the component, whose child is a real ConfigMap on the local cluster. Both the
provider and the consumer get virtualenvs of their own from PyPI, as on a user's machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.e2e.cluster import CONTEXT, kube_json, kubectl
from tests.e2e.project import Project, toolchain_env

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "component_provider"
MESSAGE = "hello from a component provider"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Project:
    kubectl("get", "--raw", "/readyz")
    root = tmp_path_factory.mktemp("component")
    for name in ("greeter", "consumer"):
        shutil.copytree(FIXTURE / name, root / name)
    env = toolchain_env()
    env.update(
        PULUMI_BACKEND_URL=f"file://{root / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="component-test-only",
    )
    (root / "state").mkdir()
    project = Project(root=root / "consumer", env=env, stack="dev")
    project.unstacked("stack", "init", "dev")
    project.unstacked("config", "set", "kubernetes:context", CONTEXT)
    return project


def test_package_add_generates_and_links_a_python_sdk(consumer):
    said = consumer.unstacked("package", "add", "../greeter")
    assert "import pulumi_greeter as greeter" in said
    project = yaml.safe_load((consumer.root / "Pulumi.yaml").read_text())
    assert project["packages"] == {"greeter": "../greeter"}
    sdk = consumer.root / "sdks" / "greeter"
    assert (sdk / "pulumi_greeter" / "greeting.py").is_file()
    requirements = (consumer.root / "requirements.txt").read_text().splitlines()
    assert requirements[-1] == "sdks/greeter"


def test_up_constructs_the_component_in_its_provider(consumer):
    consumer.ok("up", "--yes", "--skip-preview")
    outputs = yaml.safe_load(consumer.ok("stack", "output", "--json"))
    config_map = kube_json("-n", outputs["namespace"], "get", "configmap", outputs["configMap"])
    assert config_map["data"] == {"message": MESSAGE}
    resources = yaml.safe_load(consumer.ok("stack", "export"))["deployment"]["resources"]
    by_type = {resource["type"]: resource for resource in resources}
    component = by_type["greeter:index:Greeting"]
    assert by_type["kubernetes:core/v1:ConfigMap"]["parent"] == component["urn"]
    assert component["outputs"]["config_map"] == outputs["configMap"]


def test_a_second_preview_has_nothing_to_change_and_destroy_removes_it(consumer):
    consumer.ok("preview", "--expect-no-changes")
    namespace = yaml.safe_load(consumer.ok("stack", "output", "--json"))["namespace"]
    consumer.ok("destroy", "--yes", "--skip-preview")
    assert yaml.safe_load(consumer.ok("stack", "export"))["deployment"].get("resources") in (
        None,
        [],
    )
    # the provider waits for a deleted namespace to be gone
    assert kubectl("get", "namespace", namespace, "--ignore-not-found", "-o", "name") == ""
