"""Turn pydantic's validation errors into one line per problem a stack file's author can act on.

Each line names the key path as written in the stack file (`services[0].startup.budgetSeconds`),
says what is allowed, and shows what was found; `ConfigError` carries them all at once, so
one `pulumi preview` reports every problem, not the first.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, Union

import pulumi
from pydantic import BaseModel, ValidationError

from warmstart.components.config.base import AWS_REGION, DNS_LABEL, NAMESPACE, Problem


class ConfigError(pulumi.RunError):
    """Raised before any resource exists; Pulumi prints a RunError without a traceback.

    The stack file's problems, or a component's args (`subject` names which): one rule set,
    one format, whichever way warmstart is used.
    """

    def __init__(self, problems: list[Problem], subject: str | None = None) -> None:
        self.problems = problems
        prefix = f"{NAMESPACE}:" if subject is None else ""
        lines = "\n".join(f"  - {problem.describe(prefix)}" for problem in problems)
        subject = subject or "stack configuration"
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid {subject}, {len(problems)} {noun}:\n{lines}")


Model = TypeVar("Model", bound=BaseModel)


def parsed_model(
    model: type[Model], value: Model | Mapping[str, Any], at: str
) -> Model | list[Problem]:
    """`value` as `model` (a component's arg written as a stack file writes it, or already
    parsed); or its problems, with paths under `at`."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as error:
        return [
            Problem(f"{at}.{problem.path}", problem.message, problem.value)
            for problem in problems_from(error, model)
        ]


def parsed_args(
    fields: Mapping[str, tuple[type[BaseModel], Any]],
) -> tuple[dict[str, Any], list[Problem]]:
    """A component's stack-file-shaped args, each `(model, value)` parsed at its key (None
    stays None): the parsed values, and every problem of all of them."""
    parsed: dict[str, Any] = {}
    problems: list[Problem] = []
    for at, (model, value) in fields.items():
        result = None if value is None else parsed_model(model, value, at)
        if isinstance(result, list):
            problems += result
        else:
            parsed[at] = result
    return parsed, problems


def moved(problems: Iterable[Problem], old: str, new: str) -> list[Problem]:
    """Problems of a stack-file rule with paths under `old` re-rooted at an arg's `new`."""
    return [
        Problem(new + problem.path[len(old) :], problem.message, problem.value)
        if problem.path == old or problem.path.startswith((f"{old}.", f"{old}["))
        else problem
        for problem in problems
    ]


def problems_from(error: ValidationError, root: type[BaseModel]) -> list[Problem]:
    """One Problem per pydantic error, with paths and allowed keys relative to `root`."""
    problems = []
    for item in error.errors():
        location = item["loc"]
        problems.append(Problem(_path(location), _message(item, location, root), _value(item)))
    return problems


def _path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if part == "[key]":  # pydantic's marker of an error in a mapping's key, not its value
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# Pydantic error types -> what a stack file's author is told.
_SIMPLE_MESSAGES = {
    "missing": "required",
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "too_short": "must have at least {min_length} item(s)",
    "string_too_short": "must be at least {min_length} characters",
    "string_too_long": "must be at most {max_length} characters",
    "literal_error": "must be one of {expected}",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "string_type": "must be a string",
    "model_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
}


def _message(item: Any, location: tuple[int | str, ...], root: type[BaseModel]) -> str:
    kind, context = item["type"], item.get("ctx", {})
    if kind == "extra_forbidden":
        allowed = allowed_keys(_model_at(root, location[:-1]))
        return f"unknown key (allowed: {', '.join(allowed)})"
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return _pattern_message(context.get("pattern", ""))
    if kind == "string_type" and isinstance(item.get("input"), int | float | bool):
        # YAML reads 1.30 as the number 1.3, and true/false as booleans: quote the text.
        return "must be text: quote it in the stack file (YAML read it as a number or boolean)"
    if kind in _SIMPLE_MESSAGES:
        return _SIMPLE_MESSAGES[kind].format(
            **{key: _number(value) for key, value in context.items()}
        )
    message: str = item["msg"]
    return message[:1].lower() + message[1:]


def _number(value: Any) -> Any:
    """0.0 -> 0, so a bound reads as the stack file's author wrote it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _pattern_message(pattern: str) -> str:
    if pattern == DNS_LABEL:
        return "must be a DNS label: lowercase letters, digits and '-', starting with a letter"
    if pattern == AWS_REGION:
        return "must be an AWS region such as eu-west-1 or us-east-2"
    if pattern.startswith("^1"):
        return "must be a Kubernetes minor version such as 1.35"
    return f"must match {pattern}"


def _value(item: Any) -> Any:
    """What was found at the path; nothing for a missing key."""
    return None if item["type"] == "missing" else item.get("input")


def allowed_keys(model: type[BaseModel]) -> list[str]:
    """The keys a stack file may write in `model`, as written (camelCase aliases)."""
    return sorted(field.alias or name for name, field in model.model_fields.items())


def _model_at(root: type[BaseModel], location: tuple[int | str, ...]) -> type[BaseModel]:
    """The model class that sits at `location` (a pydantic error location) under `root`."""
    current: Any = root
    for part in location:
        current = unwrap(current)
        if isinstance(part, int):
            current = typing.get_args(current)[0]
            continue
        fields = {field.alias or name: field for name, field in current.model_fields.items()}
        current = fields[part].annotation
    return unwrap(current)


def unwrap(annotation: Any) -> Any:
    """`X | None` -> X, so a walk can step into optional sub-models."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is Union:
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return members[0]
    return annotation
