"""Two renders of one stack -> what `pulumi up` would do to each resource.

Resources are matched by URN, as the engine matches them: a renamed resource (or one moved
under another parent) is a delete and a create. An input change is an update unless
`replacement` says the provider must replace the resource for it; a change under a path the
head's `ignoreChanges` names is none (`ignore`), as the engine would not make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmstart.diff.ignore import ignoring
from warmstart.diff.replacement import forces_replacement

CREATE, UPDATE, REPLACE, DELETE = "create", "update", "replace", "delete"
OPERATIONS = (CREATE, UPDATE, REPLACE, DELETE)


@dataclass(frozen=True)
class Change:
    """One changed input: its dotted path, the value before and after (None: absent)."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ResourceChange:
    urn: str
    type: str
    name: str
    operation: str
    changes: tuple[Change, ...]
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def protected(self) -> bool:
        return bool((self.before or {}).get("protect"))


def leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every scalar under `value` by dotted path (`spec.containers[0].image`)."""
    if isinstance(value, dict):
        if not value:
            return {prefix: {}} if prefix else {}
        found: dict[str, Any] = {}
        for key, item in value.items():
            found |= leaves(item, f"{prefix}.{key}" if prefix else str(key))
        return found
    if isinstance(value, list):
        if not value:
            return {prefix: []}
        found = {}
        for index, item in enumerate(value):
            found |= leaves(item, f"{prefix}[{index}]")
        return found
    return {prefix: value}


def input_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[Change, ...]:
    old, new = leaves(before), leaves(after)
    return tuple(
        Change(path, old.get(path), new.get(path))
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    )


def diff_plans(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[ResourceChange]:
    """Every resource `pulumi up` would touch going from plan `before` to plan `after`."""
    old = {r["urn"]: r for r in (before or {}).get("resources", [])}
    new = {r["urn"]: r for r in (after or {}).get("resources", [])}
    result = []
    for urn in sorted(old.keys() | new.keys()):
        was, now = old.get(urn), new.get(urn)
        resource = now or was
        if was is None or now is None:
            operation = CREATE if was is None else DELETE
            result.append(
                ResourceChange(urn, resource["type"], resource["name"], operation, (), was, now)
            )
            continue
        now = {
            **now,
            "inputs": ignoring(was["inputs"], now["inputs"], now.get("ignoreChanges", [])),
        }
        changes = input_changes(was["inputs"], now["inputs"])
        options = [
            Change(f"(option) {key}", was.get(key), now.get(key))
            for key in ("protect", "ignoreChanges", "deleteBeforeReplace", "provider")
            if was.get(key) != now.get(key)
        ]
        if not changes and not options:
            continue
        replaced = forces_replacement(resource["type"], [change.path for change in changes])
        operation = REPLACE if replaced else UPDATE
        result.append(
            ResourceChange(
                urn,
                resource["type"],
                resource["name"],
                operation,
                changes + tuple(options),
                was,
                now,
            )
        )
    return result


def counts(changes: list[ResourceChange]) -> dict[str, int]:
    return {operation: sum(c.operation == operation for c in changes) for operation in OPERATIONS}
