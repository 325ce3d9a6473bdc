"""Kubernetes objects for one Go service, as plain API dicts.

Pure: the GoService component only hands these to the provider, so what a stack deploys
can be unit-tested and schema-checked without the Pulumi runtime.
"""

from __future__ import annotations

import math
from typing import Any

from warmstart.components.config.service import ServiceConfig
from warmstart.components.service.goruntime import go_runtime_env
from warmstart.components.service.pod_security import (
    container_security_context,
    pod_security_context,
)
from warmstart.components.service.probes import (
    ProbePlan,
    default_health_targets,
    plan_probes,
    probe_handler,
)

PART_OF = "warmstart"
# Time for the process to exit after draining before the kubelet's SIGKILL.
GRACE_MARGIN_SECONDS = 5
# Scheduling, pulling and starting one pod before its start-up budget begins to count.
POD_START_ALLOWANCE_SECONDS = 60
ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"


def selector_labels(name: str) -> dict[str, str]:
    """Only the name: a Deployment's selector is immutable, so it must never change."""
    return {"app.kubernetes.io/name": name}


def common_labels(name: str) -> dict[str, str]:
    return {
        **selector_labels(name),
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
    }


def metadata(name: str, namespace: str) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": common_labels(name)}


# Endpoint removal reaches kube-proxy within a few seconds; an ALB keeps sending to a
# deregistered IP target for up to about 15 s more.
PRE_STOP_SECONDS = 5
ROUTED_PRE_STOP_SECONDS = 20


def pre_stop_seconds(service: ServiceConfig) -> int:
    """The configured preStop sleep, or the default for where the service's traffic comes from."""
    configured = service.shutdown.pre_stop_sleep_seconds
    if configured is not None:
        return configured
    return ROUTED_PRE_STOP_SECONDS if service.routes is not None else PRE_STOP_SECONDS


def termination_grace_seconds(pre_stop_sleep_seconds: int, drain_seconds: int) -> int:
    """Long enough for preStop, then draining, then exit; SIGKILL only after that."""
    return pre_stop_sleep_seconds + drain_seconds + GRACE_MARGIN_SECONDS


def port_name(service: ServiceConfig) -> str:
    """Named after the protocol, which is what the probe kind says the port speaks."""
    return service.startup.probe


def probe_plan(service: ServiceConfig) -> ProbePlan:
    return plan_probes(service.startup.budget_seconds, service.health.liveness_tolerance_seconds)


def health_targets(service: ServiceConfig) -> dict[str, str]:
    """Configured probe targets, falling back to the defaults for the probe kind."""
    defaults = default_health_targets(service.startup.probe)
    configured = {
        "readiness": service.health.readiness,
        "liveness": service.health.liveness,
    }
    return {probe: configured[probe] or default for probe, default in defaults.items()}


def container_env(service: ServiceConfig) -> list[dict[str, str]]:
    """The service's own variables, then those derived from its limits and shutdown budget."""
    limits = service.resources.limits
    derived = {
        **go_runtime_env(limits.cpu, limits.memory),
        "PORT": str(service.port),
        "SHUTDOWN_TIMEOUT": f"{service.shutdown.drain_seconds}s",
    }
    ordered = sorted(service.env.items()) + sorted(derived.items())
    return [{"name": key, "value": value} for key, value in ordered]


def probes(service: ServiceConfig) -> dict[str, dict[str, Any]]:
    plan, targets = probe_plan(service), health_targets(service)
    kind, name = service.startup.probe, port_name(service)
    timings = {"readiness": plan.readiness, "liveness": plan.liveness}
    return {
        f"{probe}Probe": {
            **probe_handler(kind, name, service.port, targets[probe]),
            **timing.as_fields(),
        }
        for probe, timing in timings.items()
    }


def container(service: ServiceConfig, image: Any) -> dict[str, Any]:
    """The service's container; `image` is its reference, or a build's pinned output."""
    resources = service.resources
    return {
        "name": service.name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        # A container that exits with an error and writes no termination message gets its
        # last log lines as one: the provider's await prints it when `pulumi up` fails.
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "ports": [{"name": port_name(service), "containerPort": service.port, "protocol": "TCP"}],
        "env": container_env(service),
        "resources": {
            "requests": {"cpu": resources.requests.cpu, "memory": resources.requests.memory},
            "limits": {"cpu": resources.limits.cpu, "memory": resources.limits.memory},
        },
        **probes(service),
        "lifecycle": {"preStop": {"sleep": {"seconds": pre_stop_seconds(service)}}},
        "securityContext": container_security_context(),
    }


def topology_spread(name: str, production: bool) -> list[dict[str, Any]]:
    """Spread over zones and nodes; production refuses to stack a zone, others only prefer not to.

    matchLabelKeys on pod-template-hash balances each rollout's new pods on their own, so
    a surge does not skew against the old ReplicaSet's placement.
    """

    def constraint(key: str, hard: bool) -> dict[str, Any]:
        return {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "DoNotSchedule" if hard else "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector_labels(name)},
            "matchLabelKeys": ["pod-template-hash"],
        }

    return [constraint(ZONE_KEY, hard=production), constraint(HOST_KEY, hard=False)]


