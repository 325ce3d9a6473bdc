"""GoService: one Go service on Kubernetes, with probes and runtime derived from its config."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from warmstart.components.config.service import ServiceConfig
from warmstart.components.service import spec

TYPE_TOKEN = "warmstart:kubernetes:GoService"


@dataclass(frozen=True)
class GoServiceArgs:
    service: ServiceConfig
    namespace: str
    production: bool
    # The reference the pods run: the configured (mirror-rewritten) one, or a build's
    # `repository@digest`, known only once the image is pushed.
    image: pulumi.Input[str]
    # Resources every child waits for, such as the Namespace the objects live in. (A
    # component's own depends_on is not passed on to its children.)
    depends_on: Sequence[pulumi.Resource] = ()


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
        super().__init__(TYPE_TOKEN, name, None, opts)
        config, namespace = args.service, args.namespace

        def child(*after: pulumi.Resource, **options: object) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(
                parent=self, depends_on=[*args.depends_on, *after], **options
            )

        def meta() -> dict[str, object]:
            return spec.metadata(config.name, namespace)

        self.service_account = k8s.core.v1.ServiceAccount(
            config.name,
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
            config.name,
            metadata=meta(),
            spec=spec.deployment_spec(config, args.production, args.image),
            opts=child(
                self.service_account, ignore_changes=["spec.replicas"], custom_timeouts=in_time
            ),
        )
        self.service = k8s.core.v1.Service(
            config.name,
            metadata=meta(),
            spec=spec.service_spec(config),
            opts=child(custom_timeouts=in_time),
        )
        self.pod_disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            config.name,
            metadata=meta(),
            spec=spec.pod_disruption_budget_spec(config),
            opts=child(),
        )
        self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            config.name,
            metadata=meta(),
            spec=spec.autoscaler_spec(config),
            opts=child(self.deployment),
        )
        self.network_policy = k8s.networking.v1.NetworkPolicy(
            config.name, metadata=meta(), spec=spec.network_policy_spec(config), opts=child()
        )
        self.image = args.image
        self.service_name = config.name
        self.probe_plan = spec.probe_plan(config)
        self.register_outputs(
            {
                "image": self.image,
                "serviceName": self.service_name,
                "deploymentName": config.name,
            }
        )
