"""`warmstart:mirror` and upstream credentials: an ECR pull-through cache before registries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field
from pydantic.alias_generators import to_camel

from components.config.base import ConfigModel, Problem, is_json_object_with

if TYPE_CHECKING:
    from components.config.stack import WarmstartConfig

Upstream = Literal["ecr-public", "k8s", "quay", "docker-hub", "ghcr"]
_ECR_PREFIX = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
# Upstreams ECR pulls from only with credentials (kept in Secrets Manager) -> the config field.
CREDENTIAL_FIELDS = {"docker-hub": "docker_hub_credentials", "ghcr": "ghcr_credentials"}


class MirrorConfig(ConfigModel):
    """ECR pull-through cache rules, the services' own repositories, and reference rewriting."""

    enabled: bool = False
    """Create the cache rules and repositories and rewrite every image reference to them."""
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
    """The mirror needs AWS, credentials exactly where upstreams need them, distinct prefixes."""
    mirror = config.mirror
    if mirror.enabled and config.aws is None:
        yield Problem(
            "mirror.enabled", "the registry mirror needs warmstart:aws (accountId, region)", True
        )
    for upstream, field in CREDENTIAL_FIELDS.items():
        key, credentials = to_camel(field), getattr(config, field)
        wanted = mirror.enabled and upstream in mirror.upstreams
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
