import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import routed_service as typed
from warmstart.components.routing.plan import (
    Weights,
    aws_name,
    deregistration_delay,
    failover_weights,
    health_check,
    normal_weights,
)


@pytest.mark.parametrize(
    ("fallback", "expected"),
    [
        ({}, None),
        ({"fargate": {"enabled": True}}, Weights(0, 100, 0)),
        ({"lambda": {"enabled": True}}, Weights(0, 0, 100)),
        ({"fargate": {"enabled": True}, "lambda": {"enabled": True}}, Weights(0, 80, 20)),
        (
            {
                "fargate": {"enabled": True},
                "lambda": {"enabled": True},
                "failoverWeights": {"kubernetes": 0, "fargate": 1, "lambda": 3},
            },
            Weights(0, 1, 3),
        ),
    ],
)
def test_failover_weights(fallback, expected):
    svc, _ = typed(fallback)
    assert failover_weights(svc) == expected


def test_normal_weights_default_to_the_stack():
    svc, routing = typed(
        {"fargate": {"enabled": True}, "weights": {"kubernetes": 90, "fargate": 10}}
    )
    assert normal_weights(svc, routing).by_path() == {"kubernetes": 90, "fargate": 10, "lambda": 0}
    plain, routing = typed()
    assert normal_weights(plain, routing) == Weights(100, 0, 0)


def test_deregistration_stays_inside_the_spot_warning():
    svc, _ = typed(shutdown={"preStopSleepSeconds": 10, "drainSeconds": 60})
    assert deregistration_delay(svc) == 70
    slow, _ = typed(shutdown={"preStopSleepSeconds": 30, "drainSeconds": 300})
    assert deregistration_delay(slow) == 110


def test_health_check_uses_the_readiness_path():
    svc, _ = typed(health={"readiness": "/ready"})
    assert health_check(svc) == {
        "enabled": True,
        "path": "/ready",
        "protocol": "HTTP",
        "matcher": "200",
        "interval": 5,
        "timeout": 2,
        "healthy_threshold": 2,
        "unhealthy_threshold": 2,
    }


def test_names_fit_aws_limits_and_never_collide():
    long = aws_name("warmstart-production-eu", "a-very-long-service-name", "k8s")
    assert len(long) == 32
    assert long != aws_name("warmstart-production-eu", "a-very-long-service-name", "ecs")
    assert (
        aws_name("demo", "hello", "k8s")
        == f"demo-hello-k8s-{aws_name('demo', 'hello', 'k8s')[-6:]}"
    )


# Parts as names are made of: stack, service and ALB names, kinds, ports; and `/` and `\`,
# which only a caller's own resource name could hold.
name_parts = st.lists(
    st.text(alphabet=string.ascii_lowercase + string.digits + "-_/\\", min_size=1, max_size=40),
    min_size=1,
    max_size=4,
)


@given(name_parts)
def test_an_aws_name_never_exceeds_32_characters(parts):
    name = aws_name(*parts)
    assert len(name) <= 32
    joined = "-".join(parts)
    if len(joined) >= 25 and joined[24] != "-":
        assert len(name) == 32  # long names use the whole limit, and no more


@given(name_parts, name_parts)
def test_distinct_parts_give_distinct_aws_names(first, second):
    assume(first != second)
    assert aws_name(*first) != aws_name(*second)


def test_parts_that_hold_the_separator_do_not_collide():
    long = "warmstart-production-eu-west"
    assert aws_name(f"{long}/a", "b") != aws_name(long, "a/b")
    assert aws_name("a\\", "b") != aws_name("a", "\\b")
