"""Whatever a stack file holds, parsing ends in a config or a ConfigError: never a crash."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config import ConfigError, WarmstartConfig, parse_config
from components.config.service import ServiceConfig
from tests.conftest import service, stack_values
from warmstart.stackfile import config_from_mapping

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
# Every key the models accept, plus one they do not: derived, so new keys are fuzzed too.
TOP_LEVEL_KEYS = sorted(f.alias or n for n, f in WarmstartConfig.model_fields.items())
SERVICE_KEYS = sorted(f.alias or n for n, f in ServiceConfig.model_fields.items())
top_level_keys = st.sampled_from([*TOP_LEVEL_KEYS, "other"])
service_keys = st.sampled_from([*SERVICE_KEYS, "bogus"])


def outcome(raw):
    try:
        return parse_config(raw)
    except ConfigError as error:
        assert error.problems, "a ConfigError always names at least one problem"
        for problem in error.problems:
            assert str(problem).startswith("warmstart:")
        return error


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(top_level_keys, json_values, max_size=6))
def test_arbitrary_top_level_values(values):
    raw = {
        f"warmstart:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in values.items()
    }
    assert isinstance(outcome(raw), WarmstartConfig | ConfigError)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(service_keys, json_values)
def test_one_broken_service_key(key, value):
    raw = config_from_mapping("test", stack_values(service(**{key: value}))).values
    assert isinstance(outcome(raw), WarmstartConfig | ConfigError)


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_arbitrary_text_for_every_key(text):
    for key in TOP_LEVEL_KEYS:
        raw = config_from_mapping("test", stack_values()).values
        raw[f"warmstart:{key}"] = text
        assert isinstance(outcome(raw), WarmstartConfig | ConfigError)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["routes", "fallback"]), json_values)
def test_broken_routing_of_an_eks_service(key, value):
    """Deep in the routing and fallback models, on a stack where they are otherwise valid."""
    routed = service(**{"routes": {"hosts": ["h.example.com"]}, key: value})
    values = stack_values(
        routed,
        aws={"accountId": "123456789012", "region": "eu-west-1"},
        cluster={
            "mode": "eks",
            "network": {"availabilityZones": ["eu-west-1a", "eu-west-1b"]},
            "adminRoleArns": ["arn:aws:iam::123456789012:role/admins"],
        },
        routing={"enabled": True},
    )
    assert isinstance(
        outcome(config_from_mapping("test", values).values), WarmstartConfig | ConfigError
    )
