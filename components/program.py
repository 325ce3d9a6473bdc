"""The warmstart program: typed config in, components out. `__main__` and render share it."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import Cluster, ClusterArgs
from components.config import WarmstartConfig
from components.go_service import GoService, GoServiceArgs
from components.go_service_spec import PART_OF


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
    services = {
        service.name: GoService(
            service.name,
            GoServiceArgs(
                service=service,
                namespace=config.namespace,
                production=config.production,
                depends_on=[namespace],
            ),
            opts=pulumi.ResourceOptions(providers={"kubernetes": cluster.provider}),
        )
        for service in config.services
    }
    pulumi.export("clusterMode", cluster.mode)
    pulumi.export("namespace", namespace.metadata.name)
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
