"""Builds under the real engine: BuildKit builds, the registry receives, the plan pins the digest.

Needs a buildx builder and a registry named by WARMSTART_BUILDER, WARMSTART_REGISTRY and
WARMSTART_GO_IMAGE (the Dockerfile's builder image, where the pinned one cannot be pulled):
`scripts/sandbox/buildkit.sh start` provides all three on this machine; `.ci/run` starts it.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.project import Project, copy_project

pytestmark = pytest.mark.e2e

STACK = "images"
NEEDED = ("WARMSTART_REGISTRY", "WARMSTART_BUILDER", "WARMSTART_GO_IMAGE")
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


def stack_file(registry: str, builder: str, go_image: str) -> str:
    build_args = {"GO_IMAGE": go_image}
    config = {
        "pulumi:disable-default-providers": ["*"],
        "warmstart:cluster": {
            "mode": "render",
            "kubernetesVersion": "1.35",
            "renderDir": f"rendered/{STACK}/provider",
        },
        "warmstart:registry": {"server": registry, "builder": builder},
        "warmstart:prewarm": {
            "enabled": True,
            "sleepBuild": {"context": "services", "target": "sleep", "args": build_args},
        },
        "warmstart:services": [
            {
                "name": "hello",
                "build": {"context": "services", "target": "hello", "args": build_args},
                "startup": {"budgetSeconds": 5, "probe": "http"},
                "resources": {
                    "requests": {"cpu": "50m", "memory": "32Mi"},
                    "limits": {"cpu": "250m", "memory": "64Mi"},
                },
            }
        ],
    }
    return yaml.safe_dump({"config": config}, sort_keys=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    missing = [name for name in NEEDED if not os.environ.get(name)]
    if missing:
        pytest.fail(f"set {', '.join(missing)}: scripts/sandbox/buildkit.sh start; eval its env")
    copied = copy_project(tmp_path_factory, STACK)
    registry, builder, go_image = (os.environ[name] for name in NEEDED)
    (copied.root / "stacks" / f"Pulumi.{STACK}.yaml").write_text(
        stack_file(registry, builder, go_image)
    )
    return copied


def rendered(root: Path, kind: str, name: str) -> dict[str, Any]:
    directory = root / "rendered" / STACK / "provider"
    for path in directory.glob("*/*.yaml"):
        for document in yaml.safe_load_all(path.read_text()):
            if document and document["kind"] == kind and document["metadata"]["name"] == name:
                return document
    raise KeyError((kind, name))


def images(root: Path) -> tuple[str, str, str]:
    """hello in the Deployment, hello in the prewarm holder, sleep in its init container."""
    deployment = rendered(root, "Deployment", "hello")["spec"]["template"]["spec"]
    prewarm = rendered(root, "DaemonSet", "image-prewarm-0")["spec"]["template"]["spec"]
    return (
        deployment["containers"][0]["image"],
        prewarm["containers"][0]["image"],
        prewarm["initContainers"][0]["image"],
    )


def platforms_of(reference: str) -> list[str]:
    """The platforms of the pushed image index, read from the registry itself."""
    host, _, rest = reference.partition("/")
    repository, _, digest = rest.partition("@")
    request = urllib.request.Request(
        f"http://{host}/v2/{repository}/manifests/{digest}",
        headers={"Accept": ", ".join(INDEX_TYPES)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] in INDEX_TYPES
        index = json.load(response)
    return sorted(
        f"{m['platform']['os']}/{m['platform']['architecture']}"
        for m in index["manifests"]
        if m.get("platform", {}).get("os") != "unknown"  # attestation manifests
    )


def test_up_builds_pushes_and_pins_by_digest(project):
    project.ok("up", "--yes", "--skip-preview")
    hello, held, sleep = images(project.root)
    registry = os.environ["WARMSTART_REGISTRY"]
    assert hello.startswith(f"{registry}/warmstart/hello@sha256:")
    assert held == hello
    assert sleep.startswith(f"{registry}/warmstart/sleep@sha256:")
    assert platforms_of(hello) == ["linux/amd64", "linux/arm64"]
    outputs = json.loads(project.ok("stack", "output", "--json"))
    assert outputs["services"]["hello"]["image"] == hello


def test_a_second_up_changes_nothing(project):
    project.ok("up", "--yes", "--expect-no-changes")


def test_a_go_change_rebuilds_only_what_it_touches(project):
    before = images(project.root)
    main = project.root / "services" / "cmd" / "hello" / "main.go"
    source = main.read_text()
    changed = source.replace('"GREETING"), "hello")', '"GREETING"), "hi")')
    assert changed != source, "the one-line change no longer applies to cmd/hello/main.go"
    main.write_text(changed)
    project.ok("up", "--yes", "--skip-preview")
    hello, held, sleep = images(project.root)
    assert hello != before[0]
    assert held == hello
    assert sleep == before[2], "the sleep binary did not change, so neither may its digest"


def test_destroy_leaves_no_rendered_objects(project):
    project.ok("destroy", "--yes", "--skip-preview")
    assert not list((project.root / "rendered" / STACK / "provider").glob("*/*.yaml"))
