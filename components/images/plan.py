"""Where a built image is pushed, and the build settings that make its digest reproducible.

Pure: the program knows every repository before anything runs, so names, prewarm holders
and plans are stable; only the digest arrives with the push.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from warmstart.components.config.base import is_encrypted_placeholder
from warmstart.components.config.images import (
    REPRODUCIBLE_ARGS,
    BuildConfig,
    RegistryConfig,
    dockerfile_path,
)


@dataclass(frozen=True)
class PushTarget:
    """A repository to push to, and the registry host its credentials are for."""

    registry: str
    repository: str

    def pinned(self, digest: str) -> str:
        """`repository@sha256:...`: the one string every workload runs."""
        return pinned(self.repository, digest)


def pinned(repository: str, digest: str) -> str:
    """A reference by digest alone: tags can move, a digest names one content."""
    return f"{repository}@{digest}"


def push_target(
    name: str,
    *,
    registry: RegistryConfig | None,
    ecr_registry: str | None,
    ecr_prefix: str,
) -> PushTarget:
    """The configured registry's `<prefix>/<name>`, else the mirror's ECR repository."""
    if registry is not None:
        host, prefix = registry.server, registry.repository_prefix
    elif ecr_registry is not None:
        host, prefix = ecr_registry, ecr_prefix
    else:  # parse_config reports a build without a registry first
        raise ValueError(f"no registry to push {name} to")
    return PushTarget(registry=host, repository=f"{host}/{prefix}/{name}")


def build_args(build: BuildConfig) -> dict[str, str]:
    """The configured arguments plus the fixed time that makes builds reproducible."""
    return {**build.args, **REPRODUCIBLE_ARGS}


def build_inputs(build: BuildConfig) -> dict[str, object]:
    """The Docker Build provider's inputs for one build, without the destination."""
    inputs: dict[str, object] = {
        "context": {"location": build.context},
        "dockerfile": {"location": dockerfile_path(build)},
        "platforms": list(build.platforms),
        "build_args": build_args(build),
    }
    if build.target is not None:
        inputs["target"] = build.target
    return inputs


def credential_field(text: str, key: str) -> str:
    """One field of a `{"username", "password"}` secret; offline renders keep the placeholder."""
    if is_encrypted_placeholder(text):
        return text
    value: str = json.loads(text)[key]
    return value
