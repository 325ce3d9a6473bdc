"""The configuration reference is generated from the models and cannot drift from them."""

from typing import Literal

import pytest
from pydantic import Field

from warmstart.components.config import WarmstartConfig
from warmstart.components.config.base import ConfigModel
from warmstart.config_docs import (
    BEGIN,
    END,
    PAGE,
    UndocumentedFieldError,
    anchor,
    attribute_docstrings,
    model_sections,
    reference,
    replace_section,
    sections,
)
from warmstart.stackfile import PROJECT_ROOT


class Inner(ConfigModel):
    """An inner mapping."""

    size: int = Field(default=3, ge=1, le=9)
    """How many."""


class Outer(ConfigModel):
    """The root of a small tree."""

    kind: Literal["a", "b"] = "a"
    """Which kind."""
    items: list[Inner] = Field(min_length=2)
    """The items."""
    inner: Inner = Inner(size=4)
    """One inner, set."""


class Twice(ConfigModel):
    """One model under two keys."""

    first: Inner = Inner()
    """The first."""
    second: Inner = Inner()
    """The second."""


class Undocumented(ConfigModel):
    """A model with one field nobody explained."""

    documented: bool = True
    """Explained."""
    mystery: int = 0


def test_the_configuration_page_matches_the_models():
    page = (PROJECT_ROOT / PAGE).read_text()
    assert replace_section(page, reference()) == page, "run: python -m warmstart docs"


def test_every_model_of_the_real_config_has_a_table():
    paths = [section.path for section in sections(WarmstartConfig)]
    assert paths[:3] == ["", "aws", "cluster"]
    assert "services[].fallback.lambda" in paths
    assert "cluster.loadBalancerController" in paths


def test_tables_show_types_bounds_defaults_and_docstrings():
    text = reference(Outer)
    assert [section.path for section in sections(Outer)] == ["", "items[]", "inner"]
    assert "| `kind` | `a` \\| `b` | `a` | Which kind. |" in text
    assert "| `items` | list of mapping, below, >= 2 items | **required** | The items. |" in text
    assert '| `inner` | mapping, below | `{"size": 4}` | One inner, set. |' in text
    assert "| `size` | int, 1 to 9 | `3` | How many. |" in text
    assert "## `warmstart:items[]`" in text


def test_a_model_met_again_points_at_its_first_table():
    text = reference(Twice)
    assert text.count("| `size` |") == 1
    assert "## `warmstart:second`" in text
    assert "Same keys as [`warmstart:first`](#warmstartfirst)." in text
    assert model_sections(Twice)[Inner] == "`warmstart:first`"


def test_a_field_without_a_docstring_fails_generation():
    with pytest.raises(UndocumentedFieldError, match="mystery"):
        reference(Undocumented)


def test_the_section_is_replaced_between_markers_only():
    text = f"intro\n{BEGIN}\nstale\n{END}\noutro\n"
    assert replace_section(text, "fresh\n") == f"intro\n{BEGIN}\nfresh\n{END}\noutro\n"
    with pytest.raises(ValueError, match="markers"):
        replace_section("no markers here", "x")
    other = "a\n<!-- b -->\nstale\n<!-- e -->\n"
    assert replace_section(other, "new\n", "<!-- b -->", "<!-- e -->") == (
        "a\n<!-- b -->\nnew\n<!-- e -->\n"
    )


def test_attribute_docstrings_are_the_ones_pydantic_reads():
    assert attribute_docstrings(Outer) == {
        name: field.description for name, field in Outer.model_fields.items()
    }
    assert attribute_docstrings(Undocumented) == {"documented": "Explained."}


def test_anchors_follow_github():
    assert anchor("`warmstart:services[].fallback.lambda`") == "warmstartservicesfallbacklambda"
    assert anchor("`warmstart:*` (top level)") == "warmstart-top-level"
    assert anchor("Promotion: `python -m warmstart promote`") == (
        "promotion-python--m-warmstart-promote"
    )
