"""The local stack on a real cluster: real engine, real kubelet, images built and pulled.

Needs the kubeconfig context warmstart-local (`make up` or scripts/sandbox/cluster.sh start)
and a builder and registry as for test_images (WARMSTART_BUILDER for BUILDX_BUILDER). The
stack deploys into a namespace of its own, so a running `make up` is left alone.
"""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import pytest
import yaml

from tests.e2e.cluster import (
    SANDBOX_CLUSTER,
    STACK,
    kube_json,
    kubectl,
    local_stack,
    wait_for_node_images,
)
from tests.e2e.load import SteadyLoad
from tests.e2e.project import Project

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-e2e"
MIRROR = "127.0.0.1:5001"
LOAD_RATE = 25  # requests per second, each on a new connection


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return local_stack(tmp_path_factory, NAMESPACE)


def test_up_waits_for_every_deployment_and_the_prewarm_daemonset(project):
    project.ok("up", "--yes", "--skip-preview")
    deployments = kube_json("-n", NAMESPACE, "get", "deployments")["items"]
    assert sorted(d["metadata"]["name"] for d in deployments) == ["edge-proxy", "hello", "ledger"]
    for deployment in deployments:
        assert deployment["status"].get("readyReplicas") == deployment["spec"]["replicas"]
    [daemonset] = kube_json("-n", NAMESPACE, "get", "daemonsets")["items"]
    assert daemonset["status"]["numberReady"] == daemonset["status"]["desiredNumberScheduled"] >= 1


def test_the_namespace_enforces_restricted_and_every_pod_is_admitted(project):
    labels = kube_json("get", "namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    pods = kube_json("-n", NAMESPACE, "get", "pods")["items"]
    assert len(pods) == 4  # three services, one prewarm holder
    assert {pod["status"]["phase"] for pod in pods} == {"Running"}


def test_every_stack_image_is_on_the_node_by_its_digest(project):
    outputs = json.loads(project.ok("stack", "output", "--json"))
    wanted = {service["image"] for service in outputs["services"].values()}
    assert all("@sha256:" in image for image in wanted)
    assert set(outputs["prewarmImages"]) == wanted
    # The kubelet reports its images with the node's status, every 10 s at most.
    on_node = wait_for_node_images(lambda images: wanted <= images, timeout_s=60)
    assert wanted <= on_node


def test_every_pod_pulls_through_the_mirror(project):
    outputs = json.loads(project.ok("stack", "output", "--json"))
    assert outputs["mirror"] == {"routes": {"127.0.0.1:5000": MIRROR}}
    pods = kube_json("-n", NAMESPACE, "get", "pods")["items"]
    images = {c["image"] for p in pods for c in p["spec"]["containers"]}
    assert images and all(image.startswith(f"{MIRROR}/warmstart/") for image in images)


UNHELD = "127.0.0.1:5000/base/golang:1.26"  # on the node, but no pod and no holder uses it


def test_kubelet_image_gc_keeps_held_images_and_removes_unheld_ones(project):
    """A full disk, simulated: the kubelet's own GC, forced, must spare every held image."""
    if not kubectl("get", "nodes", "-o", "name").strip().endswith("/warmstart"):
        pytest.skip("forcing the kubelet's image GC needs the sandbox cluster (cluster.sh)")
    outputs = json.loads(project.ok("stack", "output", "--json"))
    held = set(outputs["prewarmImages"])
    subprocess.run([SANDBOX_CLUSTER, "pull", UNHELD], check=True, capture_output=True)
    wait_for_node_images(lambda images: UNHELD in images)
    subprocess.run([SANDBOX_CLUSTER, "collect-images"], check=True, capture_output=True)
    on_node = wait_for_node_images(lambda images: UNHELD not in images)
    assert UNHELD not in on_node
    assert held <= on_node


def edit_stack(project: Project, edit: Any) -> None:
    stack_file = project.root / "stacks" / f"Pulumi.{STACK}.yaml"
    document = yaml.safe_load(stack_file.read_text())
    edit(document["config"]["warmstart:services"])
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))


def test_a_rollout_under_steady_load_fails_no_request(project, report):
    address = kube_json("-n", NAMESPACE, "get", "service", "hello")["spec"]["clusterIP"]
    before = kube_json("-n", NAMESPACE, "get", "deployment", "hello")["metadata"]["generation"]

    def new_budget(services: list[dict[str, Any]]) -> None:
        services[0]["startup"]["budgetSeconds"] = 6

    edit_stack(project, new_budget)
    with SteadyLoad(address, 80, "/v1/hello", rate=LOAD_RATE, limit_s=300) as load:
        time.sleep(2)
        started = time.monotonic()
        project.ok("up", "--yes", "--skip-preview")
        rollout = time.monotonic() - started
        time.sleep(2)
    deployment = kube_json("-n", NAMESPACE, "get", "deployment", "hello")
    assert deployment["metadata"]["generation"] == before + 1
    assert load.result.sent >= LOAD_RATE * rollout
    assert load.result.failures == []
    report.append(
        f"rollout of hello under {LOAD_RATE} req/s (new connection each): {rollout:.1f} s "
        f"(pulumi up), {load.result.sent} requests, {len(load.result.failures)} failed"
    )


def test_a_service_that_cannot_start_in_its_budget_fails_the_up(project, report):
    def add_stuck(services: list[dict[str, Any]]) -> None:
        ledger = next(s for s in services if s["name"] == "ledger")
        stuck = {**ledger, "name": "stuck", "env": {"LEDGER_LOAD_TIME": "10m"}}
        stuck["startup"] = {"budgetSeconds": 3, "probe": "grpc"}
        stuck["autoscaling"] = {"minReplicas": 1, "maxReplicas": 1}  # one wave: 65 s
        services.append(stuck)

    edit_stack(project, add_stuck)
    started = time.monotonic()
    result = project.pulumi("up", "--yes", "--skip-preview")
    took = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0
    report.append(
        f"up with a service that cannot start in its 3 s budget failed after {took:.0f} s"
    )
    # The provider names the Deployment and Service; the pod's termination message, the
    # process's last words before the liveness probe restarted it, names the probe.
    assert "kubernetes:apps/v1:Deployment (stuck)" in output
    assert "'stuck' timed out waiting to be Ready" in output
    assert 'the readiness probe ("readiness") never passed' in output
    assert took < 150

    def remove_stuck(services: list[dict[str, Any]]) -> None:
        services[:] = [s for s in services if s["name"] != "stuck"]

    edit_stack(project, remove_stuck)
    project.ok("up", "--yes", "--skip-preview")


def test_a_second_up_changes_nothing(project):
    project.ok("up", "--yes", "--expect-no-changes")


def test_destroy_leaves_no_objects(project):
    project.ok("destroy", "--yes", "--skip-preview")
    namespaces = kube_json("get", "namespaces")["items"]
    assert NAMESPACE not in {n["metadata"]["name"] for n in namespaces}
