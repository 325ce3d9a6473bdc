"""`WarmstartConfig`: the whole `warmstart` namespace of one stack, and the rules across it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from warmstart.components.config.base import DNS_LABEL, ConfigModel, Problem, partition
from warmstart.components.config.cluster import (
    AwsConfig,
    ClusterConfig,
    NodesConfig,
    cluster_problems,
    image_gc_problems,
)
from warmstart.components.config.cost import CostConfig
from warmstart.components.config.images import RegistryConfig, image_problems
from warmstart.components.config.limits import limit_problems
from warmstart.components.config.mirror import MirrorConfig, mirror_problems
from warmstart.components.config.paths import ProjectPath
from warmstart.components.config.prewarm import PrewarmConfig, prewarm_problems
from warmstart.components.config.routing import RoutingConfig, routing_problems
from warmstart.components.config.service import (
    ServiceConfig,
    production_service_problems,
    service_problems,
)


class WarmstartConfig(ConfigModel):
    """Every key a stack file may set under `warmstart:`."""

    production: bool = False
    """Stricter rules: images by digest, >= 2 replicas, hard zone spread, protected stateful
    resources, no render mode."""
    namespace: str = Field(default="warmstart", pattern=DNS_LABEL, max_length=63)
    """Kubernetes namespace of every service."""
    aws: AwsConfig | None = None
    """The only account and region the AWS provider may touch."""
    cluster: ClusterConfig
    """Where the Kubernetes objects go."""
    kubeconfig: Annotated[str | None, ProjectPath("kubeconfig")] = None
    """kubeconfig for existing mode, or the path of one (relative to the project, or `~/`),
    which must exist; the ambient kubeconfig when unset."""
    mirror: MirrorConfig = MirrorConfig()
    """ECR pull-through cache and the services' repositories."""
    docker_hub_credentials: str | None = None
    """JSON `{"username", "accessToken"}`; required exactly when the mirror caches
    docker-hub."""
    ghcr_credentials: str | None = None
    """JSON `{"username", "accessToken"}`; required exactly when the mirror caches
    ghcr."""
    registry: RegistryConfig | None = None
    """Registry that receives `build:` images on stacks without the ECR mirror."""
    registry_credentials: str | None = None
    """JSON `{"username", "password"}` for the registry; none for a registry without auth."""
    prewarm: PrewarmConfig = PrewarmConfig()
    """Image prewarm DaemonSets."""
    nodes: NodesConfig = NodesConfig()
    """Node settings (eks mode)."""
    routing: RoutingConfig = RoutingConfig()
    """The load balancer and fallback paths."""
    services: list[ServiceConfig] = Field(min_length=1)
    """The Go services (at least one)."""
    cost: CostConfig = CostConfig()
    """Usage assumptions of `python -m warmstart cost` (deploys nothing)."""


def partition_problems(config: WarmstartConfig) -> list[Problem]:
    """The IAM documents and ARNs warmstart writes name the `aws` partition: in China,
    GovCloud or the isolated regions they would name nothing, and AWS refuses them."""
    if config.aws is None or partition(config.aws.region) == "aws":
        return []
    return [
        Problem(
            "aws.region",
            f"a region of the {partition(config.aws.region)} partition: warmstart writes ARNs "
            "of the aws partition only, so these regions are not supported yet",
            config.aws.region,
        )
    ]


def semantic_problems(config: WarmstartConfig) -> list[Problem]:
    """Rules that span fields, or that only production stacks must keep."""
    problems = list(cluster_problems(config))
    problems += partition_problems(config)
    problems += mirror_problems(config)
    problems += prewarm_problems(config)
    problems += image_gc_problems(config.nodes.image_gc)
    problems += routing_problems(config)
    problems += image_problems(config)
    problems += limit_problems(config)
    seen: set[str] = set()
    for index, service in enumerate(config.services):
        at = f"services[{index}]"
        if service.name in seen:
            problems.append(Problem(f"{at}.name", "duplicate service name", service.name))
        seen.add(service.name)
        problems += service_problems(at, service)
        if config.production:
            problems += production_service_problems(at, service)
    return problems
