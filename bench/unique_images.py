"""Never-seen copies of a pushed image, so that every benchmark pod really pulls.

A node skips any layer it already holds, whatever the image's name, so timing pulls needs
images whose layers no node has seen. Each copy is the source image (the platform the node
runs) with one small file added to every layer: the same program, unique digests. Copies
are pushed to a registry through its HTTP API; only loopback registries are contacted.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import urllib.request
from dataclasses import dataclass

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)


@dataclass(frozen=True)
class Image:
    manifest: dict
    config: dict
    layers: list[bytes]  # compressed, in manifest order


def _get(url: str, accept: str | None = None) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), response.headers.get("Content-Type", "")


def read_image(registry: str, repository: str, digest: str, arch: str) -> Image:
    """The single-platform image at repository@digest (an index is resolved to `arch`)."""
    base = f"http://{registry}/v2/{repository}"
    body, _ = _get(f"{base}/manifests/{digest}", ", ".join(MANIFEST_TYPES))
    manifest = json.loads(body)
    if "manifests" in manifest:
        [chosen] = [
            m
            for m in manifest["manifests"]
            if m.get("platform", {}).get("os") == "linux"
            and m["platform"].get("architecture") == arch
        ]
        manifest = json.loads(_get(f"{base}/manifests/{chosen['digest']}", chosen["mediaType"])[0])
    config = json.loads(_get(f"{base}/blobs/{manifest['config']['digest']}")[0])
    layers = [_get(f"{base}/blobs/{layer['digest']}")[0] for layer in manifest["layers"]]
    return Image(manifest, config, layers)


def marked_layer(layer: bytes, marker: str) -> tuple[bytes, str]:
    """The layer with `/.warmstart-bench` holding `marker`: (gzip bytes, uncompressed digest)."""
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(gzip.decompress(layer))) as source,
        tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as target,
    ):
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        data = marker.encode()
        info = tarfile.TarInfo(".warmstart-bench")
        info.size, info.mode = len(data), 0o444
        target.addfile(info, io.BytesIO(data))
    tar = out.getvalue()
    return gzip.compress(tar, compresslevel=6, mtime=0), "sha256:" + hashlib.sha256(tar).hexdigest()


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _push_blob(registry: str, repository: str, data: bytes) -> str:
    digest = _digest(data)
    start = urllib.request.Request(
        f"http://{registry}/v2/{repository}/blobs/uploads/", method="POST", data=b""
    )
    with urllib.request.urlopen(start, timeout=60) as response:
        location = response.headers["Location"]
    if location.startswith("/"):
        location = f"http://{registry}{location}"
    separator = "&" if "?" in location else "?"
    put = urllib.request.Request(
        f"{location}{separator}digest={digest}",
        method="PUT",
        data=data,
        headers={"Content-Type": "application/octet-stream"},
    )
    urllib.request.urlopen(put, timeout=60).close()
    return digest


def push_copy(registry: str, repository: str, image: Image, marker: str) -> str:
    """Push a marked copy of `image` as repository:marker; its manifest digest comes back."""
    layers = [marked_layer(layer, marker) for layer in image.layers]
    config = {**image.config, "rootfs": {"type": "layers", "diff_ids": [d for _, d in layers]}}
    config_bytes = json.dumps(config, separators=(",", ":")).encode()
    manifest = {
        **image.manifest,
        "config": {
            **image.manifest["config"],
            "digest": _push_blob(registry, repository, config_bytes),
            "size": len(config_bytes),
        },
        "layers": [
            {**meta, "digest": _push_blob(registry, repository, data), "size": len(data)}
            for meta, (data, _) in zip(image.manifest["layers"], layers, strict=True)
        ],
    }
    body = json.dumps(manifest, separators=(",", ":")).encode()
    put = urllib.request.Request(
        f"http://{registry}/v2/{repository}/manifests/{marker}",
        method="PUT",
        data=body,
        headers={"Content-Type": manifest["mediaType"]},
    )
    urllib.request.urlopen(put, timeout=60).close()
    return _digest(body)


def warm(registry: str, repository: str, digest: str) -> None:
    """Pull manifest and blobs once through `registry` (a pull-through mirror fills its cache)."""
    base = f"http://{registry}/v2/{repository}"
    manifest = json.loads(_get(f"{base}/manifests/{digest}", ", ".join(MANIFEST_TYPES))[0])
    for blob in [manifest["config"], *manifest["layers"]]:
        _get(f"{base}/blobs/{blob['digest']}")
