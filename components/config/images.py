"""`build:` (per service and for the prewarm sleep image) and `warmstart:registry`: images the
program builds and pushes itself, pinned by the digest the push returns."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from warmstart.components.config.base import ConfigModel, Problem, is_json_object_with
from warmstart.components.config.paths import ProjectPath

if TYPE_CHECKING:
    from warmstart.components.config.stack import WarmstartConfig

Platform = Literal["linux/amd64", "linux/arm64"]
_REGISTRY_HOST = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$"
_REPOSITORY_PREFIX = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
_BUILD_ARG = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Set by warmstart on every build, never by a stack: BuildKit stamps this time into image
# configs and history, the Dockerfile onto binaries, so unchanged sources give one digest.
REPRODUCIBLE_ARGS = MappingProxyType({"SOURCE_DATE_EPOCH": "0"})


class BuildConfig(ConfigModel):
    """Build the image from a Dockerfile and push it; workloads run it by digest."""

    context: Annotated[str, ProjectPath("directory")] = Field(min_length=1)
    """Build context directory, relative to the project (for the reference services:
    `services`); it must exist."""
    dockerfile: Annotated[str | None, ProjectPath("file", default="{context}/Dockerfile")] = None
    """Dockerfile path relative to the project; default `<context>/Dockerfile`. It must exist."""
    target: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    """Stage to build (a multi-stage Dockerfile's `AS` name)."""
    args: dict[str, str] = {}
    """Build arguments (`--build-arg`); SOURCE_DATE_EPOCH is set by warmstart."""
    platforms: list[Platform] = Field(default=["linux/amd64", "linux/arm64"], min_length=1)
    """Platforms of the pushed image index: arm64 for Graviton, Fargate and Lambda arm64."""


class RegistryConfig(ConfigModel):
    """Where `build:` images are pushed on stacks without the ECR mirror (kind, K3s, on-prem)."""

    server: str = Field(pattern=_REGISTRY_HOST)
    """Registry host and port, such as `registry.example.com` or `localhost:5001`."""
    repository_prefix: str = Field(default="warmstart", pattern=_REPOSITORY_PREFIX)
    """Repositories are `<server>/<prefix>/<service>`."""
    builder: str | None = Field(default=None, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
    """buildx builder to build with; none uses Docker's current builder."""


def image_problems(config: WarmstartConfig) -> Iterator[Problem]:
    """Exactly one of image or build; builds need somewhere to push; sane build inputs."""
    for index, service in enumerate(config.services):
        at = f"services[{index}]"
        if (service.image is None) == (service.build is None):
            found = "both" if service.image is not None else "neither"
            yield Problem(at, "set exactly one of image (prebuilt) or build", found)
        if service.build is not None:
            yield from build_problems(f"{at}.build", service.build)
    prewarm = config.prewarm
    if prewarm.sleep_image is not None and prewarm.sleep_build is not None:
        yield Problem("prewarm.sleepBuild", "set sleepImage or sleepBuild, not both")
    if prewarm.sleep_build is not None:
        yield from build_problems("prewarm.sleepBuild", prewarm.sleep_build)
    yield from _registry_problems(config)


def _builds(config: WarmstartConfig) -> bool:
    """Whether the stack builds any image itself."""
    return config.prewarm.sleep_build is not None or any(
        service.build is not None for service in config.services
    )


def build_problems(at: str, build: BuildConfig) -> Iterator[Problem]:
    for key, path in (("context", build.context), ("dockerfile", build.dockerfile)):
        if path is not None and (path.startswith("/") or ".." in path.split("/")):
            yield Problem(f"{at}.{key}", "must be a path inside the project", path)
    for name in build.args:
        if not _BUILD_ARG.fullmatch(name):
            yield Problem(f"{at}.args.{name}", "not a valid build argument name")
        elif name in REPRODUCIBLE_ARGS:
            yield Problem(f"{at}.args.{name}", "set by warmstart for reproducible digests")
    if len(set(build.platforms)) != len(build.platforms):
        yield Problem(f"{at}.platforms", "must be distinct", build.platforms)


def _registry_problems(config: WarmstartConfig) -> Iterator[Problem]:
    registry, credentials = config.registry, config.registry_credentials
    ecr = config.mirror.enabled and config.mirror.kind == "ecr"
    if _builds(config) and registry is None and not ecr:
        yield Problem(
            "registry",
            "build: needs somewhere to push: warmstart:registry.server, or "
            "warmstart:mirror.enabled with kind ecr (the service's ECR repository)",
        )
    if registry is not None and ecr:
        yield Problem(
            "registry", "the mirror's ECR repositories receive builds on this stack: remove it"
        )
    if credentials is not None and registry is None:
        yield Problem("registryCredentials", "set, but warmstart:registry is not", "(set)")
    elif credentials is not None and not is_json_object_with(credentials, {"username", "password"}):
        yield Problem(
            "registryCredentials", 'must be JSON {"username": ..., "password": ...}', "(secret)"
        )


def dockerfile_path(build: BuildConfig) -> str:
    """The Dockerfile a build uses: the configured one, or the context's own."""
    return build.dockerfile or posixpath.join(build.context, "Dockerfile")
