"""200 services in one stack: spread over as many ALBs as the quotas need, every quota kept.

A production-shaped fleet (120 routed services with both fallbacks, 80 more unrouted) is
rendered once, on four load balancers, and each AWS quota it could hit is counted in the
rendered plan. Refusals name the quota and the fix; the assignment of services to load
balancers never moves one service because another was added or removed.
"""

import json
from collections import Counter, defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import config_problems, run, service
from tests.routed import HELLO, routed_stack
from warmstart.components.config.cost import CostConfig
from warmstart.components.config.load_balancers import load_balancer_index, placement
from warmstart.components.config.service import ServiceConfig
from warmstart.components.routing.load_balancer import target_egress
from warmstart.cost.estimate import estimate
from warmstart.cost.prices import load_prices
from warmstart.render import plan_document

UNLIMITED_LAMBDA = {"enabled": True, "lambdaConcurrencyLimit": 1_000_000}
FLEET_ALBS = 4


def routed(index: int, **overrides):
    return {
        **HELLO,
        "name": f"svc-{index:03d}",
        "routes": {"hosts": [f"s{index}.example.com"]},
        **overrides,
    }


def problems(*services, **overrides):
    return config_problems(routed_stack(*services, **overrides))


def fleet():
    return [routed(i) for i in range(120)] + [service(name=f"batch-{i:03d}") for i in range(80)]


def test_one_alb_for_120_routed_services_is_refused_with_the_count_that_fits():
    assert problems(*fleet(), routing=UNLIMITED_LAMBDA) == [
        "warmstart:routing.loadBalancers: load balancer 0: 120 listener rules (quota 100); "
        "load balancer 0: 360 target groups (quota 100): set routing.loadBalancers to 4 "
        "(this moves services between load balancers), or routes.loadBalancer on some "
        "services (got 1)"
    ]


def test_an_explicit_load_balancer_must_exist():
    pinned = routed(1, routes={"hosts": ["a.example.com"], "loadBalancer": 2})
    assert problems(pinned, routing={"enabled": True, "loadBalancers": 2}) == [
        "warmstart:services[0].routes.loadBalancer: routing.loadBalancers is 2: an index "
        "from 0 to 1 (got 2)"
    ]


@pytest.fixture(scope="module")
def scaled():
    result = run(routed_stack(*fleet(), routing={**UNLIMITED_LAMBDA, "loadBalancers": FLEET_ALBS}))
    return result, plan_document(result, "scale")


def by_type(result, type_):
    return {r.name: r.inputs for r in result.of_type(type_)}


def referenced(value: str) -> str:
    """`<known after apply: TYPE NAME.attr>` -> NAME."""
    return value.rsplit(" ", maxsplit=1)[-1].split(".", maxsplit=1)[0]


def test_every_alb_keeps_its_rule_and_target_group_quotas(scaled):
    result, _ = scaled
    rules = by_type(result, "aws:lb/listenerRule:ListenerRule")
    listeners = by_type(result, "aws:lb/listener:Listener")
    assert len(rules) == 120 and len(listeners) == FLEET_ALBS
    per_listener = defaultdict(list)
    for rule in rules.values():
        per_listener[referenced(rule["listenerArn"])].append(rule)
    assert sorted(per_listener) == sorted(listeners)
    for listener, on_it in per_listener.items():
        groups = {
            referenced(group["arn"])
            for rule in on_it
            for group in rule["actions"][0]["forward"]["targetGroups"]
        }
        assert len(on_it) <= 100 and len(groups) <= 100, listener
        assert len({rule["priority"] for rule in on_it}) == len(on_it), listener


