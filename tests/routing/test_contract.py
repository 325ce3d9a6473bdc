"""ServiceRouting used directly: routing and services written as a stack file writes them,
checked by the stack file's rules at the args' paths, and two load balancers side by side."""

import pytest

from tests.conftest import registered, service
from warmstart.components import ServiceRouting, ServiceRoutingArgs
from warmstart.components.config import ConfigError
from warmstart.components.routing.service_routing import RoutedService

ROUTED = service(routes={"paths": ["/v1/*"]})


def routing_args(name: str, *services: RoutedService, **routing) -> ServiceRoutingArgs:
    return ServiceRoutingArgs(
        routing={"enabled": True, **routing},
        services=services or (RoutedService(config=ROUTED),),
        name=name,
        namespace="team",
        account_id="123456789012",
        region="eu-west-1",
        vpc_id="vpc-1",
        vpc_cidr="10.20.0.0/16",
        public_subnet_ids=["subnet-1", "subnet-2"],
        cluster_security_group_id="sg-1",
        ecs_cluster_name=f"{name}-fallback",
        production=False,
    )


def test_two_load_balancers_route_the_same_service_side_by_side():
    def program():
        ServiceRouting("public", routing_args("public"))
        ServiceRouting("partners", routing_args("partners"))

    resources = registered(program)
    assert len({r.urn for r in resources}) == len(resources)
    groups = sorted(r.name for r in resources if r.type == "aws:lb/targetGroup:TargetGroup")
    assert groups == ["partners-hello-k8s", "public-hello-k8s"]
    bindings = [r for r in resources if r.type.endswith("TargetGroupBinding")]
    assert sorted(b.name for b in bindings) == ["partners-hello-pods", "public-hello-pods"]


def test_routing_rules_apply_at_the_args_paths():
    lambda_only = service(
        name="quote", routes={"paths": ["/q"]}, fallback={"lambda": {"enabled": True}}
    )
    with pytest.raises(ConfigError) as raised:
        ServiceRouting(
            "public",
            routing_args(
                "public",
                RoutedService(config=ROUTED),
                RoutedService(config=lambda_only),
                weights={"kubernetes": 0, "fargate": 0, "lambda": 0},
            ),
        )
    assert str(raised.value).startswith("invalid ServiceRouting public args")
    assert [p.describe() for p in raised.value.problems] == [
        "routing.weights: at least one weight must be > 0",
        "services[0].config.fallback.weights: at least one weight must be > 0",
        "services[1].config.fallback.weights: at least one weight must be > 0",
        "services[1].lambdaFallback: required: the service's fallback.lambda is enabled",
    ]


def test_a_service_that_breaks_its_own_rules_is_named_at_its_path():
    broken = {**ROUTED, "autoscaling": {"minReplicas": 3, "maxReplicas": 1}}
    with pytest.raises(ConfigError) as raised:
        ServiceRouting("public", routing_args("public", RoutedService(config=broken)))
    assert [p.describe() for p in raised.value.problems] == [
        "services[0].config.autoscaling.maxReplicas: must be >= minReplicas (3) (got 1)"
    ]


def test_a_service_named_like_the_routings_children_does_not_collide():
    prefixed = service(name="public-api", routes={"paths": ["/p"]})
    api = service(name="api", routes={"paths": ["/a"]})

    def program():
        ServiceRouting(
            "public",
            routing_args(
                "public",
                RoutedService(config=api),
                RoutedService(config=prefixed),
            ),
        )

    resources = registered(program)
    assert len({r.urn for r in resources}) == len(resources)
    groups = sorted(r.name for r in resources if r.type == "aws:lb/targetGroup:TargetGroup")
    assert groups == ["public-api-k8s", "public-public-api-k8s"]
