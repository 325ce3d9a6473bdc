"""Listener rule priorities: stable per service, explicit where routes overlap."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import run, service
from tests.routed import routed_stack
from warmstart.components.config import ConfigError
from warmstart.components.config.route_order import (
    DERIVED_PRIORITIES,
    may_overlap,
    rule_priority,
)
from warmstart.components.config.service import RoutesConfig, ServiceConfig


def routed(name, **routes):
    return service(name=name, routes=routes)


def priorities(*services):
    result = run(routed_stack(*services, production=False))
    return {
        rule.name.removeprefix("routing-"): rule.inputs["priority"]
        for rule in result.of_type("aws:lb/listenerRule:ListenerRule")
    }


A = routed("alpha", hosts=["a.example.com"])
B = routed("bravo", hosts=["b.example.com"])
C = routed("charlie", hosts=["c.example.com"])


def test_a_services_priority_does_not_depend_on_the_others_or_their_order():
    three = priorities(A, B, C)
    assert priorities(C, A, B) == three  # reordered
    assert priorities(B, C) == {k: three[k] for k in ("bravo", "charlie")}  # one removed
    assert all(p in DERIVED_PRIORITIES for p in three.values())
    assert len(set(three.values())) == 3


def test_an_explicit_priority_wins_and_lies_below_every_derived_one():
    explicit = routed("delta", hosts=["d.example.com"], priority=5)
    assert priorities(A, explicit)["delta"] == 5


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=63))
def test_derived_priorities_stay_in_their_range(name):
    config = ServiceConfig.model_validate(routed("x", hosts=["h.example.com"]))
    assert rule_priority(config.model_copy(update={"name": name})) in DERIVED_PRIORITIES


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ({"hosts": ["a.example.com"]}, {"hosts": ["b.example.com"]}, False),
        ({"hosts": ["A.example.com"]}, {"hosts": ["a.example.com"]}, True),
        ({"hosts": ["*.example.com"]}, {"hosts": ["b.example.com"]}, True),
        ({"hosts": ["a.example.com"]}, {"paths": ["/v1/*"]}, True),
        ({"paths": ["/v1/*"]}, {"paths": ["/v2/*"]}, False),
        ({"paths": ["/v1/*"]}, {"paths": ["/v1/orders/*"]}, True),
        ({"paths": ["/*/health"]}, {"paths": ["/v2/*"]}, True),
        ({"hosts": ["a.example.com"], "paths": ["/x"]}, {"paths": ["/y"]}, False),
    ],
)
def test_may_overlap(a, b, overlap):
    assert may_overlap(RoutesConfig(**a), RoutesConfig(**b)) is overlap
    assert may_overlap(RoutesConfig(**b), RoutesConfig(**a)) is overlap


def test_overlapping_routes_need_an_explicit_order():
    general = routed("api", paths=["/v1/*"])
    specific = routed("orders", paths=["/v1/orders/*"])
    with pytest.raises(ConfigError) as raised:
        run(routed_stack(general, specific, production=False))
    assert [p.describe() for p in raised.value.problems] == [
        "services[0].routes.priority: required: its routes can match the same requests as "
        "orders's, so the order must be explicit (the lower priority is matched first)",
        "services[1].routes.priority: required: its routes can match the same requests as "
        "api's, so the order must be explicit (the lower priority is matched first)",
    ]
    ordered = priorities(
        routed("api", paths=["/v1/*"], priority=20),
        routed("orders", paths=["/v1/orders/*"], priority=10),
    )
    assert ordered == {"api": 20, "orders": 10}


def test_two_services_on_one_priority_are_refused():
    with pytest.raises(ConfigError) as raised:
        run(
            routed_stack(
                routed("alpha", hosts=["a.example.com"], priority=7),
                routed("bravo", hosts=["b.example.com"], priority=7),
                production=False,
            )
        )
    assert [p.describe() for p in raised.value.problems] == [
        "services[1].routes.priority: priority 7 is also alpha's: set routes.priority "
        "(1-9999) on one of them (got 7)"
    ]