# Node labels of Spot capacity: EKS managed node groups', and Karpenter's.
SPOT_LABELS = (("eks.amazonaws.com/capacityType", "SPOT"), ("karpenter.sh/capacity-type", "spot"))


def prefer_spot() -> dict[str, Any]:
    """Services prefer Spot nodes where a cluster has both kinds (a preference: on a cluster
    whose nodes carry neither label every node scores the same)."""
    return {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "preference": {
                        "matchExpressions": [{"key": key, "operator": "In", "values": [value]}]
                    },
                }
                for key, value in SPOT_LABELS
            ]
        }
    }


def pod_spec(service: ServiceConfig, production: bool, image: Any) -> dict[str, Any]:
    shutdown = service.shutdown
    return {
        "serviceAccountName": service.name,
        "automountServiceAccountToken": service.automount_service_account_token,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": termination_grace_seconds(
            pre_stop_seconds(service), shutdown.drain_seconds
        ),
        "securityContext": pod_security_context(),
        "topologySpreadConstraints": topology_spread(service.name, production),
        "affinity": prefer_spot(),
        "containers": [container(service, image)],
    }


def progress_deadline_seconds(service: ServiceConfig) -> int:
    """How long a rollout may go without a new pod Ready before it is declared failed.

    A pod that has not been scheduled, pulled and started within the allowance, then become
    Ready within its budget, will not: the Deployment reports ProgressDeadlineExceeded. The
    provider's await only logs that condition; what fails `pulumi up` is the custom timeout
    GoService derives from the same budget (`rollout_timeout_seconds`), not the provider's
    10-minute default.
    """
    readiness = probe_plan(service).readiness
    return (
        POD_START_ALLOWANCE_SECONDS
        + math.ceil(service.startup.budget_seconds)
        + (readiness.failure_threshold * readiness.period_seconds)
    )


def surge_pods(max_surge: int | str, replicas: int) -> int:
    """Pods a rollout starts at once: a percentage of replicas rounds up, as Kubernetes does."""
    if isinstance(max_surge, str):
        return max(1, math.ceil(replicas * int(max_surge.rstrip("%")) / 100))
    return max(1, max_surge)


def rollout_timeout_seconds(service: ServiceConfig) -> int:
    """How long `pulumi up` waits for the Deployment: every wave of surge pods, at most
    the progress deadline each, at the most replicas the HPA may have running."""
    replicas = service.autoscaling.max_replicas
    waves = math.ceil(replicas / surge_pods(service.rollout.max_surge, replicas))
    return waves * progress_deadline_seconds(service)


def deployment_spec(service: ServiceConfig, production: bool, image: Any) -> dict[str, Any]:
    """Starts at minReplicas; afterwards the HPA owns the count (the component ignores it)."""
    return {
        "replicas": service.autoscaling.min_replicas,
        "progressDeadlineSeconds": progress_deadline_seconds(service),
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": selector_labels(service.name)},
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": service.rollout.max_surge},
        },
        "template": {
            "metadata": {"labels": common_labels(service.name)},
            "spec": pod_spec(service, production, image),
        },
    }


def service_spec(service: ServiceConfig) -> dict[str, Any]:
    name = port_name(service)
    port: dict[str, Any] = {
        "name": name,
        "port": service.service_port,
        "targetPort": name,
        "protocol": "TCP",
    }
    if service.startup.probe != "tcp":
        port["appProtocol"] = "kubernetes.io/h2c" if name == "grpc" else "http"
    return {"type": "ClusterIP", "selector": selector_labels(service.name), "ports": [port]}


def network_policy_spec(service: ServiceConfig) -> dict[str, Any]:
    """The namespace denies ingress by default; a service admits traffic to its own port only."""
    return {
        "podSelector": {"matchLabels": selector_labels(service.name)},
        "policyTypes": ["Ingress"],
        # By number: named ports in NetworkPolicies had enforcement bugs in the VPC CNI's
        # network policy agent; a number means one thing to every implementation.
        "ingress": [{"ports": [{"port": service.port, "protocol": "TCP"}]}],
    }


def pod_disruption_budget_spec(service: ServiceConfig) -> dict[str, Any]:
    """AlwaysAllow lets a node drain evict pods that are not Ready anyway."""
    budget = service.disruption
    limit = (
        {"maxUnavailable": budget.max_unavailable}
        if budget.max_unavailable is not None
        else {"minAvailable": budget.min_available}
    )
    return {
        "selector": {"matchLabels": selector_labels(service.name)},
        **limit,
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def autoscaler_spec(service: ServiceConfig) -> dict[str, Any]:
    scaling = service.autoscaling
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": service.name},
        "minReplicas": scaling.min_replicas,
        "maxReplicas": scaling.max_replicas,
        "metrics": [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {
                        "type": "Utilization",
                        "averageUtilization": scaling.cpu_utilization_percent,
                    },
                },
            }
        ],
    }
