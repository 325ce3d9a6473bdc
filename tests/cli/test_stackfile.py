import pytest

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
