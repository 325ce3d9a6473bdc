"""Benchmark: image size as pushed, and build time cold, cached and after a one-line change.

Builds `services/` (a copy, so the one-line change never touches the repository) with
BuildKit for linux/amd64 and linux/arm64, pushes to a registry on loopback, and reads the
sizes back from the registry: compressed = manifest + config + layers as stored,
uncompressed = the layers unpacked. The comparison is the articles' single-stage build (the
Go toolchain image plus the binary), built from the same sources. Reported, not asserted:

    eval "$(scripts/sandbox/buildkit.sh env)"
    .venv/bin/python -m bench.images --registry "$WARMSTART_REGISTRY" \
        --buildctl "$WARMSTART_BUILDCTL" --go-image "$WARMSTART_GO_IMAGE"
"""

from __future__ import annotations

import argparse
import gzip
import json
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "services"
INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join(
    (
        INDEX,
        MANIFEST,
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
SINGLE_STAGE = """ARG GO_IMAGE
FROM ${GO_IMAGE}
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /hello ./cmd/hello
CMD ["/hello"]
"""


@dataclass(frozen=True)
class Size:
    platform: str
    compressed: int
    uncompressed: int


class Builder:
    def __init__(self, buildctl: str, registry: str, go_image: str) -> None:
        self.buildctl = shlex.split(buildctl)
        self.registry = registry
        self.go_image = go_image

    def prune(self) -> None:
        subprocess.run([*self.buildctl, "prune", "--all"], check=True, capture_output=True)

    def build(
        self, context: Path, target: str | None, platforms: str, repository: str, dockerfile: str
    ) -> tuple[float, str]:
        """Seconds to build and push, and the pushed digest."""
        metadata = context / "metadata.json"
        options = ["--opt", f"platform={platforms}", "--opt", f"build-arg:GO_IMAGE={self.go_image}"]
        options += ["--opt", "build-arg:SOURCE_DATE_EPOCH=0", "--opt", f"filename={dockerfile}"]
        if target:
            options += ["--opt", f"target={target}"]
        name = f"{self.registry}/{repository}"
        started = time.perf_counter()
        subprocess.run(
            [
                *self.buildctl,
                "build",
                "--frontend",
                "dockerfile.v0",
                "--local",
                f"context={context}",
                "--local",
                f"dockerfile={context}",
                *options,
                "--output",
                f"type=image,name={name},push=true,push-by-digest=true",
                "--metadata-file",
                str(metadata),
            ],
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - started
        return elapsed, json.loads(metadata.read_text())["containerimage.digest"]


def fetch(registry: str, repository: str, reference: str, accept: str = ACCEPT) -> bytes:
    request = urllib.request.Request(
        f"http://{registry}/v2/{repository}/{reference}", headers={"Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def sizes(registry: str, repository: str, digest: str) -> list[Size]:
    """Per platform: what a node pulls (compressed) and what it unpacks (uncompressed)."""
    top = json.loads(fetch(registry, repository, f"manifests/{digest}"))
    single = {"digest": digest, "platform": {"os": "linux", "architecture": "amd64"}}
    entries = top.get("manifests") or [single]
    result = []
    for entry in entries:
        platform = entry.get("platform", {})
        if platform.get("os") == "unknown":  # attestations, not pulled by nodes
            continue
        raw = fetch(registry, repository, f"manifests/{entry['digest']}")
        manifest = json.loads(raw)
        layers = manifest["layers"]
        compressed = len(raw) + manifest["config"]["size"] + sum(layer["size"] for layer in layers)
        unpacked = sum(
            len(gzip.decompress(fetch(registry, repository, f"blobs/{layer['digest']}")))
            for layer in layers
        )
        result.append(
            Size(f"{platform.get('os')}/{platform.get('architecture')}", compressed, unpacked)
        )
    return result


def report(label: str, measured: list[Size]) -> None:
    for size in measured:
        print(
            f"  {label:<28} {size.platform:<12} compressed {size.compressed / 1e6:7.2f} MB"
            f"   uncompressed {size.uncompressed / 1e6:7.2f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--registry", required=True)
    parser.add_argument("--buildctl", required=True, help="buildctl command with its --addr")
    parser.add_argument("--go-image", required=True, help="the Dockerfile's GO_IMAGE")
    args = parser.parse_args()
    builder = Builder(args.buildctl, args.registry, args.go_image)
    with tempfile.TemporaryDirectory() as scratch:
        context = Path(scratch) / "services"
        shutil.copytree(SERVICES, context)
        both = "linux/amd64,linux/arm64"
        builder.prune()
        cold, hello = builder.build(context, "hello", both, "bench/hello", "Dockerfile")
        builder.prune()  # a second build from nothing must give the same digest
        cold_again, hello_again = builder.build(context, "hello", both, "bench/hello", "Dockerfile")
        _, sleep = builder.build(context, "sleep", both, "bench/sleep", "Dockerfile")
        cached, again = builder.build(context, "hello", both, "bench/hello", "Dockerfile")
        main_go = context / "cmd" / "hello" / "main.go"
        source = main_go.read_text()
        changed_source = source.replace('"GREETING"), "hello")', '"GREETING"), "hi")')
        if changed_source == source:
            raise SystemExit("the one-line change no longer applies to cmd/hello/main.go")
        main_go.write_text(changed_source)
        changed, _ = builder.build(context, "hello", both, "bench/hello", "Dockerfile")
        (context / "Dockerfile.single").write_text(SINGLE_STAGE)
        (context / ".dockerignore").unlink()
        single_time, single = builder.build(
            context, None, "linux/amd64", "bench/single-stage", "Dockerfile.single"
        )
    print("image sizes, as pushed (manifest + config + layers) and unpacked")
    report("hello (scratch, multi-stage)", sizes(args.registry, "bench/hello", hello))
    report("sleep (scratch)", sizes(args.registry, "bench/sleep", sleep))
    report("single stage (Go image)", sizes(args.registry, "bench/single-stage", single))
    print("build and push of hello, amd64 + arm64")
    print(f"  cold (empty BuildKit cache)   {cold:6.1f} s")
    same = hello_again == hello
    print(f"  cold again, after a prune     {cold_again:6.1f} s   same digest: {same}")
    print(f"  unchanged, cached             {cached:6.1f} s   same digest: {again == hello}")
    print(f"  one-line Go change, warm      {changed:6.1f} s")
    print(f"  single stage, amd64 only      {single_time:6.1f} s (cache warm from the above)")


if __name__ == "__main__":
    main()
