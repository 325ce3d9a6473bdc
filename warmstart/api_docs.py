"""The component API reference, generated from the components themselves (as the
configuration reference is from the config models).

For each Python component of `warmstart.components`: its type token, the install it needs,
its constructor, one row per field of its frozen `*Args` dataclass (type as written,
default, the docstring under the field) and one per public attribute its class annotates;
then the other types `warmstart.components` exports for those args (such as `PushTarget`).
For each component the provider hosts for other languages (`warmstart.provider.components`):
the schema the Pulumi SDK's analyzer infers from its `TypedDict` args, as other languages
write it (camelCase names, schema types), with the same docstrings. Written between two
markers in docs/components.md; an args field without a docstring fails generation, naming it.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi
from pulumi.provider.experimental.analyzer import Analyzer
from pydantic import BaseModel

from warmstart.config_docs import PAGE as CONFIG_PAGE
from warmstart.config_docs import (
    UndocumentedFieldError,
    anchor,
    attribute_docstrings,
    model_sections,
)
from warmstart.provider import components as hosted

BEGIN = "<!-- component-reference:begin (python -m warmstart docs) -->"
END = "<!-- component-reference:end -->"
# The page the reference is written into, relative to the repository.
PAGE = Path("docs/components.md")

# The Python components in the order of the architecture: the Kubernetes ones, then the AWS
# ones (tests/docs holds this list to `warmstart.components.__all__`).
COMPONENTS = (
    "GoService",
    "ImagePrewarm",
    "ProxyMirror",
    "ServiceImage",
    "Cluster",
    "RegistryMirror",
    "ServiceRouting",
    "FargateSpotFallback",
    "LambdaFallback",
)


@dataclass(frozen=True)
class Row:
    """One documented name: an args field or an output attribute."""

    name: str
    type: str
    doc: str
    default: str = ""


@dataclass(frozen=True)
class ComponentDoc:
    """What the reference says about one component."""

    name: str
    token: str
    doc: str
    rows: list[Row]
    outputs: list[Row]
    module: str = ""
    # Python components only: what it needs, how it is built.
    needs_aws: bool = False
    signature: str = ""
    args_name: str = ""
    args_doc: str = ""
    # Hosted components only: the Python component inside.
    wraps: str = ""


def reference() -> str:
    """The whole reference as Markdown: the Python components, then the hosted ones."""
    python = [python_component(name) for name in COMPONENTS]
    supporting = [supporting_type(name) for name in supporting_types()]
    facades = list(hosted_components())
    missing = [
        f"{component.args_name or component.name}.{row.name}"
        for component in python + facades
        for row in component.rows
        if not row.doc
    ] + [f"{c.name}.{row.name}" for c in facades for row in c.outputs if not row.doc]
    if missing:
        raise UndocumentedFieldError("no docstring under: " + ", ".join(missing))
    parts = [
        "## Python components\n",
        _summary(python),
        *(_python_section(component) for component in python),
        "## Types the args use\n",
        *(_supporting_section(component) for component in supporting),
        "## Other languages: the hosted components\n",
        _hosted_intro(),
        *(_hosted_section(component) for component in facades),
    ]
    return "\n".join(parts)


def python_component(name: str) -> ComponentDoc:
    """A component of `warmstart.components` and its args, read from the classes."""
    components = importlib.import_module("warmstart.components")
    cls, args = getattr(components, name), getattr(components, f"{name}Args")
    module = sys.modules[cls.__module__]
    output_docs = attribute_docstrings(cls)
    outputs = [
        Row(attribute, f"`{_escape(_written(annotation))}`", output_docs.get(attribute, ""))
        for attribute, annotation in inspect.get_annotations(cls).items()
        if not attribute.startswith("_")
    ]
    return ComponentDoc(
        name=name,
        token=module.TYPE_TOKEN,
        doc=_docstring(cls),
        rows=_field_rows(args),
        outputs=outputs,
        module=cls.__module__,
        needs_aws=_uses(module, "pulumi_aws"),
        signature=f"{name}{_signature(cls)}",
        args_name=args.__name__,
        args_doc=_docstring(args),
    )


def supporting_types() -> list[str]:
    """What `warmstart.components` exports besides the components and their args."""
    components = importlib.import_module("warmstart.components")
    resources = {
        name
        for name in components.__all__
        if issubclass(getattr(components, name), pulumi.ComponentResource)
    }
    args = {f"{name}Args" for name in resources}
    return [name for name in components.__all__ if name not in {*resources, *args}]


def supporting_type(name: str) -> ComponentDoc:
    """An exported dataclass an args field takes, such as `PushTarget`."""
    cls = getattr(importlib.import_module("warmstart.components"), name)
    return ComponentDoc(
        name=name,
        token="",
        doc=_docstring(cls),
        rows=[],
        outputs=_field_rows(cls),
        module=cls.__module__,
    )


def _field_rows(cls: type) -> list[Row]:
    docs, link = attribute_docstrings(cls), _type_linker(sys.modules[cls.__module__])
    return [
        Row(field.name, link(_written(field.type)), docs.get(field.name, ""), _default(field))
        for field in dataclasses.fields(cls)
    ]


def hosted_components() -> Iterator[ComponentDoc]:
    """The provider's components as the analyzer infers their schema for other languages."""
    definitions = Analyzer(hosted.PROVIDER).analyze(hosted.HOSTED)["component_definitions"]
    for cls in hosted.HOSTED:
        definition = definitions[cls.__name__]
        args = inspect.get_annotations(cls.__init__)["args"]
        args_docs, output_docs = attribute_docstrings(args), attribute_docstrings(cls)
        yield ComponentDoc(
            name=cls.__name__,
            token=f"{hosted.PROVIDER}:index:{cls.__name__}",
            doc=_docstring(cls),
            rows=[
                Row(
                    name,
                    _schema_type(prop),
                    args_docs.get(definition.inputs_mapping[name], ""),
                    "no" if prop.optional else "yes",
                )
                for name, prop in definition.inputs.items()
            ],
            outputs=[
                Row(name, _schema_type(prop), output_docs.get(definition.outputs_mapping[name], ""))
                for name, prop in definition.outputs.items()
            ],
            wraps=cls.__name__,
            module=cls.__module__,
        )


