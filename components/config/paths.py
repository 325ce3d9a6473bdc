"""Config values that name files or directories of the project: each must exist when the
config is read, or the stack file is wrong (a build context that points nowhere used to
surface as a BuildKit error half-way through `pulumi up`).

A field says it is such a path by its type's metadata (`ProjectPath`), so one walk over the
parsed config finds them all, those added later included; a path whose target is made after
the config is read says so instead (`CreatedLater`, with who makes it). tests/config walks
the models for fields that look like paths and holds each to one of the two.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from warmstart.components.config.base import Problem, is_encrypted_placeholder


@dataclass(frozen=True)
class ProjectPath:
    """A file or directory, relative to the project directory, that must exist.

    `default`: the path used when the field is not set, from the model's other fields
    (`{context}/Dockerfile`), which must exist just the same. `kubeconfig`: the content of
    one, or a path to it (as the Kubernetes provider takes either); only a path is checked.
    """

    kind: Literal["file", "directory", "kubeconfig"]
    default: str | None = None


@dataclass(frozen=True)
class CreatedLater:
    """A path whose target is made after the config is read, and so is not checked: `why`
    says who makes it."""

    why: str


def path_problems(model: BaseModel, project_dir: Path, at: str = "") -> Iterator[Problem]:
    """Every ProjectPath of `model` (at any depth) that names nothing in `project_dir`."""
    for name, field in type(model).model_fields.items():
        key = f"{at}.{field.alias or name}" if at else field.alias or name
        value = getattr(model, name)
        marker = next((m for m in field.metadata if isinstance(m, ProjectPath)), None)
        if marker is None:
            yield from _nested(key, value, project_dir)
        elif value is not None:
            yield from _missing(key, value, marker.kind, project_dir)
        elif marker.default is not None:
            default = marker.default.format(**_written(model))
            if (project_dir / Path(default).parent).is_dir():  # else the other field is reported
                for problem in _missing(key, default, marker.kind, project_dir):
                    yield Problem(
                        key,
                        f"not set, and its default ({marker.default}) {problem.message}",
                        default,
                    )


def _written(model: BaseModel) -> dict[str, Any]:
    """The model's fields by the names a stack file writes (`{context}`)."""
    fields = type(model).model_fields
    return {(field.alias or name): getattr(model, name) for name, field in fields.items()}


def _nested(key: str, value: Any, project_dir: Path) -> Iterator[Problem]:
    if isinstance(value, BaseModel):
        yield from path_problems(value, project_dir, key)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _nested(f"{key}[{index}]", item, project_dir)
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from _nested(f"{key}.{name}", item, project_dir)


def _missing(key: str, text: str, kind: str, project_dir: Path) -> Iterator[Problem]:
    if kind == "kubeconfig":
        if is_encrypted_placeholder(text) or _is_kubeconfig_content(text):
            return
        path = project_dir / Path(text).expanduser()
        if not path.is_file():
            yield Problem(
                key,
                f"neither a kubeconfig nor the path of an existing file (paths are relative "
                f"to the project, {project_dir})",
                "(set)",
            )
        return
    parts = Path(text).parts
    if text.startswith("/") or ".." in parts:
        return  # not a path inside the project: build_problems says so
    path = project_dir / text
    if not path.exists():
        yield Problem(key, f"no such {kind} in the project ({project_dir})", text)
    elif kind == "directory" and not path.is_dir():
        yield Problem(key, "a file, not a directory", text)
    elif kind == "file" and not path.is_file():
        yield Problem(key, "a directory, not a file", text)


def _is_kubeconfig_content(text: str) -> bool:
    """YAML or JSON text rather than a path: several lines, or a mapping on one."""
    stripped = text.strip()
    return "\n" in stripped or stripped.startswith("{") or stripped.startswith("apiVersion")
