"""The hosted Kubernetes-side components: GoService, ImagePrewarm, ProxyMirror and
ServiceImage, with args every language can write.

Each is a thin shell around the Python component of the same name: its args are what a
stack file writes for that concern (a `warmstart:services` entry, `warmstart:prewarm`, a
`build:`) as plain maps, so a consumer in any language writes the same keys and gets the
same checks and messages. Its outputs are names and references.
"""

from typing import Any, NotRequired, TypedDict

import pulumi

from warmstart.components.images.plan import PushTarget
from warmstart.components.images.service_image import RegistryLogin
from warmstart.components.images.service_image import ServiceImage as _ServiceImage
from warmstart.components.images.service_image import ServiceImageArgs as _ServiceImageArgs
from warmstart.components.mirror.proxy_mirror import ProxyMirror as _ProxyMirror
from warmstart.components.mirror.proxy_mirror import ProxyMirrorArgs as _ProxyMirrorArgs
from warmstart.components.prewarm.image_prewarm import ImagePrewarm as _ImagePrewarm
from warmstart.components.prewarm.image_prewarm import ImagePrewarmArgs as _ImagePrewarmArgs
from warmstart.components.service.go_service import GoService as _GoService
from warmstart.components.service.go_service import GoServiceArgs as _GoServiceArgs
from warmstart.provider.base import inner_options, token


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
        super().__init__(token("GoService"), name, {}, opts)
        inner = _GoService(
            name,
            _GoServiceArgs(
                service=args["service"],
                namespace=args["namespace"],
                image=args.get("image"),
                production=args.get("production", False),
            ),
            opts=inner_options(self, opts),
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
        super().__init__(token("ImagePrewarm"), name, {}, opts)
        inner = _ImagePrewarm(
            name,
            _ImagePrewarmArgs(
                images=args["images"],
                namespace=args["namespace"],
                prewarm=args.get("prewarm", {}),
                sleep_image=args.get("sleep_image"),
                production=args.get("production", False),
            ),
            opts=inner_options(self, opts),
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
        super().__init__(token("ProxyMirror"), name, {}, opts)
        inner = _ProxyMirror(
            name, _ProxyMirrorArgs(endpoints=args["endpoints"]), opts=inner_options(self, opts)
        )
        self.routes = pulumi.Output.from_input(dict(inner.target.routes))
        self.register_outputs({"routes": self.routes})


class ServiceImageArgs(TypedDict):
    build: dict[str, Any]
    """A `build:` entry as a stack file writes it (context, dockerfile, target, args,
    platforms); paths relative to the program's directory."""
    registry: str
    """The registry host the push goes to (and the login is for)."""
    repository: str
    """The repository to push to, `<registry>/<path>`; pushed by digest, with no tag."""
    username: NotRequired[pulumi.Input[str]]
    """The registry login's user; none uses what the builder already has."""
    password: NotRequired[pulumi.Input[str]]
    """The registry login's password or token (kept secret)."""
    builder: NotRequired[str]
    """A buildx builder by name; none uses Docker's current builder."""


class ServiceImage(pulumi.ComponentResource):
    """One image built with BuildKit and pushed by digest: `ref` is the one string every
    workload of it runs."""

    ref: pulumi.Output[str]
    """`repository@sha256:...`, known once the push has happened."""

    def __init__(
        self, name: str, args: ServiceImageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("ServiceImage"), name, {}, opts)
        username, password = args.get("username"), args.get("password")
        login = None if username is None or password is None else RegistryLogin(username, password)
        inner = _ServiceImage(
            name,
            _ServiceImageArgs(
                build=args["build"],
                target=PushTarget(registry=args["registry"], repository=args["repository"]),
                login=login,
                builder=args.get("builder"),
            ),
            opts=inner_options(self, opts),
        )
        self.ref = inner.ref
        self.register_outputs({"ref": self.ref})
