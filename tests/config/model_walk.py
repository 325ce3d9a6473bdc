"""Every config model and every field of a kind, found by walking the models themselves, so
a rule meant for every number, boolean, label map or path also covers the fields added later."""

from __future__ import annotations

import importlib
import pkgutil
import types
import typing
from typing import Annotated, Any, Literal, Union

from pydantic.fields import FieldInfo

import warmstart.components.config as config_package
from warmstart.components.config.base import ConfigModel


def config_models() -> list[type[ConfigModel]]:
    """Every ConfigModel subclass in components/config, in a stable order."""
    for module in pkgutil.iter_modules(config_package.__path__):
        importlib.import_module(f"{config_package.__name__}.{module.name}")
    found: list[type[ConfigModel]] = []
    pending = list(ConfigModel.__subclasses__())
    while pending:
        model = pending.pop()
        if model not in found:
            found.append(model)
            pending += model.__subclasses__()
    return sorted(found, key=lambda model: model.__name__)


def scalar_members(annotation: Any) -> list[Any]:
    """The scalar types a field's annotation takes, through Annotated, Optional and unions."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return scalar_members(typing.get_args(annotation)[0])
    if origin is Union or isinstance(annotation, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in scalar_members(arg)]
    return [annotation]


def is_number(annotation: Any) -> bool:
    """int, float, or a Literal of numbers (Fargate's cpu, log retention days)."""
    for member in scalar_members(annotation):
        if member in (int, float):
            return True
        if typing.get_origin(member) is Literal and all(
            isinstance(v, int) and not isinstance(v, bool) for v in typing.get_args(member)
        ):
            return True
    return False


def is_bool(annotation: Any) -> bool:
    return bool in scalar_members(annotation)


def fields(predicate: typing.Callable[[str, Any], bool]) -> list[tuple[str, str, FieldInfo]]:
    """(model name, key as written, field) of every field whose (name, annotation) matches."""
    return [
        (model.__name__, info.alias or name, info)
        for model in config_models()
        for name, info in model.model_fields.items()
        if predicate(name, info.annotation)
    ]
