"""Read a stack's `stacks/Pulumi.<stack>.yaml` into config as the Pulumi CLI passes it.

The CLI hands a program every value as text: structured values as JSON, booleans as
`true`/`false`. Doing the same here means the render command and the tests feed the
program exactly what `pulumi up` would, so no code path exists only offline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = PROJECT_ROOT / "stacks"
PROJECT = "warmstart"
# Stands in for a value encrypted in the stack file; render never sees the passphrase.
SECRET_PLACEHOLDER = "<secret: encrypted in the stack file>"


class StackFileError(Exception):
    """A stack file that is missing or is not a Pulumi stack config document."""


@dataclass(frozen=True)
class StackConfig:
    stack: str
    values: dict[str, str]
    secret_keys: frozenset[str]


def stack_file(stack: str, stacks_dir: Path = STACKS_DIR) -> Path:
    return stacks_dir / f"Pulumi.{stack}.yaml"


def available_stacks(stacks_dir: Path = STACKS_DIR) -> list[str]:
    return sorted(
        path.name[len("Pulumi.") : -len(".yaml")] for path in stacks_dir.glob("Pulumi.*.yaml")
    )


def read_stack_config(stack: str, stacks_dir: Path = STACKS_DIR) -> StackConfig:
    path = stack_file(stack, stacks_dir)
    if not path.is_file():
        known = ", ".join(available_stacks(stacks_dir)) or "none"
        raise StackFileError(f"no stack file {path} (stacks: {known})")
    document = yaml.safe_load(path.read_text()) or {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise StackFileError(f"{path}: expected a mapping with a 'config' mapping")
    return config_from_mapping(stack, document.get("config") or {})


def config_from_mapping(stack: str, config: dict[str, Any]) -> StackConfig:
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        full_key = key if ":" in key else f"{PROJECT}:{key}"
        redacted, is_secret = _redact_secure(value)
        values[full_key] = as_config_text(redacted)
        if is_secret:
            secret_keys.add(full_key)
    return StackConfig(stack=stack, values=values, secret_keys=frozenset(secret_keys))


def as_config_text(value: Any) -> str:
    """The text form the Pulumi CLI gives the program for a config value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def _redact_secure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ...}` ciphertexts (at any depth) with a placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        result = {}
        for key, item in value.items():
            result[key], secret = _redact_secure(item)
            found = found or secret
        return result, found
    if isinstance(value, list):
        pairs = [_redact_secure(item) for item in value]
        return [item for item, _ in pairs], any(secret for _, secret in pairs)
    return value, False