def test_names_and_documents_stay_within_aws_limits(scaled):
    result, _ = scaled
    groups = by_type(result, "aws:lb/targetGroup:TargetGroup")
    albs = by_type(result, "aws:lb/loadBalancer:LoadBalancer")
    assert len(groups) == 360 and len(albs) == FLEET_ALBS
    for named in (groups, albs):
        names = [inputs["name"] for inputs in named.values()]
        assert len(set(names)) == len(names) and max(map(len, names)) <= 32
    alarms = by_type(result, "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len(alarms) == 240 and max(len(a["name"]) for a in alarms.values()) <= 255
    functions = by_type(result, "aws:lambda/function:Function")
    assert max(len(f["name"]) for f in functions.values()) <= 64
    parameters = by_type(result, "aws:ssm/parameter:Parameter")
    assert max(len(p["insecureValue"]) for p in parameters.values()) <= 4096  # Standard tier
    (failover,) = [
        p
        for n, p in by_type(result, "aws:iam/rolePolicy:RolePolicy").items()
        if n == "routing-failover"
    ]
    assert len(failover["policy"]) <= 10_240  # an inline role policy
    assert len(json.loads(failover["policy"])["Statement"][1]["Resource"]) == FLEET_ALBS
    for rule in by_type(result, "aws:cloudwatch/eventRule:EventRule").values():
        assert len(rule.get("eventPattern", "")) <= 2048


def test_security_groups_keep_their_rule_quota(scaled):
    result, _ = scaled
    alb_group = result.get("aws:ec2/securityGroup:SecurityGroup", "routing-alb")
    assert len(alb_group.inputs["egress"]) + len(alb_group.inputs["ingress"]) <= 60
    to_pods = by_type(result, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert len([n for n in to_pods if n.startswith("routing-pods-")]) <= 60


def test_alarms_watch_the_alb_that_serves_their_service(scaled):
    result, _ = scaled
    alarms = by_type(result, "aws:cloudwatch/metricAlarm:MetricAlarm")
    configs = {s["name"]: ServiceConfig.model_validate(s) for s in fleet()[:120]}
    for name, config in configs.items():
        k = load_balancer_index(config, FLEET_ALBS)
        alb = "routing-alb" if k == 0 else f"routing-alb-{k}"
        dimension = alarms[f"routing-{name}-down"]["dimensions"]["LoadBalancer"]
        assert referenced(dimension) == alb, name


def test_each_host_is_told_the_dns_name_that_serves_it(scaled):
    result, _ = scaled
    hosts = result.outputs["loadBalancerHosts"]
    assert len(hosts) == 120
    spread = Counter(referenced(dns) for dns in hosts.values())
    assert sorted(spread) == ["routing-alb", "routing-alb-1", "routing-alb-2", "routing-alb-3"]


def test_the_cost_model_prices_every_alb(scaled):
    _, document = scaled
    priced = estimate(document, CostConfig(), load_prices("eu-west-1"))
    albs = [i for i in priced.items if i.resource.startswith("LoadBalancer ")]
    assert len({i.resource for i in albs}) == FLEET_ALBS


@given(
    names=st.sets(st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True), max_size=30),
    extra=st.from_regex(r"[a-z][a-z0-9]{0,20}", fullmatch=True),
    count=st.integers(1, 20),
)
def test_adding_a_service_never_moves_another(names, extra, count):
    def configs(chosen):
        return [
            (i, ServiceConfig.model_validate(routed(0, name=n)))
            for i, n in enumerate(sorted(chosen))
        ]

    def where(chosen):
        placed = placement(configs(chosen), count)
        return {s.name: k for k, services in placed.items() for _, s in services}

    before, after = where(names), where(names | {extra})
    assert {n: after[n] for n in before} == before


def test_more_target_ports_than_a_security_group_holds_are_refused():
    services = [routed(i, port=9000 + i, fallback={}) for i in range(61)]
    assert problems(*services) == [
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


def test_one_alb_holds_exactly_100_rules_and_100_target_groups():
    hundred = [routed(i, fallback={}) for i in range(100)]
    assert problems(*hundred) == []
    assert problems(*hundred, routed(100, fallback={})) == [
        "warmstart:routing.loadBalancers: load balancer 0: 101 listener rules (quota 100); load "
        "balancer 0: 101 target groups (quota 100): set routing.loadBalancers to 2 (this moves services between load balancers), or "
        "routes.loadBalancer on some services (got 1)"
    ]
    with_lambda = [routed(i, fallback={"lambda": {"enabled": True}}) for i in range(51)]
    assert problems(*with_lambda, routing=UNLIMITED_LAMBDA) == [
        "warmstart:routing.loadBalancers: load balancer 0: 102 target groups (quota 100): set "
        "routing.loadBalancers to 2 (this moves services between load balancers), or "
        "routes.loadBalancer on some services (got 1)"
    ]
