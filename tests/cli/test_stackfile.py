import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warmstart.components.config import ConfigError, parse_config
from warmstart.stackfile import (
    SECRET_PLACEHOLDER,
    StackFileError,
    as_config_text,
    config_from_mapping,
    read_stack_config,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("abc", "abc"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (1.5, "1.5"),
        ({"a": [1, "b"]}, '{"a": [1, "b"]}'),
        ([], "[]"),
    ],
)
def test_values_become_the_text_the_cli_passes(value, text):
    assert as_config_text(value) == text


def test_keys_without_a_namespace_belong_to_the_project():
    config = config_from_mapping("s", {"namespace": "x", "aws:region": "eu-west-1"})
    assert config.values == {"warmstart:namespace": "x", "aws:region": "eu-west-1"}


def test_secure_values_are_redacted_and_marked_secret_at_any_depth():
    config = config_from_mapping(
        "s",
        {
            "warmstart:kubeconfig": {"secure": "v1:abc"},
            "warmstart:nested": {"a": [{"secure": "x"}]},
        },
    )
    assert config.values["warmstart:kubeconfig"] == SECRET_PLACEHOLDER
    assert config.values["warmstart:nested"] == f'{{"a": ["{SECRET_PLACEHOLDER}"]}}'
    assert config.secret_keys == {"warmstart:kubeconfig", "warmstart:nested"}


def test_malformed_stack_files(tmp_path):
    (tmp_path / "Pulumi.list.yaml").write_text("- a\n- b\n")
    with pytest.raises(StackFileError, match="expected a mapping with a 'config' mapping"):
        read_stack_config("list", tmp_path)
    (tmp_path / "Pulumi.empty.yaml").write_text("")
    assert read_stack_config("empty", tmp_path).values == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "config:\n  warmstart:namespace: [a\n",
            ":3:1: not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "config:\n\twarmstart:namespace: a\n",
            ":2:1: not valid YAML: found character '\\t' that cannot start any token; "
            "YAML indents with spaces, not tabs",
        ),
        (
            "config:\n  a: 1\n---\nconfig: {}\n",
            ":3: a second YAML document: a stack file holds one",
        ),
        (b"config:\n  a: \xff\xfe\n", ":2: not UTF-8 (byte 0xff): save the file as UTF-8"),
        ("config:\n  a: 1\n  a: 2\n", ":3:3: not valid YAML: key 'a' given twice in one mapping"),
        ("config:\n  1: a\n", ": config key 1 is not text: quote it"),
    ],
)
def test_broken_stack_files_say_file_line_and_why(tmp_path, content, message):
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(StackFileError) as raised:
        read_stack_config("broken", tmp_path)
    assert str(raised.value) == f"{path}{message}"


YAML_PIECES = st.sampled_from(
    [
        "config:",
        "\n",
        "  ",
        "\t",
        "warmstart:services:",
        "- ",
        "name: a",
        "{",
        "}",
        "[",
        "]",
        ": ",
        "---",
        "no",
        "1.30",
        "&a ",
        "*a",
        "!!binary ",
        '"',
        "'",
        "#",
        "? ",
        "|",
        "-1",
        "~",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(YAML_PIECES, max_size=30).map("".join) | st.binary(max_size=60))
def test_any_stack_file_is_config_or_one_clear_error(tmp_path_factory, content):
    """Whatever the bytes, reading and parsing end in a value or a config error, never a crash."""
    directory = tmp_path_factory.mktemp("fuzz")
    path = directory / "Pulumi.fuzz.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    try:
        raw = read_stack_config("fuzz", directory)
        parse_config(raw.values, raw.secret_keys)
    except StackFileError as error:
        assert str(error).startswith(str(path))
    except ConfigError as error:
        assert error.problems


def test_dates_stay_text_and_non_config_tags_are_refused_with_their_line(tmp_path):
    path = tmp_path / "Pulumi.t.yaml"
    path.write_text("config:\n  warmstart:namespace: 2026-01-01\n")
    assert read_stack_config("t", tmp_path).values == {"warmstart:namespace": "2026-01-01"}
    path.write_text("config:\n  warmstart:namespace: ok\n  warmstart:nodes: !!set {a}\n")
    with pytest.raises(StackFileError, match=r"Pulumi.t.yaml:3:\d+: .*set is not a config value"):
        read_stack_config("t", tmp_path)


def test_only_true_and_false_are_booleans_as_the_pulumi_cli_reads_yaml(tmp_path):
    """YAML 1.2, as the CLI reads a stack file: `yes`/`on` are text, which a boolean field
    refuses, so an offline render never accepts what `pulumi up` would refuse."""
    path = tmp_path / "Pulumi.t.yaml"
    path.write_text(
        "config:\n  warmstart:production: yes\n  warmstart:namespace: 'on'\n"
        "  warmstart:mirror: {enabled: off, keepImages: 3}\n  warmstart:routing: {enabled: True}\n"
    )
    values = read_stack_config("t", tmp_path).values
    assert values["warmstart:production"] == "yes"
    assert values["warmstart:mirror"] == '{"enabled": "off", "keepImages": 3}'
    assert values["warmstart:routing"] == '{"enabled": true}'
    with pytest.raises(ConfigError) as raised:
        parse_config(values)
    paths = [p.path for p in raised.value.problems]
    assert "production" in paths and "mirror.enabled" in paths
