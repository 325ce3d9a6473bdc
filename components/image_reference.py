"""Container image references: parsing, and rewriting to the account's ECR pull-through cache.

kubelet reuses a pulled image only under the exact reference string it was pulled by, so the
pods of a GoService and the prewarm DaemonSet must carry the *same* rewritten string. Both
get it from `mirror_reference`, and nothing else rewrites references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

DOCKER_HUB = "docker.io"
# Names Docker Hub answers to; references to any of them mean the same image.
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

# Upstream names (as stack files spell them) -> the registry host a reference names, and the
# upstream URL ECR's pull-through cache rule wants.
UPSTREAM_HOSTS = MappingProxyType(
    {
        "ecr-public": "public.ecr.aws",
        "k8s": "registry.k8s.io",
        "quay": "quay.io",
        "docker-hub": DOCKER_HUB,
        "ghcr": "ghcr.io",
    }
)
UPSTREAM_URLS = MappingProxyType({**UPSTREAM_HOSTS, "docker-hub": "registry-1.docker.io"})

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"^(?:(?P<domain>[A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)/)?"
    rf"(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)


class ImageReferenceError(ValueError):
    """A string that is not a container image reference."""


@dataclass(frozen=True)
class ImageReference:
    """A reference split into its parts, with Docker Hub's implicit parts made explicit."""

    domain: str
    path: str
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        text = f"{self.domain}/{self.path}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> ImageReference:
    """Split `text` as the container runtime would, normalising Docker Hub's shorthand."""
    match = _REFERENCE.fullmatch(text) if len(text) <= 4096 else None
    if match is None:
        raise ImageReferenceError(f"not an image reference: {text!r}")
    first, path = match["domain"], match["path"]
    if first is not None and not _looks_like_registry(first):
        # "acme/api": the first component is a Docker Hub namespace, not a host.
        if not re.fullmatch(_PATH_COMPONENT, first):
            raise ImageReferenceError(f"not an image reference: {text!r}")
        path, first = f"{first}/{path}", None
    domain = first or DOCKER_HUB
    if domain in DOCKER_HUB_ALIASES:
        domain = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"
    return ImageReference(domain=domain, path=path, tag=match["tag"], digest=match["digest"])


def _looks_like_registry(component: str) -> bool:
    """The runtime's rule: a host has a dot or a port, or is localhost, or has capitals."""
    return (
        "." in component
        or ":" in component
        or component == "localhost"
        or component != component.lower()
        or component.startswith("[")
    )


def ecr_registry(account_id: str, region: str) -> str:
    return f"{account_id}.dkr.ecr.{region}.amazonaws.com"


@dataclass(frozen=True)
class MirrorTarget:
    """Where rewritten references point: per upstream registry host, its mirror's base.

    A base is `host[:port][/path]`: an ECR registry and the upstream's prefix, a Distribution
    registry in proxy mode (one per upstream), or a Harbor proxy-cache project.
    """

    routes: MappingProxyType[str, str]

    @staticmethod
    def for_account(account_id: str, region: str, prefixes: dict[str, str]) -> MirrorTarget:
        """`prefixes` maps upstream names (ecr-public, k8s, ...) to their ECR prefixes."""
        registry = ecr_registry(account_id, region)
        return MirrorTarget.for_endpoints(
            {upstream: f"{registry}/{prefix}" for upstream, prefix in prefixes.items()}
        )

    @staticmethod
    def for_endpoints(endpoints: dict[str, str]) -> MirrorTarget:
        """`endpoints` maps upstream names or registry hosts to the bases that mirror them."""
        return MirrorTarget(
            MappingProxyType({upstream_host(key): base for key, base in endpoints.items()})
        )


def upstream_host(name: str) -> str:
    """The registry host a stack file's upstream means: a known name's host, or itself."""
    host = UPSTREAM_HOSTS.get(name, name)
    return DOCKER_HUB if host in DOCKER_HUB_ALIASES else host


def mirror_reference(text: str, target: MirrorTarget | None) -> str:
    """The reference pods should use: through the mirror of its registry, if there is one.

    References to a registry no mirror stands for, or any reference when there is no
    mirror, come back exactly as given; digests and tags are kept as they are.
    """
    if target is None:
        return text
    reference = parse_reference(text)
    base = target.routes.get(reference.domain)
    if base is None:
        return text
    domain, _, prefix = base.partition("/")
    return str(
        ImageReference(
            domain=domain,
            path=f"{prefix}/{reference.path}" if prefix else reference.path,
            tag=reference.tag,
            digest=reference.digest,
        )
    )


def is_digest_pinned(text: str) -> bool:
    """Pinned means a sha256 digest; a tag alone can be moved to other content."""
    try:
        digest = parse_reference(text).digest
    except ImageReferenceError:
        return False
    return digest is not None and re.fullmatch(r"sha256:[0-9a-f]{64}", digest) is not None
