"""The warmstart program: typed config in, components out. `__main__` and render share it.

`build_stack` returns the components it made, so a program that imports warmstart can
reach any child (`stack.services["api"].deployment`) and add to it, or build its own
stack from the components directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from warmstart.components.cluster.cluster import Cluster, ClusterArgs, cluster_name
from warmstart.components.config import WarmstartConfig
from warmstart.components.config.mirror import upstream_credentials
from warmstart.components.fallback.fargate import FargateSpotFallback, FargateSpotFallbackArgs
from warmstart.components.fallback.lambda_fallback import LambdaFallback, LambdaFallbackArgs
from warmstart.components.image_reference import MirrorTarget, mirror_reference
from warmstart.components.images.service_image import ServiceImage
from warmstart.components.images.workload_images import SLEEP, WorkloadImages, workload_images
from warmstart.components.mirror.proxy_mirror import ProxyMirror, ProxyMirrorArgs
from warmstart.components.mirror.registry_mirror import RegistryMirror, RegistryMirrorArgs
from warmstart.components.prewarm.image_prewarm import ImagePrewarm, ImagePrewarmArgs
from warmstart.components.prewarm.spec import NAME as PREWARM
from warmstart.components.prewarm.spec import prewarm_images
from warmstart.components.routing.service_routing import (
    READINESS_GATE_LABEL,
    RoutedService,
    ServiceRouting,
    ServiceRoutingArgs,
)
from warmstart.components.service.go_service import GoService, GoServiceArgs
from warmstart.components.service.spec import PART_OF


@dataclass(frozen=True)
class WarmstartStack:
    """The components of one stack, returned so a program can reach any child resource."""

    cluster: Cluster
    namespace: k8s.core.v1.Namespace
    services: dict[str, GoService]
    mirror: RegistryMirror | None = None
    proxy_mirror: ProxyMirror | None = None
    images: dict[str, ServiceImage] = field(default_factory=dict)
    routing: ServiceRouting | None = None
    lambda_fallbacks: dict[str, LambdaFallback] = field(default_factory=dict)
    fargate_fallback: FargateSpotFallback | None = None
    prewarm: ImagePrewarm | None = None


def build_stack(config: WarmstartConfig) -> WarmstartStack:
    """Register every resource of the stack and export what operators look up."""
    aws_provider = _aws_provider(config)
    enabled, kind = config.mirror.enabled, config.mirror.kind
    mirror = _registry_mirror(config, aws_provider) if enabled and kind == "ecr" else None
    proxy = (
        ProxyMirror("proxy-mirror", ProxyMirrorArgs(endpoints=config.mirror.endpoints))
        if enabled and kind == "registry"
        else None
    )
    cluster = _cluster(config, aws_provider, mirror)
    namespace = _namespace(config, cluster)
    _deny_ingress_by_default(config, namespace, cluster)
    target = mirror.target if mirror else proxy.target if proxy else None
    # Repository, then build and push, then workloads: each runs the pushed digest.
    images = workload_images(config, aws_provider=aws_provider, mirror=mirror, target=target)
    services = {
        service.name: GoService(
            service.name,
            GoServiceArgs(
                service=service,
                # Pods and prewarm containers must name an image by the same string.
                image=images.refs[service.name],
                namespace=config.namespace,
                production=config.production,
            ),
            opts=pulumi.ResourceOptions(
                providers={"kubernetes": cluster.provider}, depends_on=[namespace]
            ),
        )
        for service in config.services
    }
    stack = WarmstartStack(
        cluster, namespace, services, mirror, proxy_mirror=proxy, images=images.built
    )
    if config.routing.enabled:
        providers = {"aws": aws_provider, "kubernetes": cluster.provider}
        stack = _routing(stack, config, images.refs, providers=providers)
    if config.prewarm.enabled:
        prewarm = _image_prewarm(config, images, target, namespace, cluster)
        pulumi.export("prewarmImages", prewarm.images)
        stack = replace(stack, prewarm=prewarm)
    _export(cluster, namespace, mirror, proxy, services)
    return stack


def _cluster(
    config: WarmstartConfig, aws_provider: aws.Provider | None, mirror: RegistryMirror | None
) -> Cluster:
    return Cluster(
        "cluster",
        ClusterArgs(
            cluster=config.cluster,
            kubeconfig=config.kubeconfig,
            production=config.production,
            aws=config.aws,
            image_gc=config.nodes.image_gc,
            node_policy_arns=[mirror.node_policy.arn] if mirror else [],
        ),
        opts=pulumi.ResourceOptions(providers={"aws": aws_provider} if aws_provider else None),
    )


def _namespace(config: WarmstartConfig, cluster: Cluster) -> k8s.core.v1.Namespace:
    labels = {
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
        # Every warmstart pod runs restricted; the API server refuses any pod that would not.
        **{f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "warn")},
    }
    if config.routing.enabled:
        # Pods count as Ready only once the load balancer has them healthy too.
        labels[READINESS_GATE_LABEL] = "enabled"
    # Deleting a namespace deletes everything in it: production keeps it protected.
    return k8s.core.v1.Namespace(
        config.namespace,
        metadata={"name": config.namespace, "labels": labels},
        # Every workload waits for the namespace, so this orders them after the cluster is
        # ready for them (nodes, add-ons, controller), not only after its API answers.
        opts=pulumi.ResourceOptions(
            provider=cluster.provider, protect=config.production, depends_on=cluster.ready
        ),
    )


def _deny_ingress_by_default(
    config: WarmstartConfig, namespace: k8s.core.v1.Namespace, cluster: Cluster
) -> k8s.networking.v1.NetworkPolicy:
    """Nothing reaches a pod of the namespace unless its own policy admits it."""
    return k8s.networking.v1.NetworkPolicy(
        "default-deny-ingress",
        metadata={"name": "default-deny-ingress", "namespace": config.namespace},
        spec={"podSelector": {}, "policyTypes": ["Ingress"]},
        opts=pulumi.ResourceOptions(provider=cluster.provider, depends_on=[namespace]),
    )


def _export(
    cluster: Cluster,
    namespace: k8s.core.v1.Namespace,
    mirror: RegistryMirror | None,
    proxy: ProxyMirror | None,
    services: dict[str, GoService],
) -> None:
    pulumi.export("clusterMode", cluster.mode)
    if cluster.name is not None:
        placement = cluster.placement
        pulumi.export(
            "cluster",
            {
                "name": cluster.name,
                "endpoint": cluster.endpoint,
                "certificateAuthority": cluster.certificate_authority,
                "nodeRoleArn": cluster.node_role_arn,
                "securityGroupId": cluster.cluster_security_group_id,
                "vpcId": placement.vpc_id if placement else None,
                "privateSubnetIds": placement.private_subnet_ids if placement else None,
                "publicSubnetIds": placement.public_subnet_ids if placement else None,
            },
        )
        pulumi.export("kubeconfig", cluster.kubeconfig)
    pulumi.export("namespace", namespace.metadata.name)
    if mirror is not None:
        pulumi.export("mirror", {"registry": mirror.registry, "prefixes": mirror.prefixes})
        pulumi.export("nodePullThroughPolicyArn", mirror.node_policy.arn)
    if proxy is not None:
        pulumi.export("mirror", {"routes": dict(proxy.target.routes)})
    pulumi.export(
        "services",
        {
            name: {
                "image": component.image,
                "service": component.service_name,
                "unstartedRestartSeconds": component.probe_plan.unstarted_restart_seconds,
                "worstCaseRestartSeconds": component.probe_plan.worst_case_restart_seconds,
            }
            for name, component in services.items()
        },
    )


def _aws_provider(config: WarmstartConfig) -> aws.Provider | None:
    """One explicit provider, refusing any other account: no ambient default provider."""
    if config.aws is None:
        return None
    return aws.Provider(
        "aws", region=config.aws.region, allowed_account_ids=[config.aws.account_id]
    )


def _registry_mirror(config: WarmstartConfig, provider: aws.Provider | None) -> RegistryMirror:
    if config.aws is None or provider is None:  # parse_config reports this first
        raise ValueError("the registry mirror needs warmstart:aws")
    repositories = [service.name for service in config.services]
    if config.prewarm.enabled and config.prewarm.mode == "sleep":
        repositories.append(SLEEP)
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
    images: WorkloadImages,
    target: MirrorTarget | None,
    namespace: k8s.core.v1.Namespace,
    cluster: Cluster,
) -> ImagePrewarm:
    prewarm = config.prewarm
    extra = [mirror_reference(image, target) for image in prewarm.extra_images]
    held = [images.held(service.name) for service in config.services]
    return ImagePrewarm(
        PREWARM,
        ImagePrewarmArgs(
            prewarm=prewarm,
            images=prewarm_images(held, extra),
            namespace=config.namespace,
            sleep_image=images.refs.get(SLEEP),
            pause_image=mirror_reference(prewarm.pause_image, target),
            production=config.production,
        ),
        opts=pulumi.ResourceOptions(
            providers={"kubernetes": cluster.provider}, depends_on=[namespace]
        ),
    )


def _routing(
    stack: WarmstartStack,
    config: WarmstartConfig,
    images: dict[str, pulumi.Input[str]],
    *,
    providers: dict[str, pulumi.ProviderResource | None],
) -> WarmstartStack:
    """The ALB and its weighted paths, then the fallbacks that need its target groups."""
    cluster, mirror = stack.cluster, stack.mirror
    placement, aws_config, cluster_config = cluster.placement, config.aws, config.cluster
    if placement is None or aws_config is None or cluster_config.network is None:
        raise ValueError("routing needs an EKS cluster")  # parse_config reports this first
    name = cluster_name(cluster_config)
    aws_only = pulumi.ResourceOptions(providers={"aws": providers["aws"]})
    routed = _routed_services(config, name, aws_only)
    dependencies: list[pulumi.Resource] = [stack.namespace]
    if cluster.load_balancer_controller is not None:
        dependencies.append(cluster.load_balancer_controller)
    routing = ServiceRouting(
        "routing",
        ServiceRoutingArgs(
            routing=config.routing,
            services=routed,
            name=name,
            namespace=config.namespace,
            account_id=aws_config.account_id,
            region=aws_config.region,
            vpc_id=placement.vpc_id,
            vpc_cidr=cluster_config.network.cidr,
            public_subnet_ids=placement.public_subnet_ids,
            cluster_security_group_id=cluster.cluster_security_group_id,
            ecs_cluster_name=f"{name}-fallback",
            production=config.production,
            kubernetes_depends_on=dependencies,
        ),
        opts=pulumi.ResourceOptions(providers=providers),
    )
    pulumi.export("loadBalancer", routing.load_balancer.dns_name)
    pulumi.export("loadBalancerHosts", _dns_by_host(config, routing))
    lambdas = {r.config.name: r.lambda_fallback for r in routed if r.lambda_fallback is not None}
    stack = replace(stack, routing=routing, lambda_fallbacks=lambdas)
    on_fargate = [r.config for r in routed if r.config.fallback.fargate.enabled]
    if on_fargate:
        fargate = FargateSpotFallback(
            "fargate",
            FargateSpotFallbackArgs(
                services=on_fargate,
                images={s.name: images[s.name] for s in on_fargate},
                cluster_name=f"{name}-fallback",
                strategy=config.routing.fargate_strategy,
                region=aws_config.region,
                ami_type=cluster_config.ami_type,
                vpc_id=placement.vpc_id,
                subnet_ids=placement.private_subnet_ids,
                load_balancer_security_group_id=routing.security_group.id,
                target_group_arns={
                    s.name: routing.target_groups[s.name]["fargate"].arn for s in on_fargate
                },
                log_retention_days=config.routing.log_retention_days,
                # A task's first pull of an upstream image fills the cache, as a node's does.
                execution_policy_arns=[mirror.node_policy.arn] if mirror else [],
            ),
            # ECS registers tasks only into target groups a listener rule already uses.
            opts=pulumi.ResourceOptions.merge(
                aws_only,
                pulumi.ResourceOptions(depends_on=[routing.rules[s.name] for s in on_fargate]),
            ),
        )
        stack = replace(stack, fargate_fallback=fargate)
    return stack


def _dns_by_host(config: WarmstartConfig, routing: ServiceRouting) -> dict[str, pulumi.Output[str]]:
    """Per host a routed service answers (its name when it routes by path only), the DNS
    name of the ALB that serves it: what each host's DNS record must point to."""
    found: dict[str, pulumi.Output[str]] = {}
    for service in config.services:
        if service.routes is not None:
            for host in service.routes.hosts or [service.name]:
                found[host] = routing.dns_names[service.name]
    return found


def _routed_services(
    config: WarmstartConfig,
    name: str,
    aws_only: pulumi.ResourceOptions,
) -> list[RoutedService]:
    """Services with routes, each with its Lambda fallback where it has one."""
    routed = []
    for service in config.services:
        if service.routes is None:
            continue
        fallback = None
        if service.fallback.lambda_.enabled:
            fallback = LambdaFallback(
                f"{service.name}-lambda",
                LambdaFallbackArgs(
                    service=service,
                    # at most 64 characters: parse_config's naming_problems holds it to that
                    function_name=f"{name}-{service.name}",
                    log_retention_days=config.routing.log_retention_days,
                ),
                opts=aws_only,
            )
        routed.append(RoutedService(config=service, lambda_fallback=fallback))
    return routed
