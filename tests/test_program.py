"""build_stack returns its components, and each exposes its children: the users' escape hatch."""

from pulumi.runtime.sync_await import _sync_await

from tests.conftest import service
from tests.mirrored import mirrored_stack
from tests.routed import routed_stack
from warmstart.components.config import load_config
from warmstart.components.program import WarmstartStack, build_stack
from warmstart.harness import run_program
from warmstart.stackfile import config_from_mapping


def built(values) -> WarmstartStack:
    stacks: list[WarmstartStack] = []
    run_program(lambda: stacks.append(build_stack(load_config())), config_from_mapping("t", values))
    return stacks[0]


def urn(resource) -> str:
    return _sync_await(resource.urn.future())


def name_of(resource) -> str:
    return urn(resource).rsplit("::", 1)[-1]


def test_service_children():
    stack = built(mirrored_stack(service(name="api")))
    api = stack.services["api"]
    assert [
        name_of(child)
        for child in (
            api.service_account,
            api.deployment,
            api.service,
            api.pod_disruption_budget,
            api.autoscaler,
        )
    ] == ["api"] * 5
    assert urn(api.autoscaler).split("::")[2].endswith("HorizontalPodAutoscaler")
    assert stack.routing is None


def test_mirror_and_prewarm_children():
    stack = built(mirrored_stack(service(name="api")))
    assert stack.mirror is not None and stack.prewarm is not None
    assert sorted(stack.mirror.cache_rules) == ["docker-hub", "ecr-public", "k8s", "quay"]
    assert sorted(stack.mirror.repositories) == ["api", "sleep"]
    assert name_of(stack.prewarm.priority_class) == "image-prewarm"
    assert name_of(stack.prewarm.service_account) == "image-prewarm"
    assert [name_of(d) for d in stack.prewarm.daemonsets] == ["image-prewarm-0"]


def test_cluster_routing_and_fallback_children():
    stack = built(routed_stack())
    cluster = stack.cluster
    assert name_of(cluster.control_plane) == "cluster"
    assert sorted(cluster.node_groups) == ["spot", "system"]
    assert [name_of(a) for a in cluster.addons] == [
        "cluster-vpc-cni",
        "cluster-coredns",
        "cluster-kube-proxy",
        "cluster-eks-pod-identity-agent",
        "cluster-metrics-server",
    ]
    assert cluster.network is not None
    assert sorted(cluster.network.private_subnets) == ["eu-west-1a", "eu-west-1b"]
    assert cluster.load_balancer_controller is not None
    assert name_of(cluster.load_balancer_controller.policy) == "cluster-load-balancer-controller"
    routing = stack.routing
    assert routing is not None
    assert name_of(routing.listener) == "routing-http"
    assert name_of(routing.target_group_bindings["hello"]) == "routing-hello-pods"
    assert routing.failover is not None
    assert sorted(routing.failover.alarms) == ["hello"]
    assert name_of(routing.failover.function) == "routing-failover"
    assert name_of(routing.failover.trigger) == "routing-failover"


def test_fallback_children():
    stack = built(routed_stack())
    hello = stack.lambda_fallbacks["hello"]
    assert [name_of(r) for r in (hello.log_group, hello.role, hello.function, hello.alias)] == [
        "hello-lambda"
    ] * 4
    fargate = stack.fargate_fallback
    assert fargate is not None
    assert name_of(fargate.task_definitions["hello"]) == "fargate-hello"
    assert name_of(fargate.services["hello"]) == "fargate-hello"
    assert name_of(fargate.tasks_security_group) == "fargate-tasks"
    assert name_of(fargate.execution_role) == "fargate-execution"
