"""200 services: the ALB and security-group quotas are refused in config, not mid-`up`."""

import pytest

from tests.conftest import config_problems, run, service
from tests.routed import HELLO, routed_stack
from warmstart.components.config.service import ServiceConfig
from warmstart.components.routing.load_balancer import target_egress

UNLIMITED_LAMBDA = {"enabled": True, "lambdaConcurrencyLimit": 1_000_000}


def routed(index: int, **overrides):
    return {
        **HELLO,
        "name": f"svc-{index:03d}",
        "routes": {"hosts": [f"s{index}.example.com"]},
        **overrides,
    }


def problems(*services, **overrides):
    return config_problems(routed_stack(*services, **overrides))


def test_200_services_120_routed_with_both_fallbacks_are_refused_naming_the_quotas():
    unrouted = [service(name=f"batch-{i:03d}") for i in range(80)]
    fleet = [routed(i) for i in range(120)] + unrouted
    assert problems(*fleet, routing=UNLIMITED_LAMBDA) == [
        "warmstart:services: 120 routed services need 120 listener rules; one ALB has at most "
        "100 (quota 'Rules per Application Load Balancer'): split the services over stacks "
        "(got 120)",
        "warmstart:services: routed services need 360 target groups (one per path); one ALB has "
        "at most 100 (quota 'Target groups per Application Load Balancer'): split the services "
        "over stacks or enable fewer fallbacks (got 360)",
    ]


def test_more_target_ports_than_a_security_group_holds_are_refused():
    fleet = [routed(i, port=9000 + i, fallback={}) for i in range(61)]
    assert problems(*fleet) == [
        "warmstart:services: routed services listen on 61 distinct ports; the ALB's security "
        "group takes 60 egress rules (quota 'Inbound or outbound rules per security group'): "
        "use fewer ports (got 61)"
    ]


def test_two_services_on_one_port_make_one_egress_rule():
    services = [parse_service(routed(1)), parse_service(routed(2))]
    assert target_egress("10.20.0.0/16", services) == [
        {
            "protocol": "tcp",
            "from_port": 8080,
            "to_port": 8080,
            "cidr_blocks": ["10.20.0.0/16"],
            "description": "targets on 8080: svc-001, svc-002",
        }
    ]


def parse_service(values):
    return ServiceConfig.model_validate(values)


@pytest.fixture(scope="module")
def hundred_routed():
    fleet = [routed(i, fallback={}) for i in range(100)]
    return run(routed_stack(*fleet))


def test_100_routed_services_fit_one_alb(hundred_routed):
    rules = hundred_routed.of_type("aws:lb/listenerRule:ListenerRule")
    groups = hundred_routed.of_type("aws:lb/targetGroup:TargetGroup")
    assert len(rules) == 100
    assert len({rule.inputs["priority"] for rule in rules}) == 100
    assert len(groups) == 100
    assert len({group.inputs["name"] for group in groups}) == 100
    assert all(len(group.inputs["name"]) <= 32 for group in groups)
    alb_group = hundred_routed.get("aws:ec2/securityGroup:SecurityGroup", "routing-alb")
    [egress] = alb_group.inputs["egress"]
    assert (egress["fromPort"], egress["description"]) == (8080, "targets on 8080: 100 services")