def _summary(components: list[ComponentDoc]) -> str:
    lines = ["| component | type token | install | args |", "|---|---|---|---|"]
    for c in components:
        install = "`warmstart[aws]`" if c.needs_aws else "`warmstart`"
        lines.append(
            f"| [`{c.name}`](#{anchor(c.name)}) | `{c.token}` | {install} "
            f"| [`{c.args_name}`](#{anchor(c.args_name)}) |"
        )
    return "\n".join(lines) + "\n"


def _python_section(c: ComponentDoc) -> str:
    install = (
        'the `aws` extra (`pip install "warmstart[aws]"`)' if c.needs_aws else "the core install"
    )
    lines = [
        f"### {c.name}",
        "",
        f"`from warmstart.components import {c.name}, {c.args_name}` · type token `{c.token}` "
        f"· needs {install} · defined in `{_source(c.module)}`",
        "",
        _paragraphs(c.doc),
        "",
        "```python",
        c.signature,
        "```",
        "",
        f"#### {c.args_name}",
        "",
    ]
    if c.args_doc:
        lines += [_paragraphs(c.args_doc), ""]
    lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
    lines += [f"| `{r.name}` | {r.type} | {r.default} | {_cell(r.doc)} |" for r in c.rows]
    lines += ["", f"Attributes (outputs and child resources) of each `{c.name}`:", ""]
    lines += _outputs_table(c.outputs)
    return "\n".join(lines) + "\n"


def _supporting_section(c: ComponentDoc) -> str:
    lines = [
        f"### {c.name}",
        "",
        f"`from warmstart.components import {c.name}` · defined in `{_source(c.module)}`",
        "",
        _paragraphs(c.doc),
        "",
    ]
    if any(row.doc for row in c.outputs):
        lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
        lines += [f"| `{r.name}` | {r.type} | {r.default} | {_cell(r.doc)} |" for r in c.outputs]
    else:
        lines += ["| field | type | default |", "|---|---|---|"]
        lines += [f"| `{r.name}` | {r.type} | {r.default} |" for r in c.outputs]
    return "\n".join(lines) + "\n"


def _hosted_intro() -> str:
    return (
        "`pulumi package add <checkout>/provider` gives Pulumi programs in any language these "
        "components (see [getting started](getting-started.md#install-and-use-it-from-your-own-"
        "project)). Each wraps the Python component of the same name; its args are the stack "
        "file's keys as plain maps, so it checks them with the same rules and messages. In "
        "Pulumi YAML, `type: warmstart:<Name>` names the token `warmstart:index:<Name>`. "
        "ServiceRouting is not hosted: its args hold other components' resources (the Lambda "
        "fallbacks it routes to, the Kubernetes objects its bindings wait for), which the "
        "inferred schema could only name as references to other providers' resources. "
        "Cluster hands out a kubeconfig, not its Kubernetes provider: build one from it.\n"
    )


