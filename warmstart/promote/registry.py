"""Copy one image by digest between registries (OCI distribution API), bytes unchanged.

A promotion between stacks that use different registries must land the *same* digest in the
target, so nothing is rebuilt or re-serialised: the manifest bytes are fetched, checked
against the digest, and put back as they were; blobs are streamed, checked, and uploaded
only when the target lacks them. An image index is copied with every manifest it lists.

Registries on localhost are spoken to over plain HTTP (as Docker and containerd treat them);
every other over HTTPS, with credentials from the Docker config (`docker login`, or
`aws ecr get-login-password | docker login ...` for ECR) when the registry asks for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from warmstart.components.image_reference import parse_reference

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
INDEX_TYPES = MANIFEST_TYPES[:2]
CHUNK = 1 << 20


class RegistryError(Exception):
    """A registry refused, or sent bytes that do not match the digest asked for."""


@dataclass(frozen=True)
class Repository:
    host: str
    path: str

    @property
    def base(self) -> str:
        local = re.match(r"^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$", self.host)
        return f"{'http' if local else 'https'}://{self.host}/v2/{self.path}"


def split(reference: str) -> tuple[Repository, str]:
    """`host/path@sha256:...` -> (repository, digest); a reference without a digest is refused."""
    parsed = parse_reference(reference)
    if not parsed.digest:
        raise RegistryError(f"{reference}: not pinned by digest")
    return Repository(parsed.domain, parsed.path), parsed.digest


@dataclass
class Client:
    """HTTP to registries, with the token or basic credentials each one asks for."""

    docker_config: Path = field(
        default_factory=lambda: (
            Path(os.environ.get("DOCKER_CONFIG", Path.home() / ".docker")) / "config.json"
        )
    )
    _tokens: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | IO[bytes] | None = None,
        headers: dict[str, str] | None = None,
        scope: str = "",
    ) -> urllib.response.addinfourl:
        host = urllib.parse.urlsplit(url).netloc
        for attempt in range(2):
            request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
            if host in self._tokens:
                request.add_header("Authorization", self._tokens[host])
            try:
                return urllib.request.urlopen(request, timeout=120)
            except urllib.error.HTTPError as error:
                if error.code != 401 or attempt:
                    raise
                self._tokens[host] = self._authorization(
                    host, error.headers.get("WWW-Authenticate", ""), scope
                )
        raise RegistryError(f"{method} {url}: unauthorised")

    def _authorization(self, host: str, challenge: str, scope: str) -> str:
        basic = self._basic(host)
        if challenge.lower().startswith("basic"):
            if basic is None:
                raise RegistryError(f"{host} wants credentials: docker login {host}")
            return f"Basic {basic}"
        params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        query = urllib.parse.urlencode(
            {"service": params.get("service", ""), "scope": params.get("scope", scope)}
        )
        request = urllib.request.Request(f"{params['realm']}?{query}")
        if basic:
            request.add_header("Authorization", f"Basic {basic}")
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
        return f"Bearer {body.get('token') or body['access_token']}"

    def _basic(self, host: str) -> str | None:
        if not self.docker_config.is_file():
            return None
        auths = json.loads(self.docker_config.read_text()).get("auths", {})
        for key, entry in auths.items():
            if urllib.parse.urlsplit(key if "//" in key else f"//{key}").netloc == host:
                return entry.get("auth")
        return None


def copy_image(client: Client, source: str, target_repository: str) -> str:
    """Copy `source` (pinned) into `target_repository`; returns the target reference."""
    repository, digest = split(source)
    parsed = parse_reference(target_repository)
    target = Repository(parsed.domain, parsed.path)
    _copy_manifest(client, repository, target, digest)
    return f"{parsed.domain}/{parsed.path}@{digest}"


def _copy_manifest(client: Client, source: Repository, target: Repository, digest: str) -> None:
    pull = f"repository:{source.path}:pull"
    with client.request(
        "GET",
        f"{source.base}/manifests/{digest}",
        headers={"Accept": ", ".join(MANIFEST_TYPES)},
        scope=pull,
    ) as response:
        body = response.read()
        media_type = response.headers.get("Content-Type", "").split(";")[0]
    _check(body, digest, f"manifest {source.path}@{digest}")
    manifest = json.loads(body)
    media_type = manifest.get("mediaType") or media_type
    if media_type in INDEX_TYPES:
        for child in manifest["manifests"]:
            _copy_manifest(client, source, target, child["digest"])
    else:
        for blob in [manifest["config"], *manifest.get("layers", [])]:
            _copy_blob(client, source, target, blob["digest"])
    push = f"repository:{target.path}:pull,push"
    client.request(
        "PUT",
        f"{target.base}/manifests/{digest}",
        data=body,
        headers={"Content-Type": media_type},
        scope=push,
    ).close()


def _copy_blob(client: Client, source: Repository, target: Repository, digest: str) -> None:
    push = f"repository:{target.path}:pull,push"
    try:
        client.request("HEAD", f"{target.base}/blobs/{digest}", scope=push).close()
        return  # already there
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
    with tempfile.TemporaryFile() as spool:
        hasher = hashlib.sha256()
        with client.request(
            "GET", f"{source.base}/blobs/{digest}", scope=f"repository:{source.path}:pull"
        ) as response:
            while chunk := response.read(CHUNK):
                hasher.update(chunk)
                spool.write(chunk)
        if f"sha256:{hasher.hexdigest()}" != digest:
            raise RegistryError(f"blob {source.path}@{digest}: content does not match its digest")
        size = spool.tell()
        spool.seek(0)
        with client.request(
            "POST", f"{target.base}/blobs/uploads/", data=b"", scope=push
        ) as started:
            location = urllib.parse.urljoin(target.base, started.headers["Location"])
        separator = "&" if "?" in location else "?"
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        client.request(
            "PUT", f"{location}{separator}digest={digest}", data=spool, headers=headers, scope=push
        ).close()


def _check(body: bytes, digest: str, what: str) -> None:
    algorithm, _, expected = digest.partition(":")
    if algorithm != "sha256" or hashlib.sha256(body).hexdigest() != expected:
        raise RegistryError(f"{what}: content does not match its digest")


def manifest_digest(client: Client, reference: str) -> str | None:
    """The digest the registry holds `reference` under; None when it has no such manifest."""
    repository, digest = split(reference)
    try:
        with client.request(
            "HEAD",
            f"{repository.base}/manifests/{digest}",
            headers={"Accept": ", ".join(MANIFEST_TYPES)},
            scope=f"repository:{repository.path}:pull",
        ) as response:
            return response.headers.get("Docker-Content-Digest", digest)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise
