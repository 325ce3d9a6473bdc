"""A JSON Schema for Pulumi stack files that configure warmstart, for editors and CI.

Generated from the same config models the program validates with, so an editor (through
`# yaml-language-server: $schema=...` at the top of a stack file) flags an unknown
`warmstart:` key, a misspelt nested key or a wrong type as it is typed. Keys of other
namespaces (`aws:region`, `pulumi:...`) pass untouched, and any value may be a Pulumi secret
(`{secure: ...}`). The schema is a convenience, not the authority: `pulumi preview` still
runs every cross-field rule the schema cannot express.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warmstart.components.config import WarmstartConfig
from warmstart.components.config.base import NAMESPACE

SCHEMA_PATH = Path("schema") / "warmstart-stack.schema.json"
# What `pulumi config set --secret` writes in place of a value.
SECRET_VALUE = {
    "type": "object",
    "properties": {"secure": {"type": "string"}},
    "required": ["secure"],
    "additionalProperties": False,
}


def stack_file_schema() -> dict[str, Any]:
    """The schema of a whole stack file: `config` with every `warmstart:` key typed."""
    models = WarmstartConfig.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    keys = {
        f"{NAMESPACE}:{name}": {"anyOf": [field, {"$ref": "#/$defs/SecretValue"}]}
        for name, field in models["properties"].items()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Pulumi stack file with warmstart configuration",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": keys,
                # any other namespace's keys, but no warmstart key the program would refuse
                "propertyNames": {
                    "anyOf": [{"enum": sorted(keys)}, {"not": {"pattern": f"^{NAMESPACE}:"}}]
                },
            },
        },
        "$defs": {**models.get("$defs", {}), "SecretValue": SECRET_VALUE},
    }


def schema_text() -> str:
    """The checked-in file's exact text: stable key order, one trailing newline."""
    return json.dumps(stack_file_schema(), indent=2, sort_keys=True) + "\n"
