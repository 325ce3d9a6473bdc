"""Several instances of one component in one program, on the real engine and the real cluster.

The local stack's program, extended as another team would: a second `hello` GoService (the
same service name) in a namespace of its own, running the digest the stack built; a second
ImagePrewarm in the stack's namespace beside the program's own; a second ProxyMirror. All
of them deploy, the kubelet runs them, a preview afterwards has nothing to change, and
destroy removes them.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.cluster import kube_json, kubectl, local_stack
from tests.e2e.project import Project

pytestmark = pytest.mark.e2e

NAMESPACE = "warmstart-instances"
OTHER = "warmstart-instances-other"
PROGRAM = f'''
import pulumi
import pulumi_kubernetes as k8s

from warmstart.components import (
    GoService, GoServiceArgs, ImagePrewarm, ImagePrewarmArgs, ProxyMirror, ProxyMirrorArgs,
)
from warmstart.components.config import load_config
from warmstart.components.prewarm.spec import HeldImage
from warmstart.components.program import build_stack

config = load_config()
stack = build_stack(config)
cluster = pulumi.ResourceOptions(provider=stack.cluster.provider)
hello = next(service for service in config.services if service.name == "hello")
other = k8s.core.v1.Namespace(
    "{OTHER}",
    metadata={{"name": "{OTHER}", "labels": {{"pod-security.kubernetes.io/enforce": "restricted"}}}},
    opts=cluster,
)
GoService(
    "hello-other",
    GoServiceArgs(service=hello, namespace="{OTHER}", image=stack.services["hello"].image),
    opts=pulumi.ResourceOptions(provider=stack.cluster.provider, depends_on=[other]),
)
ImagePrewarm(
    "prewarm-second",
    ImagePrewarmArgs(
        images=[HeldImage("hello", stack.services["hello"].image)],
        namespace=config.namespace,
        prewarm=config.prewarm,
        sleep_image=stack.images["sleep"].ref,
    ),
    opts=pulumi.ResourceOptions(provider=stack.cluster.provider, depends_on=[stack.namespace]),
)
ProxyMirror("mirror-second", ProxyMirrorArgs(endpoints={{"docker-hub": "127.0.0.1:5001"}}))
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = local_stack(tmp_path_factory, NAMESPACE)
    (project.root / "__main__.py").write_text(PROGRAM)
    return project


def test_instances_of_one_component_deploy_side_by_side(project):
    project.ok("up", "--yes", "--skip-preview")
    for namespace in (NAMESPACE, OTHER):
        hello = kube_json("-n", namespace, "get", "deployment", "hello")
        assert hello["status"].get("readyReplicas") == hello["spec"]["replicas"]
    daemonsets = kube_json("-n", NAMESPACE, "get", "daemonsets")["items"]
    assert sorted(d["metadata"]["name"] for d in daemonsets) == [
        "image-prewarm-0",
        "prewarm-second-0",
    ]
    for daemonset in daemonsets:
        status = daemonset["status"]
        assert status["numberReady"] == status["desiredNumberScheduled"] >= 1
    classes = {c["metadata"]["name"] for c in kube_json("get", "priorityclasses")["items"]}
    assert {f"{NAMESPACE}-image-prewarm", f"{NAMESPACE}-prewarm-second"} <= classes
    resources = json.loads(project.ok("stack", "export"))["deployment"]["resources"]
    mirrors = sorted(
        r["urn"].rsplit("::", 1)[1] for r in resources if r["type"].endswith(":ProxyMirror")
    )
    assert mirrors == ["mirror-second", "proxy-mirror"]


def test_a_second_preview_changes_nothing_and_destroy_removes_both(project):
    project.ok("preview", "--expect-no-changes")
    project.ok("destroy", "--yes", "--skip-preview")
    for namespace in (NAMESPACE, OTHER):
        assert kubectl("get", "namespace", namespace, "--ignore-not-found", "-o", "name") == ""
