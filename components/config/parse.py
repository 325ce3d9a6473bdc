"""From Pulumi's raw config (`namespace:key` -> text) to a typed `WarmstartConfig`, or a
`ConfigError` listing every problem. The one place the program reads config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import ValidationError

from components.config.base import NAMESPACE, Problem
from components.config.problems import ConfigError, allowed_keys, problems_from, unwrap
from components.config.stack import WarmstartConfig, semantic_problems

# Keys whose values are credentials: a plaintext value in a stack file is an error.
SECRET_KEYS = frozenset(
    {"kubeconfig", "dockerHubCredentials", "ghcrCredentials", "registryCredentials"}
)


def parse_config(
    raw: Mapping[str, str], secret_keys: frozenset[str] = frozenset()
) -> WarmstartConfig:
    """Typed config from raw Pulumi config (`namespace:key` -> string), or ConfigError.

    `secret_keys` names the full keys (`warmstart:kubeconfig`) Pulumi holds as secrets.
    """
    values: dict[str, Any] = {}
    problems = [
        Problem(key, f"must be a secret: pulumi config set --secret {NAMESPACE}:{key} ...")
        for key in sorted(SECRET_KEYS)
        if f"{NAMESPACE}:{key}" in raw and f"{NAMESPACE}:{key}" not in secret_keys
    ]
    allowed, text_keys = allowed_keys(WarmstartConfig), _text_keys()
    for full_key, text in sorted(raw.items()):
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE:
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
    return parse_config(texts, secrets)


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
