"""#21 item 24b: every label map and node selector holds keys and values the API server
(and, for node groups, EKS and the kubelet) accepts.

The fields are found by walking the models (any field named like labels or selector), and
keys and values are judged against an oracle written here from the Kubernetes rules
(apimachinery's IsQualifiedName and IsValidLabelValue), not from the code under test.
"""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.config.model_walk import config_models, fields
from tests.conftest import config_problems, service, stack_values
from warmstart.components.config.labels import Labels, NodeLabels

MODELS = {model.__name__: model for model in config_models()}
LABEL_FIELDS = fields(lambda name, _: "label" in name.lower() or "selector" in name.lower())
ALNUM = string.ascii_letters + string.digits


def oracle_name(name: str) -> bool:
    """<= 63 characters of alphanumerics, '-', '_', '.', alphanumeric at both ends."""
    return (
        0 < len(name) <= 63
        and name[0] in ALNUM
        and name[-1] in ALNUM
        and all(ch in ALNUM + "-_." for ch in name)
    )


def oracle_subdomain(prefix: str) -> bool:
    """RFC 1123 subdomain: <= 253, dot-separated lowercase labels, alphanumeric at the ends."""
    lower = string.ascii_lowercase + string.digits
    if not 0 < len(prefix) <= 253:
        return False
    for part in prefix.split("."):
        if not part or part[0] not in lower or part[-1] not in lower:
            return False
        if any(ch not in lower + "-" for ch in part):
            return False
    return True


def oracle_key(key: str) -> bool:
    if key.count("/") > 1:
        return False
    if "/" in key:
        prefix, name = key.split("/")
        return oracle_subdomain(prefix) and oracle_name(name)
    return oracle_name(key)


def oracle_value(value: str) -> bool:
    return value == "" or oracle_name(value)


def accepted(model: str, key: str, labels: dict) -> bool:
    try:
        MODELS[model].model_validate({key: labels})
    except ValidationError as error:
        return not [e for e in error.errors() if e["loc"][:1] == (key,)]
    return True


def test_every_label_map_is_typed_as_one():
    """A field named like labels or a selector holds Labels (or NodeLabels): checked."""
    assert {(model, key) for model, key, _ in LABEL_FIELDS} == {
        ("NodeGroupConfig", "labels"),
        ("PrewarmConfig", "nodeSelector"),
    }
    for model, key, info in LABEL_FIELDS:
        assert info.annotation in (Labels, NodeLabels), (model, key)


label_text = st.text(alphabet=ALNUM + "-_./" + "A ", max_size=70) | st.sampled_from(
    ["a" * 63, "a" * 64, "a/b", "/a", "a/", "a/b/c", "A.b/c", "a-.b/c", "-a", "a-", "a_b.c-d"]
)


@given(st.sampled_from([(m, k) for m, k, _ in LABEL_FIELDS]), label_text)
def test_any_key_is_accepted_exactly_when_kubernetes_would(field, key):
    model, field_key = field
    node_group = model == "NodeGroupConfig"
    expected = oracle_key(key) and not (node_group and (len(key) > 63 or "kubernetes.io" in key))
    assert accepted(model, field_key, {key: "v"}) == expected, key


@given(st.sampled_from([(m, k) for m, k, _ in LABEL_FIELDS]), label_text)
def test_any_value_is_accepted_exactly_when_kubernetes_would(field, value):
    model, field_key = field
    node_group = model == "NodeGroupConfig"
    expected = oracle_value(value) and not (node_group and value == "")
    assert accepted(model, field_key, {"team": value}) == expected, value


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("a" * 63, True),
        ("a" * 64, False),
        ("example.com/" + "a" * 63, True),
        ("a" * 253 + "/b", True),
        ("a" * 254 + "/b", False),
        ("/name", False),
        ("Example.com/name", False),
        ("a/b/c", False),
        ("with space", False),
        ("", False),
    ],
)
def test_selector_key_boundaries(key, ok):
    assert accepted("PrewarmConfig", "nodeSelector", {key: "v"}) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("", True), ("a" * 63, True), ("a" * 64, False), ("-a", False), ("a.b_c-D", True)],
)
def test_selector_value_boundaries(value, ok):
    assert accepted("PrewarmConfig", "nodeSelector", {"k": value}) is ok


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("node.kubernetes.io/lifecycle", "spot", True),
        ("kubelet.kubernetes.io/x", "y", True),
        ("topology.kubernetes.io/zone", "eu-west-1a", True),
        ("kubernetes.io/role", "worker", False),
        ("node-role.kubernetes.io/worker", "yes", False),
        ("team", "", False),
        ("example.com/" + "a" * 51, "v", True),  # 63 in all
        ("example.com/" + "a" * 52, "v", False),  # 64: EKS refuses it
    ],
)
def test_node_group_labels_as_eks_and_the_kubelet_take_them(key, value, ok):
    assert accepted("NodeGroupConfig", "labels", {key: value}) is ok


def test_a_bad_selector_is_one_line_at_its_key():
    problems = config_problems(
        stack_values(service(), prewarm={"nodeSelector": {"/role": "a", "zone": "a b"}})
    )
    assert problems == [
        "warmstart:prewarm.nodeSelector./role: not a label key: [prefix/]name, the prefix a DNS "
        "subdomain of <= 253 characters, the name <= 63 of A-Z a-z 0-9 - _ . with a letter or "
        'digit at each end (got "/role")',
        "warmstart:prewarm.nodeSelector.zone: not a label value: empty, or <= 63 of A-Z a-z 0-9 "
        '- _ . with a letter or digit at each end (got "a b")',
    ]
