"""The components other languages get, with args every language can write.

Each is a thin shell around the Python component of the same name: its args are what a
stack file writes for that concern (a `warmstart:services` entry, `warmstart:prewarm`, the
mirror's endpoints) as plain maps, so a consumer in any language writes the same keys as a
stack file and gets the same checks and messages. Its outputs are names and references.

No `from __future__ import annotations` here: the SDK's analyzer reads these annotations
as classes to infer the schema (tests/provider runs it on every hosted component).

Hosted: GoService, ImagePrewarm, ProxyMirror. Not yet hosted, because their args carry what
a schema cannot type without unions or resource references of another provider: ServiceImage
(a build's registry login and target), Cluster (an AWS provider and a mirror component),
RegistryMirror (upstream credentials as secrets keyed by upstream), ServiceRouting and the
fallbacks (other components' outputs).
"""

from typing import Any, NotRequired, TypedDict

import pulumi
from pulumi.provider.experimental import component_provider_host

from warmstart import __version__
from warmstart.components.dependencies import inherited_dependencies
from warmstart.components.mirror.proxy_mirror import ProxyMirror as _ProxyMirror
from warmstart.components.mirror.proxy_mirror import ProxyMirrorArgs as _ProxyMirrorArgs
from warmstart.components.prewarm.image_prewarm import ImagePrewarm as _ImagePrewarm
from warmstart.components.prewarm.image_prewarm import ImagePrewarmArgs as _ImagePrewarmArgs
from warmstart.components.service.go_service import GoService as _GoService
from warmstart.components.service.go_service import GoServiceArgs as _GoServiceArgs

PROVIDER = "warmstart"


class GoServiceArgs(TypedDict):
    service: dict[str, Any]
    """One `warmstart:services` entry as a stack file writes it (name, image, startup,
    resources, health, autoscaling, ...)."""
    namespace: str
    """The Kubernetes namespace of every object."""
    image: NotRequired[pulumi.Input[str]]
    """The reference the pods run, such as a build's `repository@digest`; default: the
    service's `image`."""
    production: NotRequired[bool]
    """Production's rules too: images by digest, at least 2 replicas, hard zone spread."""


class GoService(pulumi.ComponentResource):
    """One Go service on Kubernetes: ServiceAccount, Deployment, Service, PodDisruptionBudget,
    HorizontalPodAutoscaler and NetworkPolicy, with probes derived from its start-up budget
    and GOMEMLIMIT/GOMAXPROCS from its limits."""

    deployment_name: pulumi.Output[str]
    """The Deployment's (and the Service's) name in the namespace."""
    image: pulumi.Output[str]
    """The reference the pods run."""

    def __init__(
        self, name: str, args: GoServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PROVIDER}:index:GoService", name, {}, opts)
        inner = _GoService(
            name,
            _GoServiceArgs(
                service=args["service"],
                namespace=args["namespace"],
                image=args.get("image"),
                production=args.get("production", False),
            ),
            opts=_inner(self, opts),
        )
        self.deployment_name = pulumi.Output.from_input(inner.service_name)
        self.image = pulumi.Output.from_input(inner.image)
        self.register_outputs({"deploymentName": self.deployment_name, "image": self.image})


class ImagePrewarmArgs(TypedDict):
    images: list[str]
    """Exactly the references the pods use (mirror-rewritten, known when the program runs,
    such as digest-pinned references): the kubelet matches by string."""
    namespace: str
    """The namespace of the DaemonSets."""
    prewarm: NotRequired[dict[str, Any]]
    """`warmstart:prewarm` as a stack file writes it (mode, sleepImage, imagesPerPod, ...)."""
    sleep_image: NotRequired[pulumi.Input[str]]
    """The holder image in sleep mode; default `prewarm.sleepImage`."""
    production: NotRequired[bool]
    """Production's rules too: every image by digest."""


class ImagePrewarm(pulumi.ComponentResource):
    """DaemonSets that keep every listed image on every node, so no pod waits on a pull."""

    daemonset_count: pulumi.Output[int]
    """How many DaemonSets hold the images (`imagesPerPod` per pod)."""

    def __init__(
        self, name: str, args: ImagePrewarmArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PROVIDER}:index:ImagePrewarm", name, {}, opts)
        inner = _ImagePrewarm(
            name,
            _ImagePrewarmArgs(
                images=args["images"],
                namespace=args["namespace"],
                prewarm=args.get("prewarm", {}),
                sleep_image=args.get("sleep_image"),
                production=args.get("production", False),
            ),
            opts=_inner(self, opts),
        )
        self.daemonset_count = pulumi.Output.from_input(len(inner.daemonsets))
        self.register_outputs({"daemonsetCount": self.daemonset_count})


class ProxyMirrorArgs(TypedDict):
    endpoints: dict[str, str]
    """Upstream (`docker-hub`, `ghcr`, ... or a registry host) -> the mirror's
    `host[:port][/path]`."""


class ProxyMirror(pulumi.ComponentResource):
    """The stack's view of the pull-through mirrors it runs: which registry serves each
    upstream, so references can be rewritten through them."""

    routes: pulumi.Output[dict[str, str]]
    """Upstream registry host -> the mirror that serves it."""

    def __init__(
        self, name: str, args: ProxyMirrorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PROVIDER}:index:ProxyMirror", name, {}, opts)
        inner = _ProxyMirror(
            name, _ProxyMirrorArgs(endpoints=args["endpoints"]), opts=_inner(self, opts)
        )
        self.routes = pulumi.Output.from_input(dict(inner.target.routes))
        self.register_outputs({"routes": self.routes})


def _inner(
    outer: pulumi.ComponentResource, opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions:
    """The Python component inside: a child that waits for what the outer one waits for."""
    return pulumi.ResourceOptions(parent=outer, depends_on=list(inherited_dependencies(opts)))


HOSTED: list[type[pulumi.ComponentResource]] = [GoService, ImagePrewarm, ProxyMirror]


def serve() -> None:
    """Run the component provider (the CLI starts it with the engine's address)."""
    component_provider_host(HOSTED, name=PROVIDER, version=__version__)
