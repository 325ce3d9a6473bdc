"""The image every workload runs: a configured reference (mirror-rewritten), or a build.

Builds come first in the program: each pushes to its repository (the mirror's ECR
repository, which it waits for, or `warmstart:registry`), and what it returns,
`repository@digest`, is the one string the Deployment, the prewarm holder and the Fargate
task all run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from warmstart.components.config import WarmstartConfig
from warmstart.components.config.images import BuildConfig
from warmstart.components.image_reference import MirrorTarget, mirror_reference
from warmstart.components.images.plan import credential_field, pinned, push_target
from warmstart.components.images.service_image import RegistryLogin, ServiceImage, ServiceImageArgs
from warmstart.components.mirror.registry_mirror import RegistryMirror
from warmstart.components.prewarm.spec import HeldImage

SLEEP = "sleep"


@dataclass(frozen=True)
class WorkloadImages:
    """References by workload name (services, and `sleep` for prewarm), and the builds."""

    refs: dict[str, pulumi.Input[str]]
    built: dict[str, ServiceImage] = field(default_factory=dict)

    def held(self, name: str) -> HeldImage:
        """The prewarm entry for a workload's image: named by what is known before a build."""
        if name in self.built:
            return HeldImage(self.built[name].repository, self.refs[name])
        reference = self.refs[name]
        if not isinstance(reference, str):  # only builds have references known later
            raise TypeError(f"{name}: a prebuilt reference must be text")
        return HeldImage.prebuilt(reference)


def workload_images(
    config: WarmstartConfig,
    *,
    aws_provider: aws.Provider | None,
    mirror: RegistryMirror | None,
    target: MirrorTarget | None,
) -> WorkloadImages:
    """Build what the stack builds, rewrite what it pulls; one reference per workload.

    A build's pinned reference goes through `target` too: pushed to a registry that a
    pull-through mirror stands for, it is pulled through that mirror, digest unchanged.
    """
    builds: dict[str, BuildConfig] = {s.name: s.build for s in config.services if s.build}
    # Only sleep mode runs the sleep image (and only then has the mirror a repository for it):
    # a stack switched to image-volume mode may keep its sleepBuild without building it.
    if config.prewarm.enabled and config.prewarm.mode == "sleep" and config.prewarm.sleep_build:
        builds[SLEEP] = config.prewarm.sleep_build
    built = _build(config, builds, aws_provider=aws_provider, mirror=mirror) if builds else {}
    refs: dict[str, pulumi.Input[str]] = {
        name: _pulled_ref(image, target) for name, image in built.items()
    }
    configured = {s.name: s.image for s in config.services if s.image is not None}
    if config.prewarm.sleep_image is not None:
        configured[SLEEP] = config.prewarm.sleep_image
    refs.update({name: mirror_reference(text, target) for name, text in configured.items()})
    return WorkloadImages(refs, built)


def _pulled_ref(image: ServiceImage, target: MirrorTarget | None) -> pulumi.Output[str]:
    """The pushed digest, in the repository of the mirror that stands for the push registry."""
    repository = mirror_reference(image.repository, target)
    return image.image.digest.apply(lambda digest: pinned(repository, digest))


def _build(
    config: WarmstartConfig,
    builds: dict[str, BuildConfig],
    *,
    aws_provider: aws.Provider | None,
    mirror: RegistryMirror | None,
) -> dict[str, ServiceImage]:
    provider = docker_build.Provider("docker-build")
    login = _login(config, aws_provider, mirror)
    builder = config.registry.builder if config.registry else None
    return {
        name: ServiceImage(
            name,
            ServiceImageArgs(
                build=build,
                target=push_target(
                    name,
                    registry=config.registry,
                    ecr_registry=mirror.registry if mirror else None,
                    ecr_prefix=config.mirror.repository_prefix,
                ),
                login=login,
                builder=builder,
            ),
            opts=pulumi.ResourceOptions(
                providers={"docker-build": provider},
                depends_on=[mirror.repositories[name]] if mirror else [],
            ),
        )
        for name, build in builds.items()
    }


def _login(
    config: WarmstartConfig, aws_provider: aws.Provider | None, mirror: RegistryMirror | None
) -> RegistryLogin | None:
    """ECR: a token fetched at run time (never in config). Else the configured secret, if any."""
    if mirror is not None and config.aws is not None:
        token = aws.ecr.get_authorization_token_output(
            registry_id=config.aws.account_id,
            opts=pulumi.InvokeOptions(provider=aws_provider),
        )
        return RegistryLogin(username=token.user_name, password=token.password)
    if config.registry_credentials is None:
        return None
    secret = pulumi.Output.secret(config.registry_credentials)
    return RegistryLogin(
        username=secret.apply(lambda text: credential_field(text, "username")),
        password=secret.apply(lambda text: credential_field(text, "password")),
    )
