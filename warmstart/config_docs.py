"""The configuration reference, generated from the config models (as terraform-docs does).

Every field documents itself with the docstring under its declaration; this module walks
`WarmstartConfig` and writes one Markdown table per model, in declaration order, between
two markers in docs/configuration.md (a model met again, such as the second node group,
points at its first table). `python -m warmstart docs` rewrites the section; `--check` (and
a test) fails when the page has drifted from the models or a field has no docstring.

`attribute_docstrings` is the one way docstrings under declarations are read, here and for
the component reference (`warmstart.api_docs`): pydantic's own, which `ConfigModel`'s
`use_attribute_docstrings` runs for every config model.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic._internal._docs_extraction import extract_docstrings_from_cls
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from warmstart.components.config import SECRET_KEYS, WarmstartConfig
from warmstart.components.config.base import NAMESPACE
from warmstart.components.config.problems import unwrap

BEGIN = "<!-- config-reference:begin (python -m warmstart docs) -->"
END = "<!-- config-reference:end -->"
# The page the reference is written into, relative to the repository.
PAGE = Path("docs/configuration.md")


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
    first: dict[type[BaseModel], Section] = {}
    tables = []
    for section in sections(root):
        tables.append(_table(section, first.get(section.model)))
        first.setdefault(section.model, section)
    return "\n".join(tables)


def model_sections(root: type[BaseModel] = WarmstartConfig) -> dict[type[BaseModel], str]:
    """Each model of the tree -> the heading of its table (its first place in a stack file)."""
    first: dict[type[BaseModel], str] = {}
    for section in sections(root):
        first.setdefault(section.model, _title(section))
    return first


def sections(root: type[BaseModel], path: str = "") -> Iterator[Section]:
    """Depth-first, in declaration order: the model, then each model-valued field's model."""
    yield Section(path, root)
    for key, field in _fields(root):
        nested = _model_of(field.annotation)
        if nested is not None:
            suffix = "[]" if _is_list(field.annotation) else ""
            yield from sections(nested, f"{path}.{key}{suffix}" if path else f"{key}{suffix}")


def replace_section(text: str, body: str, begin: str = BEGIN, end: str = END) -> str:
    """`text` with what lies between the two markers replaced by `body`."""
    if begin not in text or end not in text:
        raise ValueError(f"the page needs the markers {begin} and {end}")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstring under each annotated attribute of `cls` and of the dataclasses and models
    it derives from (a base's first), read by pydantic's extraction, the one
    `use_attribute_docstrings` runs."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        model = issubclass(klass, BaseModel) and klass is not BaseModel
        if klass is cls or model or dataclasses.is_dataclass(klass):
            docs.update(extract_docstrings_from_cls(klass, use_inspect=True))
    return docs


def anchor(heading: str) -> str:
    """The fragment GitHub gives a Markdown heading: lower case, punctuation dropped (but
    `-` and `_`), spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    return [(field.alias or name, field) for name, field in model.model_fields.items()]


def _title(section: Section) -> str:
    return f"`{NAMESPACE}:{section.path}`" if section.path else f"`{NAMESPACE}:*` (top level)"


def _table(section: Section, same_as: Section | None = None) -> str:
    lines = [f"## {_title(section)}", "", _one_line(section.model.__doc__ or ""), ""]
    if same_as is not None:
        title = _title(same_as)
        return "\n".join([*lines, f"Same keys as [{title}](#{anchor(title)})."]) + "\n"
    lines += ["| key | type | default | meaning |", "|---|---|---|---|"]
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
