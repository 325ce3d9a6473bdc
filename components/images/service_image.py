"""ServiceImage: build one image with BuildKit, push it, and hand back `repository@digest`.

Built by Pulumi's Docker Build provider (buildx and BuildKit as a library): multi-platform
builds, cache mounts and exports to a registry, with the digest the push returned as an
output. The image is pushed by digest, with no tag: ECR repositories here are tag-immutable,
and a digest is the only name a workload should run anyway. Ordering is explicit: whatever
the push needs (the repository) comes through `depends_on`, and workloads depend on `ref`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker_build as docker_build

from warmstart.components.config.images import BuildConfig
from warmstart.components.images.plan import PushTarget, build_inputs

TYPE_TOKEN = "warmstart:docker:ServiceImage"


@dataclass(frozen=True)
class RegistryLogin:
    """Credentials for the push, held in memory by the provider (no `docker login`)."""

    username: pulumi.Input[str]
    password: pulumi.Input[str]


@dataclass(frozen=True)
class ServiceImageArgs:
    build: BuildConfig
    target: PushTarget
    login: RegistryLogin | None = None
    # A buildx builder by name; none uses Docker's current builder.
    builder: str | None = None
    # What must exist before the push, such as the ECR repository.
    depends_on: Sequence[pulumi.Resource] = ()


class ServiceImage(pulumi.ComponentResource):
    """One pushed image; `ref` is the pinned reference every workload of it runs."""

    image: docker_build.Image
    repository: str
    ref: pulumi.Output[str]

    def __init__(
        self, name: str, args: ServiceImageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
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
            **build_inputs(args.build),
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        self.repository = target.repository
        self.ref = self.image.digest.apply(target.pinned)
        self.register_outputs({"repository": self.repository, "ref": self.ref})
