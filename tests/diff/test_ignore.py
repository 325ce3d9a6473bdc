"""ignoreChanges: a change under an ignored path is no change, as the engine applies it."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warmstart.diff.changes import Change, diff_plans
from warmstart.diff.ignore import PathError, ignoring, parse_path, reset
from warmstart.diff.risks import risks

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SIMPLE_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def deployment(replicas, image="hello:1", ignore=("spec.replicas",)):
    return {
        "urn": "urn:pulumi:prod::warmstart::kubernetes:apps/v1:Deployment::hello",
        "type": DEPLOYMENT,
        "name": "hello",
        "protect": False,
        "ignoreChanges": list(ignore),
        "inputs": {
            "spec": {
                "replicas": replicas,
                "template": {"spec": {"containers": [{"name": "hello", "image": image}]}},
            }
        },
    }


def doc(*resources):
    return {"stack": "prod", "resources": list(resources)}


def test_an_ignored_replica_change_is_no_change_and_no_risk():
    before, after = doc(deployment(3)), doc(deployment(1))
    assert diff_plans(before, after) == []
    assert risks(diff_plans(before, after)) == []


def test_what_is_not_ignored_still_changes_and_the_ignored_part_stays_out():
    (change,) = diff_plans(doc(deployment(3)), doc(deployment(1, image="hello:2")))
    assert change.changes == (
        Change("spec.template.spec.containers[0].image", "hello:1", "hello:2"),
    )
    assert change.after["inputs"]["spec"]["replicas"] == 3  # what the engine would compare
    assert [risk.kind for risk in risks([change])] == ["digest"]


def test_without_the_option_a_replica_cut_is_a_change_and_a_capacity_risk():
    (change,) = diff_plans(doc(deployment(3, ignore=())), doc(deployment(1, ignore=())))
    assert change.changes == (Change("spec.replicas", 3, 1),)
    assert [risk.message for risk in risks([change])] == ["Deployment hello: replicas 3 -> 1"]


def test_the_heads_option_counts_when_the_change_adds_it():
    (change,) = diff_plans(doc(deployment(3, ignore=())), doc(deployment(1)))
    assert change.changes == (Change("(option) ignoreChanges", [], ["spec.replicas"]),)


def test_reset_puts_back_removes_and_leaves_unreachable_paths_alone():
    old = {"a": {"b": 1, "c": [1, 2]}, "tags": {"x": "1"}}
    new = {"a": {"b": 2, "c": [1, 5], "d": 4}, "tags": {"x": "2", "y": "3"}}
    assert reset(old, new, ("a", "b")) == {**new, "a": {"b": 1, "c": [1, 5], "d": 4}}
    assert reset(old, new, ("a", "d")) == {**new, "a": {"b": 2, "c": [1, 5]}}
    assert reset(old, new, ("a", "c", 1)) == {**new, "a": {"b": 2, "c": [1, 2], "d": 4}}
    assert reset(old, new, ("tags", "*")) == {**new, "tags": {"x": "1"}}
    assert reset(old, new, ("a", "c", 7)) == new  # lists are never resized
    assert reset(old, new, ("gone", "deeper")) == new  # no intermediate objects created
    rules = {"rules": [{"cidr": "a", "port": 1}, {"cidr": "b", "port": 2}]}
    moved = {"rules": [{"cidr": "c", "port": 1}, {"cidr": "d", "port": 3}]}
    assert reset(rules, moved, ("rules", "*", "cidr")) == {
        "rules": [{"cidr": "a", "port": 1}, {"cidr": "b", "port": 3}]
    }


def test_a_path_that_does_not_parse_ignores_nothing():
    assert ignoring({"a": 1}, {"a": 2}, ["a[", "a[x]"]) == {"a": 2}
    assert ignoring({"a": 1}, {"a": 2}, ["a[", "a"]) == {"a": 1}


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("spec.replicas", ("spec", "replicas")),
        (
            'metadata.labels["app.kubernetes.io/name"]',
            ("metadata", "labels", "app.kubernetes.io/name"),
        ),
        ('["a \\"quoted\\" key"].x', ('a "quoted" key', "x")),
        ('a[""]', ("a", "")),
        ("ports[0].port", ("ports", 0, "port")),
        ("rules[*].cidr", ("rules", "*", "cidr")),
        ("tags.*", ("tags", "*")),
    ],
)
def test_property_paths_parse_as_the_engine_parses_them(text, segments):
    assert parse_path(text) == segments


@pytest.mark.parametrize("text", ["", ".a", "a.", "a[", "a[x]", "a[-1]", 'a["b', 'a["b"', "a[1"])
def test_malformed_paths_are_refused(text):
    with pytest.raises(PathError):
        parse_path(text)


def _quote(segment):
    if isinstance(segment, int):
        return f"[{segment}]"
    if SIMPLE_NAME.fullmatch(segment):
        return f".{segment}"
    return '["' + segment.replace('"', '\\"') + '"]'


def format_path(segments):
    """The engine's own spelling of a path (PropertyPath.String), as the oracle."""
    return "".join(_quote(segment) for segment in segments).removeprefix(".")


# A key ending in a backslash has no spelling (the engine's format cannot write it either).
keys = st.text().filter(lambda key: not key.endswith("\\"))
segments = st.lists(st.one_of(keys, st.integers(min_value=0, max_value=10**6)), min_size=1)


@given(segments)
def test_any_path_the_engine_spells_parses_back(path):
    assert parse_path(format_path(path)) == tuple(path)


@given(st.text())
def test_any_text_parses_or_is_refused_in_one_way(text):
    try:
        parsed = parse_path(text)
    except PathError:
        return
    assert parsed and all(isinstance(segment, str | int) for segment in parsed)
