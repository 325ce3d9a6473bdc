"""ImagePrewarm: DaemonSets that keep every image of the stack present on every node."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from warmstart.components.config.prewarm import PrewarmConfig
from warmstart.components.config.problems import ConfigError
from warmstart.components.dependencies import inherited_dependencies
from warmstart.components.prewarm import spec
from warmstart.components.prewarm.contract import parsed_prewarm, prewarm_arg_problems

TYPE_TOKEN = "warmstart:kubernetes:ImagePrewarm"


@dataclass(frozen=True)
class ImagePrewarmArgs:
    """Which images to keep on every node, and how. Dependencies (the Namespace, ...) come
    through the resource options' `depends_on`; every child waits for them."""

    images: Sequence[spec.HeldImage | str]
    """Exactly the references the pods use (mirror-rewritten): the kubelet matches by string."""
    namespace: str
    """The namespace of the DaemonSets; the PriorityClass is named after it."""
    prewarm: PrewarmConfig | Mapping[str, Any] = field(default_factory=dict)
    """`warmstart:prewarm` as a stack file writes it (camelCase keys), or parsed."""
    sleep_image: pulumi.Input[str] | None = None
    """The holder image in sleep mode; default `prewarm.sleepImage`."""
    pause_image: str | None = None
    """The pause image in image-volume mode; default `prewarm.pauseImage`."""
    production: bool = False
    """Production's rules too: every image by digest."""


class ImagePrewarm(pulumi.ComponentResource):
    """PriorityClass, ServiceAccount and one DaemonSet per `imagesPerPod` images."""

    images: list[pulumi.Input[str]]
    priority_class: k8s.scheduling.v1.PriorityClass
    service_account: k8s.core.v1.ServiceAccount
    daemonsets: list[k8s.apps.v1.DaemonSet]
    network_policy: k8s.networking.v1.NetworkPolicy

    def __init__(
        self, name: str, args: ImagePrewarmArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        config, images = _validated(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        namespace = args.namespace
        sleep_image = config.sleep_image if args.sleep_image is None else args.sleep_image
        pause_image = args.pause_image or config.pause_image
        waits_for = inherited_dependencies(opts)

        def child(*after: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=[*waits_for, *after])

        fields = spec.priority_class(config)
        self.priority_class = k8s.scheduling.v1.PriorityClass(
            name,
            metadata={
                "name": spec.priority_class_name(namespace, name),
                "labels": spec.labels(name, 0),
            },
            value=fields["value"],
            preemption_policy=fields["preemptionPolicy"],
            description=fields["description"],
            opts=child(),
        )
        self.service_account = k8s.core.v1.ServiceAccount(
            name,
            metadata={"name": name, "namespace": namespace, "labels": spec.labels(name, 0)},
            automount_service_account_token=False,
            opts=child(),
        )
        self.network_policy = k8s.networking.v1.NetworkPolicy(
            name,
            metadata={"name": name, "namespace": namespace, "labels": spec.labels(name, 0)},
            spec=spec.network_policy_spec(name),
            opts=child(),
        )
        self.images = [image.ref for image in images]
        self.daemonsets = [
            k8s.apps.v1.DaemonSet(
                spec.daemonset_name(name, index),
                metadata={
                    "name": spec.daemonset_name(name, index),
                    "namespace": namespace,
                    "labels": spec.labels(name, index),
                },
                spec=spec.daemonset_spec(
                    index,
                    chunk,
                    config,
                    base=name,
                    namespace=namespace,
                    sleep_image=sleep_image,
                    pause_image=pause_image,
                ),
                opts=child(self.priority_class, self.service_account),
            )
            for index, chunk in enumerate(spec.chunk(images, config.images_per_pod))
        ]
        self.register_outputs(
            {
                "images": self.images,
                "daemonsets": [spec.daemonset_name(name, i) for i in range(len(self.daemonsets))],
            }
        )


def _validated(name: str, args: ImagePrewarmArgs) -> tuple[PrewarmConfig, list[spec.HeldImage]]:
    """The parsed settings and images, or ConfigError naming every problem."""
    images = [
        spec.HeldImage.prebuilt(image) if isinstance(image, str) else image for image in args.images
    ]
    parsed = parsed_prewarm(args.prewarm)
    if isinstance(parsed, PrewarmConfig):
        sleep_image = parsed.sleep_image if args.sleep_image is None else args.sleep_image
        pause_image = args.pause_image or parsed.pause_image
        problems = prewarm_arg_problems(parsed, images, sleep_image, pause_image, args.production)
        if not problems:
            return parsed, images
    else:
        problems = parsed
    raise ConfigError(problems, subject=f"ImagePrewarm {name} args")
