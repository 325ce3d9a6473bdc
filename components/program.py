"""The warmstart program: typed config in, components out. `__main__` and render share it."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.cluster import Cluster, ClusterArgs
from components.config import WarmstartConfig, upstream_credentials
from components.go_service import GoService, GoServiceArgs
from components.go_service_spec import PART_OF
from components.image_prewarm import ImagePrewarm, ImagePrewarmArgs
from components.image_reference import MirrorTarget, mirror_reference
from components.prewarm_spec import prewarm_images
from components.registry_mirror import RegistryMirror, RegistryMirrorArgs

SLEEP_REPOSITORY = "sleep"


def build_stack(config: WarmstartConfig) -> None:
    """Register every resource of the stack and export what operators look up."""
    cluster = Cluster("cluster", ClusterArgs(cluster=config.cluster, kubeconfig=config.kubeconfig))
    on_cluster = pulumi.ResourceOptions(provider=cluster.provider)
    # Deleting a namespace deletes everything in it: production keeps it protected.
    namespace = k8s.core.v1.Namespace(
        config.namespace,
        metadata={
            "name": config.namespace,
            "labels": {
                "app.kubernetes.io/part-of": PART_OF,
                "app.kubernetes.io/managed-by": "pulumi",
            },
        },
        opts=pulumi.ResourceOptions.merge(
            on_cluster, pulumi.ResourceOptions(protect=config.production)
        ),
    )
    mirror = _registry_mirror(config) if config.mirror.enabled else None
    target = mirror.target if mirror else None
    services = {
        service.name: GoService(
            service.name,
            GoServiceArgs(
                # Pods and prewarm containers must name an image by the same string.
                service=service.model_copy(
                    update={"image": mirror_reference(service.image, target)}
                ),
                namespace=config.namespace,
                production=config.production,
                depends_on=[namespace],
            ),
            opts=pulumi.ResourceOptions(providers={"kubernetes": cluster.provider}),
        )
        for service in config.services
    }
    if config.prewarm.enabled:
        prewarm = _image_prewarm(
            config, [s.image for s in services.values()], target, namespace, cluster
        )
        pulumi.export("prewarmImages", prewarm.images)
    pulumi.export("clusterMode", cluster.mode)
    pulumi.export("namespace", namespace.metadata.name)
    if mirror is not None:
        pulumi.export("mirror", {"registry": mirror.target.registry, "prefixes": mirror.prefixes})
        pulumi.export("nodePullThroughPolicyArn", mirror.node_policy.arn)
    pulumi.export(
        "services",
        {
            name: {
                "image": component.image,
                "service": component.service_name,
                "startupFailureThreshold": component.probe_plan.startup.failure_threshold,
                "worstCaseRestartSeconds": component.probe_plan.worst_case_restart_seconds,
            }
            for name, component in services.items()
        },
    )


def _registry_mirror(config: WarmstartConfig) -> RegistryMirror:
    if config.aws is None:  # parse_config already reports this; keeps the type checker honest
        raise ValueError("the registry mirror needs warmstart:aws")
    provider = aws.Provider(
        "aws", region=config.aws.region, allowed_account_ids=[config.aws.account_id]
    )
    repositories = [service.name for service in config.services]
    if config.prewarm.enabled and config.prewarm.mode == "sleep":
        repositories.append(SLEEP_REPOSITORY)
    return RegistryMirror(
        "registry-mirror",
        RegistryMirrorArgs(
            mirror=config.mirror,
            aws=config.aws,
            repositories=repositories,
            credentials=upstream_credentials(config),
            production=config.production,
        ),
        opts=pulumi.ResourceOptions(providers={"aws": provider}),
    )


def _image_prewarm(
    config: WarmstartConfig,
    service_images: list[str],
    target: MirrorTarget | None,
    namespace: k8s.core.v1.Namespace,
    cluster: Cluster,
) -> ImagePrewarm:
    prewarm = config.prewarm
    extra = [mirror_reference(image, target) for image in prewarm.extra_images]
    sleep_image = mirror_reference(prewarm.sleep_image, target) if prewarm.sleep_image else None
    return ImagePrewarm(
        "image-prewarm",
        ImagePrewarmArgs(
            prewarm=prewarm,
            images=prewarm_images(service_images, extra),
            namespace=config.namespace,
            sleep_image=sleep_image,
            pause_image=mirror_reference(prewarm.pause_image, target),
            depends_on=[namespace],
        ),
        opts=pulumi.ResourceOptions(providers={"kubernetes": cluster.provider}),
    )
