"""Promotion of exact artifacts between two stacks on the real engine and the real cluster.

The source is the local stack (images built and pushed to 127.0.0.1:5000, run through the
mirror); the target is a second stack of the same project whose services name images in a
registry of its own (started here, on loopback). `warmstart promote` reads the digests the
source runs from its outputs, copies the bytes by digest into the target's registry,
rewrites the target stack file, and the target's `pulumi up` runs exactly those digests.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.e2e.cluster import kube_json, local_stack
from tests.e2e.project import Project
from warmstart.promote.registry import MANIFEST_TYPES, Client, copy_image, manifest_digest

pytestmark = pytest.mark.e2e

SOURCE_NAMESPACE = "warmstart-promote-src"
TARGET_NAMESPACE = "warmstart-promote-dst"
PAUSE = "127.0.0.1:5000/sandbox/pause"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def target_registry(tmp_path_factory: pytest.TempPathFactory):
    """A Distribution registry of the target stack's own, on a free loopback port."""
    root = tmp_path_factory.mktemp("registry")
    address = f"127.0.0.1:{free_port()}"
    config = root / "config.yml"
    config.write_text(
        f"version: 0.1\nstorage: {{filesystem: {{rootdirectory: {root / 'data'}}}}}\n"
        f"http: {{addr: {address}}}\n"
    )
    server = subprocess.Popen(["docker-registry", "serve", str(config)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{address}/v2/", timeout=2).close()
            break
        except OSError:
            time.sleep(0.3)
    yield address
    server.terminate()
    server.wait(timeout=30)


def tag_digest(repository: str, tag: str) -> str:
    host, _, path = repository.partition("/")
    request = urllib.request.Request(
        f"http://{host}/v2/{path}/manifests/{tag}",
        method="HEAD",
        headers={"Accept": ", ".join(MANIFEST_TYPES)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["Docker-Content-Digest"]


def manifest_bytes(reference: str) -> bytes:
    repository, _, digest = reference.partition("@")
    host, _, path = repository.partition("/")
    request = urllib.request.Request(
        f"http://{host}/v2/{path}/manifests/{digest}", headers={"Accept": ", ".join(MANIFEST_TYPES)}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def test_copy_by_digest_keeps_the_bytes_and_is_idempotent(target_registry):
    tags = json.load(
        urllib.request.urlopen(f"http://{PAUSE.split('/', 1)[0]}/v2/sandbox/pause/tags/list")
    )
    source = f"{PAUSE}@{tag_digest(PAUSE, tags['tags'][0])}"
    client = Client(docker_config=Path("/nonexistent"))
    copied = copy_image(client, source, f"{target_registry}/promoted/pause")
    assert copied == f"{target_registry}/promoted/pause@{source.split('@')[1]}"
    assert manifest_bytes(copied) == manifest_bytes(source)
    assert manifest_digest(client, copied) == source.split("@")[1]
    assert copy_image(client, source, f"{target_registry}/promoted/pause") == copied


def python(project: Project) -> str:
    return str(project.root / ".venv" / "bin" / "python")


def promote(project: Project) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python(project), "-m", "warmstart", "promote", "--from", "local", "--to", "target"],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def target_stack_file(project: Project, registry: str) -> Path:
    """The local stack's file, reduced to hello naming an image in the target's registry."""
    source = yaml.safe_load((project.root / "stacks" / "Pulumi.local.yaml").read_text())
    config = source["config"]
    hello = next(s for s in config["warmstart:services"] if s["name"] == "hello")
    hello.pop("build")
    hello["image"] = f"{registry}/warmstart/hello:unpromoted"
    target = {
        "pulumi:disable-default-providers": config["pulumi:disable-default-providers"],
        "warmstart:namespace": TARGET_NAMESPACE,
        "warmstart:cluster": config["warmstart:cluster"],
        "warmstart:services": [hello],
    }
    path = project.root / "stacks" / "Pulumi.target.yaml"
    path.write_text(
        "# the promotion target of the e2e test\n"
        + yaml.safe_dump({"config": target}, sort_keys=False)
    )
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return local_stack(tmp_path_factory, SOURCE_NAMESPACE)


def test_promote_runs_the_source_digest_in_the_target(project, target_registry):
    project.ok("up", "--yes", "--skip-preview")
    outputs = json.loads(project.ok("stack", "output", "services", "--json"))
    running = outputs["hello"]["image"]
    digest = running.split("@")[1]
    path = target_stack_file(project, target_registry)
    target = Project(project.root, project.env, "target")
    subprocess.run(
        ["pulumi", "stack", "init", "target", "--non-interactive"],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
        check=True,
    )
    try:
        first = promote(project)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "local's digests: read from its outputs" in first.stdout
        assert (
            f"hello: copied {running} -> {target_registry}/warmstart/hello@{digest}" in first.stdout
        )
        assert "note: ledger: only in local, not promoted" in first.stdout
        assert f"image: {target_registry}/warmstart/hello@{digest}" in path.read_text()
        assert path.read_text().startswith("# the promotion target of the e2e test\n")

        written = path.read_text()
        second = promote(project)
        assert second.returncode == 0, second.stderr
        assert "target already runs local's digests: nothing to change" in second.stdout
        assert path.read_text() == written

        target.ok("up", "--yes", "--skip-preview")
        deployment = kube_json("-n", TARGET_NAMESPACE, "get", "deployment", "hello")
        image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image == f"{target_registry}/warmstart/hello@{digest}"
        assert deployment["status"].get("readyReplicas", 0) >= 1
    finally:
        target.pulumi("destroy", "--yes", "--skip-preview")
        project.pulumi("destroy", "--yes", "--skip-preview")
