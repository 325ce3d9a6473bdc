"""What every config model shares: the base class, common value types, and `Problem`.

Each concern's models live in their own module beside this one; they all derive from
`ConfigModel`, so every stack file key is camelCase, every unknown key is an error, and every
field carries the docstring the configuration reference is generated from.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from warmstart.components.image_reference import (
    ImageReferenceError,
    is_digest_pinned,
    parse_reference,
)

NAMESPACE = "warmstart"
# Production's image rule, wherever an image is named (services, prewarm, component args).
DIGEST_RULE = "production stacks pin images by digest (...@sha256:<64 hex>)"
DNS_LABEL = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
# An AWS region's shape: a geography (or a partition's: us-gov, us-iso, us-isob, us-isof,
# eu-isoe, eusc-de), a direction and a number from 1 (eu-west-1, us-gov-west-1,
# cn-northwest-1). Not a list of today's regions, so a new one needs no release; `eu-wset-1`
# or `xx-west-0` fail.
AWS_REGION = (
    r"^(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso[bf]?|eu-isoe|eusc-de)"
    r"-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9][0-9]?$"
)
_PERCENT = r"^(100|[1-9]?[0-9])%$"
_ANY_PERCENT = r"^(0|[1-9][0-9]*)%$"


class ConfigModel(BaseModel):
    """camelCase keys as in the stack files; unknown keys are errors, not ignored.

    `use_attribute_docstrings` turns the docstring under each field into its description,
    which `python -m warmstart docs` writes into the configuration reference
    (docs/configuration.md).
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        use_attribute_docstrings=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_yaml_booleans_as_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Numbers and booleans are not interchangeable, whatever pydantic's lax mode says.

        Lax mode reads `true` as 1 for a number (YAML 1.1 makes `yes` and `on` true, so
        `minReplicas: yes` became one replica), and 1, "yes" or "on" as true for a boolean.
        One validator on the base class covers every field of every model, present and to
        come; the provider's numbers (floats such as 8080.0) still pass to pydantic's own
        lax int.
        """
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            scalar_problem(field.annotation, value)
        return value


# The only text a boolean may be: how Pulumi hands a top-level `true`/`false` to a program.
BOOLEAN_TEXT = {"true": True, "false": False}


def scalar_problem(annotation: Any, value: Any, item: str = "") -> None:
    """Raise when `value` is a boolean where `annotation` wants a number, or anything but a
    boolean (or its text `true`/`false`) where it wants a boolean; inside lists and mappings
    too, the message then naming the item (`m7g: ...`). Anything else is left to the
    field's own validation."""
    kinds, named = _scalar_kinds(annotation), f"{item}: " if item else ""
    if isinstance(value, bool):
        if "number" in kinds and "bool" not in kinds:
            raise PydanticCustomError(
                "number_not_boolean",
                named + "must be a number, not true/false",
            )
        return
    if kinds == {"bool"} and not (isinstance(value, str) and value in BOOLEAN_TEXT):
        raise PydanticCustomError("strict_bool", named + "must be true or false")
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and isinstance(value, list):
        for index, element in enumerate(value):
            scalar_problem(args[0], element, f"{item}[{index}]")
    elif origin is dict and isinstance(value, dict):
        for key, element in value.items():
            scalar_problem(args[1], element, f"{item}.{key}" if item else str(key))


def _scalar_kinds(annotation: Any) -> set[str]:
    """{"number"}, {"bool"}, both, or neither: what scalar `annotation` takes (through
    Annotated, Optional and unions; a Literal of numbers is a number)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _scalar_kinds(args[0])
    if origin is Union or isinstance(annotation, types.UnionType):
        return set().union(*(_scalar_kinds(member) for member in args))
    if origin is Literal:
        if any(isinstance(value, bool) for value in args):
            return {"bool"}
        return {"number"} if any(isinstance(value, int | float) for value in args) else set()
    return {bool: {"bool"}, int: {"number"}, float: {"number"}}.get(annotation, set())


def _int_or_percent(value: Any) -> int | str:
    """Kubernetes IntOrString as a rollout's maxSurge takes it: a count or any percentage."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and re.fullmatch(_ANY_PERCENT, value):
        return value
    raise PydanticCustomError(
        "int_or_percent", "must be a whole number >= 0 or a percentage such as 25%"
    )


def _int_or_share(value: Any) -> int | str:
    """maxUnavailable and minAvailable: a count, or a percentage of at most 100%."""
    if (
        isinstance(value, str)
        and re.fullmatch(_ANY_PERCENT, value)
        and not re.fullmatch(_PERCENT, value)
    ):
        raise PydanticCustomError("int_or_share", "a percentage of at most 100%")
    return _int_or_percent(value)


# maxSurge: Kubernetes accepts any percentage (200% doubles the pods during a rollout).
IntOrPercent = Annotated[int | str, PlainValidator(_int_or_percent)]
# Shares of the pods that may be down or must stay up: the API server allows up to 100%.
IntOrShare = Annotated[int | str, PlainValidator(_int_or_share)]

# Region prefixes whose ARNs are of a partition other than `aws`, longest first.
_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("eusc-", "aws-eusc"),
)


def partition(region: str) -> str:
    """The ARN partition of a region: `aws`, or its own for China, GovCloud and the others;
    an ARN of another partition names nothing the stack's account can use."""
    return next((name for prefix, name in _PARTITIONS if region.startswith(prefix)), "aws")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the config, where it is, and what was found there."""

    path: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        return self.describe(f"{NAMESPACE}:")

    def describe(self, prefix: str = "") -> str:
        """One line: the path (after `prefix`: the namespace in a stack file, nothing in a
        component's args), what is wrong, and what was found."""
        found = "" if self.value is None else f" (got {_show(self.value)})"
        return f"{prefix}{self.path}: {self.message}{found}"


def is_encrypted_placeholder(text: str) -> bool:
    """An offline render's stand-in for a value encrypted in the stack file."""
    return text.startswith("<secret")


def is_json_object_with(text: str, keys: set[str]) -> bool:
    """A credentials secret: JSON with exactly `keys`. Encrypted text is checked once decrypted."""
    if is_encrypted_placeholder(text):
        return True  # encrypted in the stack file: checked when Pulumi decrypts it
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(value, dict) and set(value) == keys


def _show(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | bool) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def reference_problems(path: str, image: str, production: bool) -> list[Problem]:
    """An image named at `path`: a reference at all, and by digest where production asks."""
    try:
        parse_reference(image)
    except ImageReferenceError:
        return [Problem(path, "not an image reference", image)]
    if production and not is_digest_pinned(image):
        return [Problem(path, DIGEST_RULE, image)]
    return []
