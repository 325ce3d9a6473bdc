"""ServiceImage: build one image with BuildKit, push it, and hand back `repository@digest`.

Built by Pulumi's Docker Build provider (buildx and BuildKit as a library): multi-platform
builds, cache mounts and exports to a registry, with the digest the push returned as an
output. The image is pushed by digest, with no tag: ECR repositories here are tag-immutable,
and a digest is the only name a workload should run anyway. Ordering is explicit: whatever
the push needs (the repository) comes through `depends_on`, and workloads depend on `ref`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_docker_build as docker_build

from warmstart.components.config.images import BuildConfig, build_problems
from warmstart.components.config.parse import project_directory
from warmstart.components.config.paths import path_problems
from warmstart.components.config.problems import ConfigError, parsed_model
from warmstart.components.dependencies import inherited_dependencies
from warmstart.components.images.plan import PushTarget, build_inputs

TYPE_TOKEN = "warmstart:docker:ServiceImage"


@dataclass(frozen=True)
class RegistryLogin:
    """Credentials for the push, held in memory by the provider (no `docker login`)."""

    username: pulumi.Input[str]
    password: pulumi.Input[str]


@dataclass(frozen=True)
class ServiceImageArgs:
    """One build and where it goes. What must exist before the push (the ECR repository)
    comes through the resource options' `depends_on`."""

    build: BuildConfig | Mapping[str, Any]
    """A `build:` entry as a stack file writes it (context, dockerfile, target, args,
    platforms), or parsed."""
    target: PushTarget
    """The repository to push to and the registry host the login is for."""
    login: RegistryLogin | None = None
    """Credentials for the push; none uses what the builder already has."""
    builder: str | None = None
    """A buildx builder by name; none uses Docker's current builder."""


class ServiceImage(pulumi.ComponentResource):
    """One pushed image; `ref` is the pinned reference every workload of it runs."""

    image: docker_build.Image
    repository: str
    ref: pulumi.Output[str]

    def __init__(
        self, name: str, args: ServiceImageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        build = _validated(name, args.build)
        super().__init__(TYPE_TOKEN, name, None, opts)
        target = args.target
        registries = None
        if args.login is not None:
            registries = [
                docker_build.RegistryArgs(
                    address=target.registry,
                    username=args.login.username,
                    password=pulumi.Output.secret(args.login.password),
                )
            ]
        self.image = docker_build.Image(
            name,
            **build_inputs(build),
            exports=[
                docker_build.ExportArgs(
                    image=docker_build.ExportImageArgs(
                        names=[target.repository], push=True, push_by_digest=True
                    )
                )
            ],
            # A preview must not need a builder: the build runs on `up`, and an unchanged
            # context (hashed by the provider) is no change at all.
            build_on_preview=False,
            push=False,
            registries=registries,
            builder=docker_build.BuilderConfigArgs(name=args.builder) if args.builder else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=inherited_dependencies(opts)),
        )
        self.repository = target.repository
        self.ref = self.image.digest.apply(target.pinned)
        self.register_outputs({"repository": self.repository, "ref": self.ref})


def _validated(name: str, value: BuildConfig | Mapping[str, Any]) -> BuildConfig:
    """The build parsed and checked by the stack file's rules, or ConfigError naming every
    problem, before anything registers."""
    parsed = parsed_model(BuildConfig, value, "build")
    if isinstance(parsed, BuildConfig):
        problems = list(build_problems("build", parsed))
        project = project_directory()
        if project is not None:
            problems += path_problems(parsed, project, "build")
        if not problems:
            return parsed
    else:
        problems = parsed
    raise ConfigError(problems, subject=f"ServiceImage {name} args")
