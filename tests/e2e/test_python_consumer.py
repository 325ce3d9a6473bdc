"""warmstart as a library: the wheel `python -m build` makes, installed into the virtualenv of
another team's Python program (`examples/consumer-python`), which builds `hello`, pushes it
and deploys it through GoService onto the local cluster.

Nothing of this checkout is on that program's path: `warmstart` comes from the wheel alone.
"""

from __future__ import annotations

import os

import pytest
import yaml

from tests.e2e.cluster import kube_json, kubectl
from tests.e2e.consumers import consumer_project
from tests.e2e.project import Project
from tests.package.wheel import build_wheel, install_into_fresh_venv

pytestmark = pytest.mark.e2e

NAMESPACE = "payments"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Project:
    wheel = build_wheel(tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist"))
    consumer = consumer_project(tmp_path_factory, "consumer-python")
    install_into_fresh_venv(wheel, consumer.root / "venv")
    consumer.unstacked("config", "set", "builder", os.environ["WARMSTART_BUILDER"])
    consumer.unstacked(
        "config", "set", "--path", "buildArgs.GO_IMAGE", os.environ["WARMSTART_GO_IMAGE"]
    )
    return consumer


def test_the_program_runs_warmstart_from_the_wheel_alone(consumer):
    where = consumer.run(
        str(consumer.root / "venv" / "bin" / "python"),
        "-c",
        "import warmstart; print(warmstart.__file__)",
    )
    assert where.stdout.startswith(str(consumer.root / "venv")), where.stderr


def test_it_builds_pins_and_deploys_hello(consumer):
    consumer.ok("up", "--yes", "--skip-preview")
    outputs = yaml.safe_load(consumer.ok("stack", "output", "--json"))
    repository = f"{os.environ['WARMSTART_REGISTRY']}/{NAMESPACE}/hello"
    assert outputs["image"].startswith(f"{repository}@sha256:")
    assert outputs["deployment"] == "hello"
    hello = kube_json("-n", NAMESPACE, "get", "deployment", "hello")
    assert hello["status"].get("readyReplicas") == hello["spec"]["replicas"]
    container = hello["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == outputs["image"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert (env["GOMEMLIMIT"], env["GOMAXPROCS"]) == ("57MiB", "1")


def test_then_nothing_to_change_and_destroy_removes_it(consumer):
    consumer.ok("preview", "--expect-no-changes")
    consumer.ok("destroy", "--yes", "--skip-preview")
    assert kubectl("get", "namespace", NAMESPACE, "--ignore-not-found", "-o", "name") == ""
