"""Prewarm in image-volume mode on a real cluster: every image held, nothing from them runs.

The local stack again, in a namespace of its own: first as written (prewarm in `sleep` mode:
one holder process per image), then switched to `image-volume` mode (Kubernetes 1.35+,
containerd 2.1+: one pause container mounts every image as a read-only image volume), the
way a team would switch, by one `up`. Besides the services' three images, prewarm holds one
`extraImages` entry that nothing else on the cluster uses (a never-seen copy of the pause
image): the services' own pods keep their images in use, so only that one shows that an
image volume alone holds an image against the kubelet's GC. What each mode costs on the node is measured in
between and printed with the other figures of the run. The pause image is the sandbox's own
(the `sleep` target that scripts/sandbox/cluster.sh pushes as its CRI pause image), since
registry.k8s.io cannot be reached here.

The checks ask containerd itself and force the kubelet's image GC through the sandbox
cluster's test aids (scripts/sandbox/cluster.sh images, processes, collect-images); they
are skipped on another cluster. Needs what test_cluster needs.
"""

from __future__ import annotations

import copy
import json
import platform
import subprocess
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from bench.prewarm_cost import pod_requests
from bench.pull_scenarios import ARCHES
from bench.unique_images import push_copy, read_image
from tests.e2e.cluster import (
    STACK,
    kube_json,
    kubectl,
    local_stack,
    on_sandbox_cluster,
    sandbox_aid,
)
from tests.e2e.project import Project
from warmstart.components.quantities import MEBIBYTE

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-e2e-volumes"
REGISTRY, MIRROR = "127.0.0.1:5000", "127.0.0.1:5001"
PAUSE = f"{REGISTRY}/sandbox/pause:1"  # cluster.sh's CRI pause image: the `sleep` target
HELD_ONLY = "warmstart-e2e/held-only"  # repository of the image only prewarm holds
UNHELD = "127.0.0.1:5000/base/golang:1.26"  # on the node, but no pod and no holder uses it
SETTLE_S = 30.0  # a prewarm pod's age before its working set is read
COST: dict[str, dict[str, Any]] = {}  # mode -> what its prewarm pod costs on the node


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    copied = local_stack(tmp_path_factory, NAMESPACE)
    if not on_sandbox_cluster():
        pytest.skip("containerd's view and a forced image GC need the sandbox cluster (cluster.sh)")
    set_prewarm(copied, extraImages=[held_only_copy()])
    return copied


def held_only_copy() -> str:
    """A never-seen copy of the pause image, pushed by digest: only prewarm will hold it."""
    arch = ARCHES.get(platform.machine(), platform.machine())
    source = read_image(REGISTRY, "sandbox/pause", "1", arch)
    digest = push_copy(REGISTRY, HELD_ONLY, source, f"e2e-{uuid.uuid4().hex[:12]}")
    return f"{REGISTRY}/{HELD_ONLY}@{digest}"


def set_prewarm(project: Project, **fields: Any) -> None:
    stack_file = project.root / "stacks" / f"Pulumi.{STACK}.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["warmstart:prewarm"].update(fields)
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))


def prewarm_pod() -> dict[str, Any]:
    """The one prewarm pod, once its DaemonSet has rolled out and only it is left."""
    deadline = time.monotonic() + 120
    while True:
        [daemonset] = kube_json("-n", NAMESPACE, "get", "daemonsets")["items"]
        status = daemonset["status"]
        pods = kube_json(
            "-n", NAMESPACE, "get", "pods", "-l", "app.kubernetes.io/name=image-prewarm"
        )
        rolled = status.get("updatedNumberScheduled") == status["desiredNumberScheduled"]
        ready = status.get("numberReady") == status["desiredNumberScheduled"] >= 1
        if rolled and ready and len(pods["items"]) == 1:
            return pods["items"][0]
        assert time.monotonic() < deadline, f"prewarm not rolled out: {status}"
        time.sleep(2)


