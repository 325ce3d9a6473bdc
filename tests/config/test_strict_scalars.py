"""#21 item 24a: a YAML boolean is never a number, and a boolean is only true or false.

Pydantic's lax mode read `minReplicas: true` (and YAML 1.1's `yes` and `on`) as 1, and `1`,
`"yes"` or `"on"` as true for a boolean. Every number and boolean field of every model is
found by walking the models, so a field added later is covered without touching this file.
"""

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.config.model_walk import config_models, fields, is_bool, is_number
from tests.conftest import config_problems, service, stack_values
from warmstart.components.config import ConfigError, parse_config
from warmstart.stackfile import read_stack_config

MODELS = {model.__name__: model for model in config_models()}
NUMBER_FIELDS = fields(lambda _, annotation: is_number(annotation))
BOOL_FIELDS = fields(lambda _, annotation: is_bool(annotation))
# What YAML 1.1 (PyYAML, as the stack files are read) makes a boolean of.
YAML_BOOLEANS = ["true", "false", "yes", "no", "on", "off", "True", "NO", "On"]


def field_errors(model_name: str, key: str, value) -> list[dict]:
    """pydantic's errors at `key` when the model gets `value` there (other keys may be
    missing: only this one's errors are looked at)."""
    try:
        MODELS[model_name].model_validate({key: value})
    except ValidationError as error:
        return [e for e in error.errors() if e["loc"][:1] == (key,)]
    return []


def test_the_walk_finds_the_fields_of_the_finding():
    """The walk sees the fields the review named, so its coverage is not empty by mistake."""
    numbers = {(model, key) for model, key, _ in NUMBER_FIELDS}
    bools = {(model, key) for model, key, _ in BOOL_FIELDS}
    assert {
        ("AutoscalingConfig", "minReplicas"),
        ("StartupConfig", "budgetSeconds"),
        ("FargateFallbackConfig", "cpu"),
        ("ClusterConfig", "logRetentionDays"),
    } <= numbers
    assert {("WarmstartConfig", "production"), ("RoutingConfig", "enabled")} <= bools
    assert len(NUMBER_FIELDS) >= 50 and len(BOOL_FIELDS) >= 12


@pytest.mark.parametrize(("model", "key"), [(m, k) for m, k, _ in NUMBER_FIELDS])
def test_every_number_field_refuses_a_boolean(model, key):
    for scalar in ("true", "yes", "on", "off"):
        errors = field_errors(model, key, yaml.safe_load(scalar))
        assert [e["type"] for e in errors] == ["number_not_boolean"], (model, key, scalar)


@pytest.mark.parametrize(("model", "key"), [(m, k) for m, k, _ in BOOL_FIELDS])
def test_every_bool_field_refuses_numbers_and_words(model, key):
    for value in (1, 0, 1.0, "yes", "on", "True", "1", ""):
        errors = field_errors(model, key, value)
        assert [e["type"] for e in errors] == ["strict_bool"], (model, key, value)
    for value in (True, False, "true", "false"):  # the text is how Pulumi passes a top-level bool
        assert field_errors(model, key, value) == [], (model, key, value)


@given(
    st.sampled_from([(m, k) for m, k, _ in NUMBER_FIELDS]),
    st.sampled_from(YAML_BOOLEANS),
)
def test_any_yaml_boolean_in_any_number_field(field, scalar):
    model, key = field
    value = yaml.safe_load(scalar)
    assert isinstance(value, bool)
    assert [e["type"] for e in field_errors(model, key, value)] == ["number_not_boolean"]


@given(
    st.sampled_from([(m, k) for m, k, _ in BOOL_FIELDS]),
    st.integers()
    | st.floats(allow_nan=False)
    | st.text().filter(lambda t: t not in ("true", "false")),
)
def test_anything_but_a_boolean_in_any_bool_field(field, value):
    model, key = field
    assert [e["type"] for e in field_errors(model, key, value)] == ["strict_bool"]


def test_a_number_in_a_mapping_of_numbers_names_its_key():
    problems = config_problems(stack_values(service(), cost={"spotDiscounts": {"m7g": True}}))
    assert problems == [
        "warmstart:cost.spotDiscounts: m7g: must be a number, not true/false (got {'m7g': True})"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "minReplicas: true",
            "warmstart:services[0].autoscaling.minReplicas: must be a number, not true/false "
            "(got true)",
        ),
        (  # YAML 1.2, as the Pulumi CLI reads it: `on` is text, not a boolean
            "cpuUtilizationPercent: on",
            'warmstart:services[0].autoscaling.cpuUtilizationPercent: must be a whole number (got "on")',
        ),
    ],
)
def test_a_stack_file_as_written(tmp_path, text, expected):
    """Through the stack file reader, as `render` and the program read it."""
    (tmp_path / "Pulumi.t.yaml").write_text(
        "config:\n"
        "  warmstart:cluster: {mode: render}\n"
        "  warmstart:services:\n"
        "    - name: hello\n"
        "      image: registry.local/hello:1\n"
        "      startup: {budgetSeconds: 5}\n"
        "      resources:\n"
        "        requests: {cpu: 50m, memory: 32Mi}\n"
        "        limits: {cpu: 250m, memory: 64Mi}\n"
        f"      autoscaling: {{{text}}}\n"
    )
    stack = read_stack_config("t", tmp_path)
    with pytest.raises(ConfigError) as raised:
        parse_config(stack.values, stack.secret_keys)
    assert [str(problem) for problem in raised.value.problems] == [expected]


def test_production_as_text_is_true_or_false_only():
    assert config_problems(stack_values(service(), production="yes")) == [
        'warmstart:production: must be true or false (got "yes")'
    ]
    assert config_problems(stack_values(service(), production=False)) == []
