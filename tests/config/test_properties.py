"""Whatever a stack file holds, parsing ends in a config or a ConfigError: never a crash."""

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import service, stack_values
from warmstart.components.config import ConfigError, WarmstartConfig, parse_config
from warmstart.components.config.service import ServiceConfig
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
REQUIRED_TOP_LEVEL = {
    f.alias or n for n, f in WarmstartConfig.model_fields.items() if f.is_required()
}
SERVICE_KEYS = sorted(f.alias or n for n, f in ServiceConfig.model_fields.items())
top_level_keys = st.sampled_from([*TOP_LEVEL_KEYS, "other"])
service_keys = st.sampled_from([*SERVICE_KEYS, "bogus"])


def reported_paths(raw) -> list[str] | None:
    """The key paths a rejection reports (`services[0].startup`), or None when it parses."""
    try:
        parse_config(raw)
    except ConfigError as error:
        problems = [str(problem) for problem in error.problems]
        assert problems, "a ConfigError always names at least one problem"
        assert all(problem.startswith("warmstart:") for problem in problems), problems
        return [problem.path for problem in error.problems]
    return None


def top_key(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(top_level_keys, json_values, max_size=6))
def test_arbitrary_top_level_values(values):
    raw = {
        f"warmstart:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in values.items()
    }
    paths = reported_paths(raw)
    if "other" in values:  # an unknown key is never accepted, and is named
        assert paths is not None and "other" in paths
    # A problem is about a key that was given, or a required one that was not.
    for path in paths or []:
        assert top_key(path) in values or top_key(path) in REQUIRED_TOP_LEVEL, (path, values)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(service_keys, json_values)
def test_one_broken_service_key(key, value):
    raw = config_from_mapping("test", stack_values(service(**{key: value}))).values
    paths = reported_paths(raw)
    if key == "bogus":
        assert paths == ["services[0].bogus"]
    for path in paths or []:  # only the broken key, or the service's own cross-key rules
        assert path == "services[0]" or path.startswith("services[0]."), (path, key, value)


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_arbitrary_text_for_every_key(text):
    for key in TOP_LEVEL_KEYS:
        raw = config_from_mapping("test", stack_values()).values
        raw[f"warmstart:{key}"] = text
        for path in reported_paths(raw) or []:
            assert top_key(path) in (key, *REQUIRED_TOP_LEVEL), (path, key, text)


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
    for path in reported_paths(config_from_mapping("test", values).values) or []:
        assert path.startswith(("services[0]", "routing")), (path, key, value)
