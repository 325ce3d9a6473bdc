"""Any one leaf of any real stack file, changed to anything YAML can say: the stack file is
a config, or exit 2 naming where; never a traceback.

The values are written as YAML text and read back (so YAML 1.1's `no`, `on`, `1.30`, `~`,
`0x1F`, `2026-01-01` arrive as the booleans, floats, nulls and dates PyYAML makes of them,
as they would from a real stack file), replacing one leaf at any depth of the five stack
files. A rejection must report the mutated key path itself, a path above it (a rule on the object
it sits in) or below it (a list or map put where a scalar was), or name it in its message; a
cross-field rule may report the field it constrains instead, beside the mutated one, if its
message names the mutated key (`maxReplicas: must be >= minReplicas`).
"""

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warmstart.components.config import ConfigError, parse_config
from warmstart.components.config.base import Problem
from warmstart.stackfile import STACKS_DIR, StackFileError, available_stacks, read_stack_config

YAML_SCALARS = [
    "no",
    "yes",
    "on",
    "off",
    "No",
    "TRUE",
    "~",
    "null",
    "''",
    '""',
    "1.30",
    "1.3",
    "1e3",
    "0x1F",
    "0o17",
    "-1",
    "0",
    "1",
    "01",
    "99999999999999999999",
    ".inf",
    "-.nan",
    "2026-01-01",
    "12:30:00",
    "sha256:abc",
    "a b",
    "'*'",
    "'%'",
    "'150%'",
    "'0%'",
    "'-'",
    "'日本'",
    "[]",
    "{}",
    "[1, a]",
    "{a: 1}",
    "'<secret>'",
]


def leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def documents():
    found = {}
    for name in available_stacks():
        config = yaml.safe_load((STACKS_DIR / f"Pulumi.{name}.yaml").read_text())["config"]
        found[name] = config
    return found


DOCUMENTS = documents()
LEAVES = [
    (name, path)
    for name, config in sorted(DOCUMENTS.items())
    for path in leaves(config)
    if str(path[0]).startswith("warmstart:")
]


def warmstart_path(path) -> str:
    """("warmstart:services", 0, "startup", "budgetSeconds") -> "services[0].startup.budgetSeconds"."""
    text = path[0].partition(":")[2]
    for part in path[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def replace_leaf(config, path, value):
    target = config
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def within(outer: str, inner: str) -> bool:
    """`outer` is `inner` or one of the objects or lists that hold it."""
    return inner == outer or inner.startswith((f"{outer}.", f"{outer}["))


def related(problem: Problem, path) -> bool:
    reported, mutated = problem.path, warmstart_path(path)
    if within(reported, mutated) or within(mutated, reported) or mutated in str(problem):
        return True
    key, holder = str(path[-1]), warmstart_path(path[:-2]) if len(path) > 2 else None
    names_key = re.search(rf"\b{re.escape(key)}\b", problem.message) is not None
    return names_key and holder is not None and within(holder, reported)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(LEAVES),
    st.sampled_from(YAML_SCALARS) | st.text(max_size=12).map(yaml.safe_dump),
)
def test_one_leaf_changed_is_a_config_or_exit_2_naming_it(tmp_path_factory, leaf, scalar):
    name, path = leaf
    config = yaml.safe_load(yaml.safe_dump(DOCUMENTS[name]))  # a fresh copy
    replace_leaf(config, path, yaml.safe_load(scalar))
    directory = tmp_path_factory.mktemp("stack")
    Path(directory / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))
    try:
        stack = read_stack_config(name, directory)
        parse_config(stack.values, stack.secret_keys, ("warmstart", name))
    except StackFileError:
        return
    except ConfigError as error:
        problems = [str(problem) for problem in error.problems]
        assert problems and all(p.startswith("warmstart:") for p in problems)
        assert any(related(p, path) for p in error.problems), (
            warmstart_path(path),
            scalar,
            problems,
        )


@pytest.mark.parametrize(
    ("path", "scalar", "expected"),
    [
        (
            ("warmstart:cluster", "kubernetesVersion"),
            "1.30",
            "warmstart:cluster.kubernetesVersion: must be text: quote it in the stack file "
            "(YAML read it as a number or boolean) (got 1.3)",
        ),
        (("warmstart:production",), "no", None),
    ],
)
def test_yaml_11_scalars_as_a_stack_file_says_them(tmp_path, path, scalar, expected):
    config = yaml.safe_load(yaml.safe_dump(DOCUMENTS["prod"]))
    replace_leaf(config, path, yaml.safe_load(scalar))
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}))
    stack = read_stack_config("prod", tmp_path)
    try:
        parse_config(stack.values, stack.secret_keys, ("warmstart", "prod"))
        found = None
    except ConfigError as error:
        found = [str(problem) for problem in error.problems]
    assert (found if found is None else found[0]) == expected
