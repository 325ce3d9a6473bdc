"""Read a stack's `stacks/Pulumi.<stack>.yaml` into config as the Pulumi CLI passes it.

The CLI hands a program every value as text: structured values as JSON, booleans as
`true`/`false`. Doing the same here means the render command and the tests feed the
program exactly what `pulumi up` would, so no code path exists only offline.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# This checkout: the repository's own tooling (docs, examples) and tests work on it. The
# commands users run work on the project they are in (`find_project`).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = PROJECT_ROOT / "stacks"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
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


@dataclass(frozen=True)
class Project:
    """A Pulumi project a command works on: its directory and where its stack files are."""

    root: Path
    stacks_dir: Path

    @property
    def stacks_path(self) -> Path:
        """The stack files' directory relative to the project, as in any revision of it."""
        return self.stacks_dir.relative_to(self.root)


def find_project(start: Path) -> Project:
    """The Pulumi project holding `start`: the nearest Pulumi.yaml at or above it, its stack
    files in its `stackConfigDir` (the project directory when unset), as the CLI finds them."""
    start = start.resolve()
    for directory in (start, *start.parents):
        for name in PROJECT_FILES:
            manifest = directory / name
            if _is_file(manifest):
                document = load_document(manifest)
                config_dir = document.get("stackConfigDir") if isinstance(document, dict) else None
                return Project(directory, (directory / (config_dir or ".")).resolve())
    raise StackFileError(
        f"no Pulumi.yaml in {start} or above it: run in a Pulumi project or pass --project-dir"
    )


def _is_file(path: Path) -> bool:
    """`path.is_file()`, with a directory it may not look into said in one line."""
    try:
        return path.is_file()
    except OSError as error:
        raise StackFileError(f"{path.parent}: {error.strerror}") from None


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
    document = load_document(path) or {}
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise StackFileError(f"{path}: expected a mapping with a 'config' mapping")
    config = document.get("config") or {}
    for key in config:
        if not isinstance(key, str):
            raise StackFileError(f"{path}: config key {key!r} is not text: quote it")
    return config_from_mapping(stack, config)


def load_document(path: Path) -> Any:
    """The one YAML document in `path`; any reason it is not one is a `file:line:` error.

    The Pulumi CLI refuses such files too, but with a parser trace: this says where and why.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StackFileError(f"{path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise StackFileError(
            f"{path}:{line}: not UTF-8 (byte 0x{raw[error.start]:02x}): save the file as UTF-8"
        ) from None
    try:
        documents = list(yaml.load_all(text, Loader=_StrictLoader))
    except yaml.MarkedYAMLError as error:
        raise StackFileError(_yaml_problem(path, text, error)) from None
    except yaml.YAMLError as error:  # every parser error carries a mark; this is a safety net
        raise StackFileError(f"{path}: not valid YAML: {error}") from None
    if len(documents) > 1:
        line = _second_document_line(text)
        raise StackFileError(f"{path}:{line}: a second YAML document: a stack file holds one")
    return documents[0] if documents else None


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping, as the Pulumi CLI does
    (PyYAML alone would keep the last value without a word)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                continue  # the base class refuses unhashable keys with a marked error
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    """`2026-01-01` stays the text it is: a config value is never a date."""
    return loader.construct_scalar(node)


def _not_a_config_value(loader: yaml.SafeLoader, node: yaml.Node) -> None:
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"{node.tag} is not a config value (text, numbers, lists, maps)",
        node.start_mark,
    )


# YAML 1.2 booleans, as the Pulumi CLI reads a stack file: `yes`, `no`, `on` and `off` are
# text there (PyYAML's YAML 1.1 would make them booleans, so a value `pulumi up` refuses
# would pass an offline render).
_BOOL = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
for _tag in ("binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _not_a_config_value)


def _yaml_problem(path: Path, text: str, error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return f"{path}: not valid YAML: {error.problem}"
    line_text = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
    hint = "; YAML indents with spaces, not tabs" if "\t" in line_text else ""
    return f"{path}:{mark.line + 1}:{mark.column + 1}: not valid YAML: {error.problem}{hint}"


def _second_document_line(text: str) -> int:
    """The line of the `---` that starts a second document (or of the first line after it)."""
    seen_content = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---") and seen_content:
            return number
        if line.strip() and not line.lstrip().startswith("#") and not line.startswith("---"):
            seen_content = True
    return 1


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
