"""`warmstart:mirror` and upstream credentials: an ECR pull-through cache before registries."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, ValidationError
from pydantic.alias_generators import to_camel

from warmstart.components.config.base import ConfigModel, Problem, is_json_object_with
from warmstart.components.config.problems import problems_from
from warmstart.components.image_reference import UPSTREAM_HOSTS, upstream_host

if TYPE_CHECKING:
    from warmstart.components.config.stack import WarmstartConfig

Upstream = Literal["ecr-public", "k8s", "quay", "docker-hub", "ghcr"]
MirrorKind = Literal["ecr", "registry"]
# host[:port] then optional path components: where a registry-kind mirror serves an upstream.
_MIRROR_BASE = (
    r"^(?:[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
)
_ECR_ONLY = frozenset({"upstreams", "prefixes", "repository_prefix", "keep_images"})
_ECR_PREFIX = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
# Upstreams ECR pulls from only with credentials (kept in Secrets Manager) -> the config field.
CREDENTIAL_FIELDS = {"docker-hub": "docker_hub_credentials", "ghcr": "ghcr_credentials"}


class MirrorConfig(ConfigModel):
    """Pull-through mirrors for every image the stack runs, and reference rewriting to them."""

    enabled: bool = False
    """Rewrite every image reference to its mirror (and, for `ecr`, create the mirror)."""
    kind: MirrorKind = "ecr"
    """`ecr`: ECR pull-through cache rules and repositories in warmstart:aws's account (EKS).
    `registry`: mirrors you run, such as a Distribution registry in proxy mode or a Harbor
    proxy-cache project, for any cluster (existing, K3s, on-prem); see `endpoints`."""
    endpoints: dict[str, Annotated[str, Field(max_length=255, pattern=_MIRROR_BASE)]] = {}
    """Kind `registry`: upstream -> its mirror, `host[:port][/path]`. An upstream is a name
    (`docker-hub`, `k8s`, `quay`, `ghcr`, `ecr-public`) or a registry host; with
    `docker-hub: harbor.corp/hub`, `nginx:1.27` runs as `harbor.corp/hub/library/nginx:1.27`."""
    upstreams: list[Upstream] = ["ecr-public", "k8s", "quay"]
    """Registries to cache: `ecr-public`, `k8s`, `quay`, `docker-hub`, `ghcr`."""
    prefixes: dict[
        Upstream, Annotated[str, Field(min_length=2, max_length=30, pattern=_ECR_PREFIX)]
    ] = {}
    """Upstream -> ECR repository prefix; the upstream's name when not set. Stacks sharing
    an account need distinct prefixes."""
    repository_prefix: str = Field(
        default="warmstart", min_length=2, max_length=30, pattern=_ECR_PREFIX
    )
    """Prefix of the services' own repositories: `<prefix>/<service>`."""
    keep_images: int = Field(default=30, ge=1, le=1000)
    """Images each repository keeps (lifecycle policy)."""


def upstream_credentials(config: WarmstartConfig) -> dict[str, str]:
    """Upstream -> the credentials JSON set for it (a decrypted Pulumi secret)."""
    return {
        upstream: value
        for upstream, field in CREDENTIAL_FIELDS.items()
        if (value := getattr(config, field)) is not None
    }


def mirror_problems(config: WarmstartConfig) -> Iterator[Problem]:
    """ECR needs AWS, credentials exactly where upstreams need them, distinct prefixes;
    a registry-kind mirror needs endpoints and nothing of ECR's."""
    mirror = config.mirror
    if mirror.kind == "registry":
        yield from _registry_kind_problems(mirror)
    elif mirror.endpoints:
        yield Problem("mirror.endpoints", "only for kind registry (ECR's are derived)")
    if mirror.enabled and mirror.kind == "ecr" and config.aws is None:
        yield Problem(
            "mirror.enabled", "the registry mirror needs warmstart:aws (accountId, region)", True
        )
    for upstream, field in CREDENTIAL_FIELDS.items():
        key, credentials = to_camel(field), getattr(config, field)
        wanted = mirror.enabled and mirror.kind == "ecr" and upstream in mirror.upstreams
        if wanted and credentials is None:
            yield Problem(
                key,
                f"required by mirror upstream {upstream}: a secret JSON "
                '{"username": ..., "accessToken": ...}',
            )
        elif credentials is not None and not wanted:
            yield Problem(key, f"set, but mirror upstream {upstream} is not enabled", "(set)")
        elif credentials is not None and not is_json_object_with(
            credentials, {"username", "accessToken"}
        ):
            yield Problem(key, 'must be JSON {"username": ..., "accessToken": ...}', "(secret)")
    for upstream in mirror.prefixes:
        if upstream not in mirror.upstreams:
            yield Problem(
                f"mirror.prefixes.{upstream}", "prefix for an upstream that is not enabled"
            )
    prefixes = [mirror.prefixes.get(u, u) for u in mirror.upstreams] + [mirror.repository_prefix]
    for prefix in sorted({p for p in prefixes if prefixes.count(p) > 1}):
        yield Problem(
            "mirror.prefixes", "two upstreams (or the service repositories) share a prefix", prefix
        )


def _registry_kind_problems(mirror: MirrorConfig) -> Iterator[Problem]:
    if mirror.enabled and not mirror.endpoints:
        yield Problem("mirror.endpoints", "required with kind registry: upstream -> mirror")
    for field in sorted(_ECR_ONLY & mirror.model_fields_set):
        yield Problem(f"mirror.{to_camel(field)}", "only for kind ecr; remove it")
    for upstream, base in mirror.endpoints.items():
        host = upstream_host(upstream)
        if upstream not in UPSTREAM_HOSTS and not _is_registry_host(upstream):
            yield Problem(
                f"mirror.endpoints.{upstream}",
                "must be an upstream name (" + ", ".join(UPSTREAM_HOSTS) + ") or a registry "
                "host (with a dot or a port, or localhost)",
            )
        elif base.partition("/")[0] == host:
            yield Problem(f"mirror.endpoints.{upstream}", "a mirror on its own upstream", base)
    hosts = [upstream_host(upstream) for upstream in mirror.endpoints]
    for host in sorted({h for h in hosts if hosts.count(h) > 1}):
        yield Problem("mirror.endpoints", "two keys name the same upstream registry", host)


def _is_registry_host(text: str) -> bool:
    return re.fullmatch(
        r"(?:[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?", text
    ) is not None and ("." in text or ":" in text or text == "localhost")


def endpoint_problems(endpoints: Mapping[str, str]) -> list[Problem]:
    """A ProxyMirror's endpoints, by the rules of `warmstart:mirror` kind registry; paths
    start at the endpoints (`endpoints.docker-hub`)."""
    try:
        mirror = MirrorConfig.model_validate(
            {"enabled": True, "kind": "registry", "endpoints": dict(endpoints)}
        )
    except ValidationError as error:
        found = problems_from(error, MirrorConfig)
    else:
        found = list(_registry_kind_problems(mirror))
    return [
        Problem(problem.path.removeprefix("mirror."), problem.message, problem.value)
        for problem in found
    ]
