"""The component reference is generated from the components' classes and cannot drift from
them: every args field documents itself, and docs/components.md is what generation writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest

from warmstart import api_docs, components
from warmstart.__main__ import main
from warmstart.components.config.service import ServiceConfig
from warmstart.config_docs import UndocumentedFieldError, replace_section
from warmstart.stackfile import PROJECT_ROOT

TYPE_TOKEN = "test:index:Sample"


@dataclass(frozen=True)
class SampleArgs:
    """What a sample takes."""

    service: ServiceConfig | Mapping[str, Any]
    """A service entry."""
    names: Sequence[str] = ()
    """Some names | with a pipe."""
    extra: dict[str, str] = field(default_factory=dict)
    """More."""


@dataclass(frozen=True)
class VagueArgs:
    documented: str
    """Explained."""
    mystery: int = 0


class Sample(pulumi.ComponentResource):
    """A sample component."""

    deployment_name: str
    """What it made."""
    _private: int

    def __init__(
        self, name: str, args: SampleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)


class Vague(pulumi.ComponentResource):
    """A component whose args leave a field unexplained."""


@pytest.fixture
def sample(monkeypatch):
    for name, value in {
        "Sample": Sample,
        "SampleArgs": SampleArgs,
        "Vague": Vague,
        "VagueArgs": VagueArgs,
    }.items():
        monkeypatch.setattr(components, name, value, raising=False)


def test_the_components_page_matches_the_code():
    page = (PROJECT_ROOT / api_docs.PAGE).read_text()
    fresh = replace_section(page, api_docs.reference(), api_docs.BEGIN, api_docs.END)
    assert fresh == page, "run: python -m warmstart docs"


def test_every_exported_component_is_in_the_reference():
    exported = {
        name
        for name in components.__all__
        if isinstance(getattr(components, name), type)
        and issubclass(getattr(components, name), pulumi.ComponentResource)
    }
    assert set(api_docs.COMPONENTS) == exported
    assert len(api_docs.COMPONENTS) == len(exported)
    assert {f"{name}Args" for name in exported} <= set(components.__all__)


def test_a_component_reads_as_its_classes_say(sample):
    doc = api_docs.python_component("Sample")
    assert doc.token == TYPE_TOKEN
    assert doc.args_name == "SampleArgs"
    assert doc.args_doc == "What a sample takes."
    assert doc.signature.startswith("Sample(name: str, args: SampleArgs")
    assert not doc.needs_aws
    service, names, extra = doc.rows
    assert service.type == (
        "`ServiceConfig \\| Mapping[str, Any]` "
        "(see [`warmstart:services[]`](configuration.md#warmstartservices))"
    )
    assert (service.default, service.doc) == ("**required**", "A service entry.")
    assert (names.type, names.default) == ("`Sequence[str]`", "`()`")
    assert extra.default == "`{}`"
    assert [(row.name, row.type, row.doc) for row in doc.outputs] == [
        ("deployment_name", "`str`", "What it made.")
    ]
    section = api_docs._python_section(doc)
    assert "### Sample" in section
    assert "| `names` | `Sequence[str]` | `()` | Some names \\| with a pipe. |" in section


def test_an_args_field_without_a_docstring_fails_generation(sample, monkeypatch):
    monkeypatch.setattr(api_docs, "COMPONENTS", ("Sample", "Vague"))
    with pytest.raises(UndocumentedFieldError, match=r"VagueArgs\.mystery") as error:
        api_docs.reference()
    assert "documented" not in str(error.value)
    assert "Sample" not in str(error.value)


def test_the_aws_components_say_they_need_the_extra():
    needs = {name: api_docs.python_component(name).needs_aws for name in api_docs.COMPONENTS}
    assert [name for name, aws in needs.items() if not aws] == [
        "GoService",
        "ImagePrewarm",
        "ProxyMirror",
        "ServiceImage",
    ]


def test_hosted_components_show_the_schema_other_languages_write():
    hosted = {doc.name: doc for doc in api_docs.hosted_components()}
    assert sorted(hosted) == [
        "Cluster",
        "FargateSpotFallback",
        "GoService",
        "ImagePrewarm",
        "LambdaFallback",
        "ProxyMirror",
        "RegistryMirror",
        "ServiceImage",
    ]
    assert hosted["Cluster"].module == "warmstart.provider.aws"
    prewarm = {row.name: row for row in hosted["ImagePrewarm"].rows}
    assert prewarm["sleepImage"].type == "string"
    assert prewarm["sleepImage"].default == "no"
    assert prewarm["images"].type == "array of string"
    assert prewarm["images"].default == "yes"
    assert all(row.doc for doc in hosted.values() for row in [*doc.rows, *doc.outputs])
    assert hosted["GoService"].token == "warmstart:index:GoService"


def test_docs_check_passes_on_the_repository(capsys):
    assert main(["docs", "--check"]) == 0
    out = capsys.readouterr().out
    assert "docs/configuration.md: configuration reference up to date" in out
    assert "docs/components.md: component reference up to date" in out
