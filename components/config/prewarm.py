"""`warmstart:prewarm`: keep every image of the stack on every node before a pod needs it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from warmstart.components.config.base import ConfigModel, IntOrShare, Problem, reference_problems
from warmstart.components.config.images import BuildConfig
from warmstart.components.config.labels import Labels
from warmstart.components.config.service import ResourceAmounts, resource_problems

if TYPE_CHECKING:
    from warmstart.components.config.stack import WarmstartConfig

# Image volumes (the prewarm mode that runs nothing from the images) are on by default from 1.35.
IMAGE_VOLUME_MINOR = 35


class ContainerAmounts(ConfigModel):
    """Requests and limits of one holder container."""

    requests: ResourceAmounts = ResourceAmounts(cpu="1m", memory="4Mi")
    """What each holder reserves."""
    limits: ResourceAmounts = ResourceAmounts(cpu="10m", memory="16Mi")
    """Each holder's ceiling."""


class PrewarmConfig(ConfigModel):
    """DaemonSets that hold every image, so the kubelet neither pulls nor collects them."""

    enabled: bool = False
    """Run the prewarm DaemonSets."""
    mode: Literal["sleep", "image-volume"] = "sleep"
    """`sleep`: one holder container per image runs a tiny sleep; `image-volume` (1.35+):
    images mounted as volumes, nothing from them runs."""
    sleep_image: str | None = None
    """The `sleep` target of `services/Dockerfile`, prebuilt; sleep mode needs it or sleepBuild."""
    sleep_build: BuildConfig | None = None
    """Build the sleep image in the program instead (`context: services`, `target: sleep`)."""
    pause_image: str = "registry.k8s.io/pause:3.10"
    """image-volume mode's only container."""
    extra_images: list[str] = []
    """More images to hold besides the services' own."""
    images_per_pod: int = Field(default=20, ge=1, le=100)
    """Images per DaemonSet; more are split across DaemonSets."""
    node_selector: Labels = {}
    """Nodes to prewarm (all when empty)."""
    tolerate_all_taints: bool = True
    """Run on tainted nodes too."""
    max_unavailable: IntOrShare = "10%"
    """DaemonSet rollout pace."""
    priority: int = Field(default=-100, ge=-1000, le=0)
    """PriorityClass value (<= 0): holders never preempt a service pod."""
    resources: ContainerAmounts = ContainerAmounts()
    """Per holder container."""


def prewarm_problems(config: WarmstartConfig) -> Iterator[Problem]:
    """A sleep image in sleep mode, image volumes only on 1.35+, and real references."""
    prewarm = config.prewarm
    if not prewarm.enabled:
        return
    if prewarm.mode == "sleep" and prewarm.sleep_image is None and prewarm.sleep_build is None:
        yield Problem(
            "prewarm.sleepImage",
            "required in sleep mode (or sleepBuild): the image built from services/ (target sleep)",
        )
    minor = int(config.cluster.kubernetes_version.split(".")[1])
    if prewarm.mode == "image-volume" and minor < IMAGE_VOLUME_MINOR:
        yield Problem(
            "prewarm.mode", f"image-volume needs Kubernetes 1.{IMAGE_VOLUME_MINOR}+", "image-volume"
        )
    named = [("sleepImage", prewarm.sleep_image), ("pauseImage", prewarm.pause_image)]
    named += [(f"extraImages[{i}]", image) for i, image in enumerate(prewarm.extra_images)]
    for key, image in named:
        if image is not None:
            yield from reference_problems(f"prewarm.{key}", image, config.production)
    yield from resource_problems("prewarm.resources", prewarm.resources)
