"""ImagePrewarm: DaemonSets that keep every image of the stack present on every node."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from warmstart.components.config.prewarm import PrewarmConfig
from warmstart.components.prewarm import spec

TYPE_TOKEN = "warmstart:kubernetes:ImagePrewarm"


@dataclass(frozen=True)
class ImagePrewarmArgs:
    prewarm: PrewarmConfig
    # Exactly the references the pods use (mirror-rewritten): kubelet matches by string.
    images: Sequence[spec.HeldImage]
    namespace: str
    sleep_image: pulumi.Input[str] | None
    pause_image: str
    depends_on: Sequence[pulumi.Resource] = ()


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
        super().__init__(TYPE_TOKEN, name, None, opts)
        config, namespace = args.prewarm, args.namespace

        def child(*after: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=[*args.depends_on, *after])

        fields = spec.priority_class(config)
        self.priority_class = k8s.scheduling.v1.PriorityClass(
            spec.NAME,
            metadata={"name": spec.priority_class_name(namespace), "labels": spec.labels(0)},
            value=fields["value"],
            preemption_policy=fields["preemptionPolicy"],
            description=fields["description"],
            opts=child(),
        )
        self.service_account = k8s.core.v1.ServiceAccount(
            spec.NAME,
            metadata={"name": spec.NAME, "namespace": namespace, "labels": spec.labels(0)},
            automount_service_account_token=False,
            opts=child(),
        )
        self.network_policy = k8s.networking.v1.NetworkPolicy(
            spec.NAME,
            metadata={"name": spec.NAME, "namespace": namespace, "labels": spec.labels(0)},
            spec=spec.network_policy_spec(),
            opts=child(),
        )
        self.images = [image.ref for image in args.images]
        self.daemonsets = [
            k8s.apps.v1.DaemonSet(
                spec.daemonset_name(index),
                metadata={
                    "name": spec.daemonset_name(index),
                    "namespace": namespace,
                    "labels": spec.labels(index),
                },
                spec=spec.daemonset_spec(
                    index,
                    chunk,
                    config,
                    namespace=namespace,
                    sleep_image=args.sleep_image,
                    pause_image=args.pause_image,
                ),
                opts=child(self.priority_class, self.service_account),
            )
            for index, chunk in enumerate(spec.chunk(list(args.images), config.images_per_pod))
        ]
        self.register_outputs(
            {
                "images": self.images,
                "daemonsets": [spec.daemonset_name(i) for i in range(len(self.daemonsets))],
            }
        )
