"""Whatever a stack file holds, parsing ends in a config or a ConfigError: never a crash."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config import ConfigError, WarmstartConfig, parse_config
from tests.conftest import service, stack_values
from warmstart.stackfile import config_from_mapping

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
service_keys = st.sampled_from(
    [
        "name",
        "image",
        "port",
        "servicePort",
        "startup",
        "health",
        "resources",
        "shutdown",
        "rollout",
        "disruption",
        "autoscaling",
        "env",
        "automountServiceAccountToken",
        "bogus",
    ]
)


def outcome(raw):
    try:
        return parse_config(raw)
    except ConfigError as error:
        assert error.problems, "a ConfigError always names at least one problem"
        for problem in error.problems:
            assert str(problem).startswith("warmstart:")
        return error


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["cluster", "services", "production", "namespace", "kubeconfig", "other"]),
        json_values,
        max_size=6,
    )
)
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
    for key in ("cluster", "services", "production", "namespace"):
        raw = config_from_mapping("test", stack_values()).values
        raw[f"warmstart:{key}"] = text
        assert isinstance(outcome(raw), WarmstartConfig | ConfigError)
