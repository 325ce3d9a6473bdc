"""Offline render: the stack's Kubernetes objects and its resource plan, without any cloud.

`manifests.yaml` holds every Kubernetes object as the provider would send it to the API
server; `plan.json` holds every resource with the options a reviewer checks in a pull
request. Both are byte-for-byte deterministic, so a diff between two renders is a diff
between two configs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from warmstart.harness import ProgramRun, Registration

# Apply order, as kubectl and Helm use it: what others refer to comes first.
KIND_ORDER = (
    "Namespace",
    "NetworkPolicy",
    "PriorityClass",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
)
_TOP_LEVEL_ORDER = ("apiVersion", "kind", "metadata")


def kubernetes_objects(run: ProgramRun) -> list[dict[str, Any]]:
    """Every Kubernetes object the program registers, in apply order."""
    objects = [
        _ordered(resource.inputs)
        for resource in run.resources
        if resource.custom
        and resource.type.startswith("kubernetes:")
        # Helm releases are provider-side operations, not objects; plan.json lists them.
        and {"apiVersion", "kind"} <= resource.inputs.keys()
    ]
    return sorted(objects, key=_apply_order)


def _apply_order(manifest: dict[str, Any]) -> tuple[int, str, str, str]:
    kind = manifest["kind"]
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    meta = manifest.get("metadata", {})
    return rank, kind, meta.get("namespace", ""), meta.get("name", "")


def _ordered(manifest: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind and metadata first (as people write them), then the rest sorted."""
    head = {key: manifest[key] for key in _TOP_LEVEL_ORDER if key in manifest}
    tail = {key: manifest[key] for key in sorted(manifest) if key not in head}
    return _sorted_keys({**head, **tail}, top=True)


def _sorted_keys(value: Any, top: bool = False) -> Any:
    if isinstance(value, dict):
        keys = value if top else sorted(value)
        return {key: _sorted_keys(value[key]) for key in keys}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def manifests_yaml(run: ProgramRun) -> str:
    return yaml.safe_dump_all(kubernetes_objects(run), sort_keys=False, default_flow_style=False)


def plan_document(run: ProgramRun, stack: str) -> dict[str, Any]:
    return {
        "stack": stack,
        "resources": [
            _plan_entry(resource) for resource in sorted(run.resources, key=lambda r: r.urn)
        ],
        "outputs": _sorted_keys(run.outputs),
    }


def _plan_entry(resource: Registration) -> dict[str, Any]:
    optional = {
        key: list(values)
        for key, values in (
            ("aliases", resource.aliases),
            ("replaceOnChanges", resource.replace_on_changes),
        )
        if values
    }
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "custom": resource.custom,
        "parent": resource.parent,
        "provider": resource.provider,
        "protect": resource.protect,
        "dependsOn": list(resource.depends_on),
        "ignoreChanges": list(resource.ignore_changes),
        "deleteBeforeReplace": resource.delete_before_replace,
        **optional,
        "inputs": _sorted_keys(resource.inputs),
    }


def write_render(run: ProgramRun, stack: str, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    manifests = out_dir / "manifests.yaml"
    plan = out_dir / "plan.json"
    manifests.write_text(manifests_yaml(run))
    plan.write_text(json.dumps(plan_document(run, stack), indent=2, sort_keys=False) + "\n")
    return [manifests, plan]
