"""GoService: one Go service on Kubernetes, with probes and runtime derived from its config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from warmstart.components.config.problems import ConfigError
from warmstart.components.config.service import ServiceConfig
from warmstart.components.dependencies import inherited_dependencies
from warmstart.components.service import spec
from warmstart.components.service.contract import go_service_problems, parsed_service

TYPE_TOKEN = "warmstart:kubernetes:GoService"


@dataclass(frozen=True)
class GoServiceArgs:
    """One Go service: what it is (`service`), where it runs and which image it runs.

    Dependencies (the Namespace the objects live in, ...) come through the resource
    options' `depends_on`, like any resource's; every child waits for them.
    """

    service: ServiceConfig | Mapping[str, Any]
    """One `warmstart:services` entry as a stack file writes it (camelCase keys), or parsed."""
    namespace: str
    """The Kubernetes namespace of every object."""
    image: pulumi.Input[str] | None = None
    """The reference the pods run (a build's `repository@digest`, a mirror's rewrite);
    default: `service.image`."""
    production: bool = False
    """Production's rules too: images by digest, at least 2 replicas, hard zone spread."""


class GoService(pulumi.ComponentResource):
    """ServiceAccount, Deployment, Service, PodDisruptionBudget and HPA for one service.

    The Kubernetes provider arrives through `opts` (providers={"kubernetes": ...} or
    provider=...), so the same component deploys to a rendered directory, an existing
    cluster or EKS without knowing which.
    """

    image: pulumi.Input[str]
    service_account: k8s.core.v1.ServiceAccount
    deployment: k8s.apps.v1.Deployment
    service: k8s.core.v1.Service
    pod_disruption_budget: k8s.policy.v1.PodDisruptionBudget
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler
    network_policy: k8s.networking.v1.NetworkPolicy
    service_name: str
    probe_plan: spec.ProbePlan

    def __init__(
        self, name: str, args: GoServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        config = _validated(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        namespace, image = args.namespace, config.image if args.image is None else args.image
        waits_for = inherited_dependencies(opts)

        def child(*after: pulumi.Resource, **options: object) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=[*waits_for, *after], **options)

        def meta() -> dict[str, object]:
            return spec.metadata(config.name, namespace)

        self.service_account = k8s.core.v1.ServiceAccount(
            name,
            metadata=meta(),
            automount_service_account_token=config.automount_service_account_token,
            opts=child(),
        )
        # The provider awaits the Deployment's pods and the Service's endpoints: both fail
        # `up` once a rollout cannot have made it in time, not after the 10-minute default.
        rollout = f"{spec.rollout_timeout_seconds(config)}s"
        in_time = pulumi.CustomTimeouts(create=rollout, update=rollout)
        # The HPA owns the replica count once running; re-applying minReplicas on every
        # `pulumi up` would scale a busy service down mid-burst.
        self.deployment = k8s.apps.v1.Deployment(
            name,
            metadata=meta(),
            spec=spec.deployment_spec(config, args.production, image),
            opts=child(
                self.service_account, ignore_changes=["spec.replicas"], custom_timeouts=in_time
            ),
        )
        self.service = k8s.core.v1.Service(
            name,
            metadata=meta(),
            spec=spec.service_spec(config),
            opts=child(custom_timeouts=in_time),
        )
        self.pod_disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            name,
            metadata=meta(),
            spec=spec.pod_disruption_budget_spec(config),
            opts=child(),
        )
        self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            name,
            metadata=meta(),
            spec=spec.autoscaler_spec(config),
            opts=child(self.deployment),
        )
        self.network_policy = k8s.networking.v1.NetworkPolicy(
            name, metadata=meta(), spec=spec.network_policy_spec(config), opts=child()
        )
        self.image = image
        self.service_name = config.name
        self.probe_plan = spec.probe_plan(config)
        self.register_outputs(
            {
                "image": self.image,
                "serviceName": self.service_name,
                "deploymentName": config.name,
            }
        )


def _validated(name: str, args: GoServiceArgs) -> ServiceConfig:
    """The parsed service, or ConfigError naming every problem, before anything registers."""
    parsed = parsed_service(args.service)
    if isinstance(parsed, ServiceConfig):
        problems = go_service_problems(parsed, args.image, args.production)
        if not problems:
            return parsed
    else:
        problems = parsed
    raise ConfigError(problems, subject=f"GoService {name} args")
