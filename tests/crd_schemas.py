"""Strict JSON schemas for the custom resources warmstart renders.

Written from the CRD's published v1beta1 API (elbv2.k8s.aws TargetGroupBinding), limited
to the fields warmstart may set: anything else in a rendered object is an error.
"""

from __future__ import annotations

from typing import Any

_METADATA = {
    "type": "object",
    "required": ["name", "namespace"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 253},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}

TARGET_GROUP_BINDING: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "elbv2.k8s.aws/v1beta1"},
        "kind": {"const": "TargetGroupBinding"},
        "metadata": _METADATA,
        "spec": {
            "type": "object",
            "required": ["serviceRef", "targetGroupARN"],
            "properties": {
                "serviceRef": {
                    "type": "object",
                    "required": ["name", "port"],
                    "properties": {
                        "name": {"type": "string"},
                        "port": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                    },
                    "additionalProperties": False,
                },
                "targetGroupARN": {"type": "string", "minLength": 1},
                "targetType": {"enum": ["instance", "ip"]},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

CRD_SCHEMAS = {("elbv2.k8s.aws/v1beta1", "TargetGroupBinding"): TARGET_GROUP_BINDING}
