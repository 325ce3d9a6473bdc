"""From Pulumi's raw config (`namespace:key` -> text) to a typed `WarmstartConfig`, or a
`ConfigError` listing every problem. The one place the program reads config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
from pydantic import ValidationError

from warmstart.components.config.base import NAMESPACE, Problem
from warmstart.components.config.limits import naming_problems, plaintext_secret_problems
from warmstart.components.config.paths import path_problems
from warmstart.components.config.problems import ConfigError, allowed_keys, problems_from, unwrap
from warmstart.components.config.stack import WarmstartConfig, semantic_problems

# Keys whose values are credentials: a plaintext value in a stack file is an error.
SECRET_KEYS = frozenset(
    {"kubeconfig", "dockerHubCredentials", "ghcrCredentials", "registryCredentials"}
)


def parse_config(
    raw: Mapping[str, str],
    secret_keys: frozenset[str] = frozenset(),
    stack: tuple[str, str] | None = None,
    project_dir: Path | None = None,
) -> WarmstartConfig:
    """Typed config from raw Pulumi config (`namespace:key` -> string), or ConfigError.

    `secret_keys` names the full keys (`warmstart:kubeconfig`) Pulumi holds as secrets;
    `stack` is (project, stack), for the names AWS gets from the default cluster name;
    `project_dir`, where the files the config names (build contexts, Dockerfiles, a
    kubeconfig path) must exist. Without it they are not looked for: `cost`, `diff` and
    `promote` read configs of other revisions, whose files need not be in this checkout.
    """
    values: dict[str, Any] = {}
    problems = [
        Problem(key, f"must be a secret: pulumi config set --secret {NAMESPACE}:{key} ...")
        for key in sorted(SECRET_KEYS)
        if f"{NAMESPACE}:{key}" in raw and f"{NAMESPACE}:{key}" not in secret_keys
    ]
    problems += plaintext_secret_problems(raw, secret_keys)
    allowed, text_keys = allowed_keys(WarmstartConfig), _text_keys()
    for full_key, text in sorted(raw.items()):
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE:
            if key in allowed and _looks_like_ours(namespace):
                problems.append(
                    Problem(key, f"written as {full_key}: the namespace is {NAMESPACE}", namespace)
                )
            continue
        if key not in allowed:
            problems.append(Problem(key, f"unknown key (allowed: {', '.join(allowed)})"))
            continue
        values[key] = text if key in text_keys else _decode(text)
    try:
        config = WarmstartConfig.model_validate(values)
    except ValidationError as error:
        raise ConfigError(problems + problems_from(error, WarmstartConfig)) from None
    problems += semantic_problems(config)
    if stack is not None:
        problems += naming_problems(config, *stack)
    if project_dir is not None:
        problems += path_problems(config, project_dir)
    if problems:
        raise ConfigError(problems)
    return config


def load_config() -> WarmstartConfig:
    """Parse the running stack's config; the one place the program reads config."""
    raw = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    texts = {key: value for key, value in raw.items() if isinstance(value, str)}
    secrets = frozenset(key for key in texts if pulumi.runtime.is_config_secret(key)) | frozenset(
        pulumi.runtime.get_config_secret_keys_env()
    )
    stack = (pulumi.get_project(), pulumi.get_stack())
    return parse_config(texts, secrets, stack, project_directory())


def project_directory() -> Path | None:
    """The project's directory (Pulumi.yaml's), as the engine tells the program; None where
    nothing tells it (unit tests' mocks), and then no path is looked for."""
    root = pulumi.get_root_directory()
    return Path(root) if root else None


def _looks_like_ours(namespace: str) -> bool:
    """A namespace one or two edits from `warmstart` (or differing in case): a typo."""
    return namespace != NAMESPACE and _edits(namespace.lower(), NAMESPACE) <= 2


def _edits(a: str, b: str) -> int:
    """Levenshtein distance, for short strings."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _text_keys() -> frozenset[str]:
    """Top-level keys whose value is text even when it looks like JSON (credentials, kubeconfig)."""
    return frozenset(
        field.alias or name
        for name, field in WarmstartConfig.model_fields.items()
        if unwrap(field.annotation) is str
    )


def _decode(text: str) -> Any:
    """Pulumi hands structured values to the program as JSON text; scalars stay text."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text
