"""The configuration reference, generated from the config models (as terraform-docs does).

Every field documents itself with the docstring under its declaration; this module walks
`WarmstartConfig` and writes one Markdown table per model, in declaration order, between
two markers in the README. `python -m warmstart docs` rewrites the section; `--check` (and
a test) fails when the README has drifted from the models or a field has no docstring.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from warmstart.components.config import SECRET_KEYS, WarmstartConfig
from warmstart.components.config.base import NAMESPACE
from warmstart.components.config.problems import unwrap

BEGIN = "<!-- config-reference:begin (python -m warmstart docs) -->"
END = "<!-- config-reference:end -->"


class UndocumentedFieldError(Exception):
    """A config field without a docstring: the reference would have a hole."""


@dataclass(frozen=True)
class Section:
    """One model in the tree: where it sits in a stack file, and the model itself."""

    path: str
    model: type[BaseModel]


def reference(root: type[BaseModel] = WarmstartConfig) -> str:
    """The whole reference as Markdown: a table per model, top-level keys first."""
    missing = [
        f"{section.path}.{key}" if section.path else key
        for section in sections(root)
        for key, field in _fields(section.model)
        if not field.description
    ]
    if missing:
        raise UndocumentedFieldError("no docstring under: " + ", ".join(missing))
    return "\n".join(_table(section) for section in sections(root))


def sections(root: type[BaseModel], path: str = "") -> Iterator[Section]:
    """Depth-first, in declaration order: the model, then each model-valued field's model."""
    yield Section(path, root)
    for key, field in _fields(root):
        nested = _model_of(field.annotation)
        if nested is not None:
            suffix = "[]" if _is_list(field.annotation) else ""
            yield from sections(nested, f"{path}.{key}{suffix}" if path else f"{key}{suffix}")


def rewrite(readme: Path) -> bool:
    """Write the reference into `readme` between the markers; True when it changed."""
    text = readme.read_text()
    updated = replace_section(text, reference())
    if updated != text:
        readme.write_text(updated)
    return updated != text


def replace_section(text: str, body: str) -> str:
    if BEGIN not in text or END not in text:
        raise ValueError(f"the README needs the markers {BEGIN} and {END}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{body}{END}{tail}"


def _fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    return [(field.alias or name, field) for name, field in model.model_fields.items()]


def _table(section: Section) -> str:
    title = f"`{NAMESPACE}:{section.path}`" if section.path else f"`{NAMESPACE}:*` (top level)"
    lines = [
        f"#### {title}",
        "",
        _one_line(section.model.__doc__ or ""),
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for key, field in _fields(section.model):
        secret = " **secret**" if not section.path and key in SECRET_KEYS else ""
        lines.append(
            f"| `{key}` | {_type(field.annotation, field)}{secret} | {_default(field)} "
            f"| {_escape(_one_line(field.description or ''))} |"
        )
    return "\n".join(lines) + "\n"


def _type(annotation: Any, field: FieldInfo | None = None) -> str:
    annotation = unwrap(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    bounds = _bounds(field) if field is not None else ""
    if origin is Literal:
        return " \\| ".join(f"`{_yaml(value)}`" for value in args)
    if origin is list:
        return f"list of {_type(args[0])}{bounds}"
    if origin is dict:
        return f"map {_type(args[0])} → {_type(args[1])}"
    if origin is typing.Annotated:
        if args[0] == int | str:
            return "count or percentage"
        return _type(args[0]) + _bounds_of(args[1:])
    return _scalar(annotation) + bounds


def _scalar(annotation: Any) -> str:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping, below"
    return {bool: "bool", int: "int", float: "number", str: "string"}.get(annotation, "value")


def _bounds(field: FieldInfo) -> str:
    return _bounds_of(field.metadata)


def _bounds_of(metadata: typing.Iterable[Any]) -> str:
    """`1 to 60`, `> 0`, `<= 63`, `multiple of 60`: constraints as a reader wants them."""
    low = high = None
    parts = []
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"{item.ge}"
        elif isinstance(item, annotated_types.Gt):
            low = f"> {item.gt}"
        elif isinstance(item, annotated_types.Le):
            high = f"{item.le}"
        elif isinstance(item, annotated_types.MultipleOf):
            parts.append(f"multiple of {item.multiple_of}")
        elif isinstance(item, annotated_types.MinLen) and item.min_length > 1:
            parts.append(f">= {item.min_length} items")
        elif isinstance(item, annotated_types.MaxLen):
            parts.append(f"<= {item.max_length}")
    if low is not None and high is not None and not low.startswith(">"):
        parts.insert(0, f"{low} to {high}")
    else:
        parts[:0] = [text for text in (low, f"<= {high}" if high else None) if text]
    return f", {', '.join(parts)}" if parts else ""


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    default = field.default
    if default is None or default is PydanticUndefined:
        return "none"
    if isinstance(default, BaseModel):
        if not default.model_fields_set:
            return "below"
        dumped = default.model_dump(by_alias=True, exclude_none=True)
        return f"`{_escape(json.dumps(dumped, separators=(', ', ': ')))}`"
    return f"`{_escape(_yaml(default))}`"


def _yaml(value: Any) -> str:
    """A value as a stack file would write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    annotation = unwrap(annotation)
    if typing.get_origin(annotation) is list:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(unwrap(annotation)) is list


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _escape(text: str) -> str:
    """A table cell: pipes escaped so the table keeps its columns."""
    return text.replace("|", "\\|")
