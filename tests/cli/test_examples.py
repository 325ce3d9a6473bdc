"""Every example's committed render is what warmstart renders today, byte for byte."""

import shutil

import pytest

from warmstart.examples import Example, examples, stale_files

EXAMPLES = examples()


def test_every_feature_has_an_example():
    assert [example.name for example in EXAMPLES] == [
        "build-and-push",
        "eks",
        "existing-eks",
        "fallbacks",
        "go-service",
        "prewarm-image-volume",
        "prewarm-sleep",
        "probe-kinds",
        "registry-mirror",
    ]
    for example in EXAMPLES:
        assert (example.directory / "README.md").is_file(), example.name


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_expected_render_is_current(example, tmp_path):
    assert stale_files(example, tmp_path) == [], "run: python -m warmstart examples"


def test_a_changed_stack_file_makes_its_render_stale(tmp_path):
    source = next(example for example in EXAMPLES if example.name == "go-service")
    copy = Example("go-service", tmp_path / "go-service")
    shutil.copytree(source.directory, copy.directory)
    stack_file = copy.directory / "Pulumi.example.yaml"
    stack_file.write_text(stack_file.read_text().replace("budgetSeconds: 3", "budgetSeconds: 4"))
    assert stale_files(copy, tmp_path / "fresh") == ["manifests.yaml", "plan.json"]