def processes(pod: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """(container, image, executable, RSS KiB) of every process of `pod`, its sandbox's too."""
    lines = sandbox_aid("processes", NAMESPACE, pod["metadata"]["name"]).splitlines()
    return [
        (c, image, exe, int(rss or 0))
        for c, image, _pid, exe, rss in (line.split("\t") for line in lines)
    ]


def working_set(pod: dict[str, Any]) -> int:
    """The pod's memory working set (bytes), from the kubelet's stats summary, taken once the
    pod has run for SETTLE_S (what starting it charged to its cgroup has been written back)."""
    started = datetime.fromisoformat(pod["status"]["startTime"])
    time.sleep(max(0.0, SETTLE_S - (datetime.now(UTC) - started).total_seconds()))
    deadline = time.monotonic() + 90
    while True:
        summary = json.loads(kubectl("get", "--raw", "/api/v1/nodes/warmstart/proxy/stats/summary"))
        for stats in summary["pods"]:
            if stats["podRef"]["uid"] == pod["metadata"]["uid"]:
                found = stats.get("memory", {}).get("workingSetBytes")
                if found:
                    return found
        # cAdvisor reports a new pod after its next housekeeping pass (10-15 s).
        assert time.monotonic() < deadline, "no stats for the prewarm pod after 90 s"
        time.sleep(3)


def measure(mode: str) -> None:
    pod = prewarm_pod()
    cpu, memory, images = pod_requests(pod["spec"])
    running = processes(pod)
    COST[mode] = {
        "processes": len(running),
        "rss": sum(rss for *_, rss in running) * 1024,
        "working_set": working_set(pod),
        "cpu": cpu,
        "memory": memory,
        "images": images,
    }


def test_up_in_sleep_mode_then_in_image_volume_mode(project, report):
    started = time.monotonic()
    project.ok("up", "--yes", "--skip-preview")
    first = time.monotonic() - started
    measure("sleep")
    set_prewarm(project, mode="image-volume", pauseImage=PAUSE)
    started = time.monotonic()
    project.ok("up", "--yes", "--skip-preview")
    switch = time.monotonic() - started
    pod = prewarm_pod()
    spec = pod["spec"]
    assert [c["name"] for c in spec["containers"]] == ["pause"]
    assert "initContainers" not in spec
    volumes = [v["image"]["reference"] for v in spec["volumes"]]
    outputs = json.loads(project.ok("stack", "output", "--json"))
    assert sorted(volumes) == sorted(outputs["prewarmImages"])
    measure("image-volume")
    report.append(f"prewarm: up in sleep mode {first:.0f} s, switch to image-volume {switch:.0f} s")
    for mode, cost in COST.items():
        report.append(
            f"prewarm {mode:<12} per node: {cost['images']} images, {cost['processes']} processes "
            f"(sandbox included), RSS {cost['rss'] / MEBIBYTE:.1f} MiB, "
            f"pod working set {cost['working_set'] / MEBIBYTE:.1f} MiB, "
            f"requests {float(cost['cpu'] * 1000):.0f}m CPU / {cost['memory'] / MEBIBYTE:.0f} MiB"
        )


def held_images(project: Project) -> set[str]:
    outputs = json.loads(project.ok("stack", "output", "--json"))
    held = set(outputs["prewarmImages"])
    assert len(held) == 4 and all("@sha256:" in image for image in held)  # 3 services + 1
    return held


def test_every_prewarmed_image_is_on_the_node(project):
    on_node = set(sandbox_aid("images").split())
    assert held_images(project) <= on_node


def test_no_process_from_the_held_images_runs(project):
    """Only the pod's sandbox and its pause container run, both from the pause image."""
    pod = prewarm_pod()
    running = processes(pod)
    assert sorted(container for container, *_ in running) == ["-", "pause"]
    pause = {PAUSE, PAUSE.replace(REGISTRY, MIRROR)}  # the sandbox's, and as the mirror rewrites it
    assert {image for _, image, *_ in running} <= pause
    assert not {image for _, image, *_ in running} & held_images(project)
    assert COST["sleep"]["processes"] == 1 + 4  # against: sandbox + one holder per image


def test_the_namespace_enforces_restricted(project):
    labels = kube_json("get", "namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    pod = prewarm_pod()
    assert pod["status"]["phase"] == "Running"  # admitted, image volumes and all
    # The same pod, allowed to escalate privileges (which the API server itself accepts), is
    # refused by PodSecurity admission: the label is enforced, not just set.
    refused = copy.deepcopy(pod["spec"])
    refused.pop("nodeName", None)
    refused["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "prewarm-privileged", "namespace": NAMESPACE},
        "spec": refused,
    }
    result = subprocess.run(
        ["kubectl", "--context", "warmstart-local", "create", "--dry-run=server", "-f", "-"],
        input=json.dumps(manifest),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert 'violates PodSecurity "restricted' in result.stderr


def test_kubelet_image_gc_keeps_the_images_held_by_volumes(project, report):
    """A full disk, simulated: the kubelet's own GC, forced, removes an unused image only."""
    held = held_images(project)
    [held_only] = [image for image in held if f"/{HELD_ONLY}@" in image]
    pods = kube_json("get", "pods", "--all-namespaces")["items"]
    run = {
        c["image"]
        for p in pods
        for c in p["spec"]["containers"] + p["spec"].get("initContainers", [])
    }
    assert held_only not in run  # no container anywhere: an image volume is all that holds it
    sandbox_aid("pull", UNHELD, timeout=300)
    assert UNHELD in sandbox_aid("images").split()
    started = time.monotonic()
    sandbox_aid("collect-images", timeout=600)
    report.append(
        f"prewarm image-volume: forced kubelet image GC pass {time.monotonic() - started:.0f} s"
    )
    on_node = set(sandbox_aid("images").split())
    assert UNHELD not in on_node
    assert held <= on_node
    assert held_only in on_node
    assert prewarm_pod()["status"]["phase"] == "Running"


def test_destroy_leaves_no_objects(project):
    project.ok("destroy", "--yes", "--skip-preview")
    namespaces = kube_json("get", "namespaces")["items"]
    assert NAMESPACE not in {n["metadata"]["name"] for n in namespaces}