def _hosted_section(c: ComponentDoc) -> str:
    lines = [
        f"### `{c.token}`",
        "",
        f"Pulumi YAML: `type: warmstart:{c.name}` · wraps [`{c.wraps}`](#{anchor(c.wraps)}) "
        f"· defined in `{_source(c.module)}`",
        "",
        _paragraphs(c.doc),
        "",
        "| input | type | required | meaning |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{r.name}` | {r.type} | {r.default} | {_cell(r.doc)} |" for r in c.rows]
    lines += ["", "Outputs:", ""]
    lines += _outputs_table(c.outputs)
    return "\n".join(lines) + "\n"


def _outputs_table(rows: list[Row]) -> list[str]:
    if any(row.doc for row in rows):
        lines = ["| attribute | type | meaning |", "|---|---|---|"]
        return lines + [f"| `{r.name}` | {r.type} | {_cell(r.doc)} |" for r in rows]
    return ["| attribute | type |", "|---|---|"] + [f"| `{r.name}` | {r.type} |" for r in rows]


def _type_linker(module: ModuleType) -> Callable[[str], str]:
    """A type as written, in code, plus a link to what each name in it documents: the config
    table of a config model (`ServiceConfig` -> `warmstart:services[]`), or an exported type
    of this page (`PushTarget`)."""
    tables = model_sections()
    exported = set(supporting_types())

    def link(written: str) -> str:
        links = {}
        for name in re.findall(r"[A-Za-z_][\w.]*", written):
            target = module.__dict__.get(name)
            if isinstance(target, type) and target in tables:
                title = tables[target]
                links[title] = f"[{title}]({CONFIG_PAGE.name}#{anchor(title)})"
            elif name in exported:
                links[name] = f"[`{name}`](#{anchor(name)})"
        see = f" (see {', '.join(links.values())})" if links else ""
        return f"`{_escape(written)}`{see}"

    return link


def _docstring(cls: type) -> str:
    """The class's own docstring; none for a dataclass without one (which gets its signature)."""
    doc = cls.__dict__.get("__doc__") or ""
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}("):
        return ""
    return inspect.cleandoc(doc)


def _written(annotation: Any) -> str:
    """An annotation as its source wrote it (these modules postpone annotations)."""
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        return f"`{_escape(repr(field.default))}`"
    factory = field.default_factory
    if factory is not dataclasses.MISSING:
        if isinstance(factory, type) and issubclass(factory, BaseModel):
            return f"`{factory.__name__}()`"
        return f"`{_escape(repr(factory()))}`"
    return "**required**"


def _signature(cls: type) -> str:
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return "(" + ", ".join(_parameter(p) for p in parameters) + ")"


def _parameter(parameter: inspect.Parameter) -> str:
    text = parameter.name
    if parameter.annotation is not inspect.Parameter.empty:
        text += f": {_written(parameter.annotation)}"
    if parameter.default is not inspect.Parameter.empty:
        text += f" = {parameter.default!r}"
    return text


def _schema_type(prop: Any) -> str:
    """A schema property as a reader of another language wants it: `string`,
    `array of string`, `map of string`, `map of any`."""
    if prop.ref is not None:
        return "any" if prop.ref == "pulumi.json#/Any" else f"`{prop.ref}`"
    kind = prop.type.value
    if kind == "array" and prop.items is not None:
        return f"array of {_schema_type(prop.items)}"
    if kind == "object" and prop.additional_properties is not None:
        return f"map of {_schema_type(prop.additional_properties)}"
    return kind


def _uses(module: ModuleType, package: str) -> bool:
    """Whether the module imports `package` (the AWS components import pulumi_aws)."""
    return any(
        isinstance(value, ModuleType) and value.__name__.split(".")[0] == package
        for value in vars(module).values()
    )


def _source(module: str) -> str:
    """`warmstart.components.service.go_service` -> `components/service/go_service.py` (the
    checkout's folder the build maps into the namespace); `warmstart.provider.aws` ->
    `warmstart/provider/aws.py`."""
    mapped = module.startswith(("warmstart.components.", "warmstart.functions."))
    path = module.removeprefix("warmstart.") if mapped else module
    return path.replace(".", "/") + ".py"


def _paragraphs(text: str) -> str:
    """A docstring's paragraphs, each on one line."""
    return "\n\n".join(re.sub(r"\s+", " ", part).strip() for part in text.split("\n\n"))


def _cell(text: str) -> str:
    return _escape(re.sub(r"\s+", " ", text).strip())


def _escape(text: str) -> str:
    """A table cell: pipes escaped so the table keeps its columns."""
    return text.replace("|", "\\|")
