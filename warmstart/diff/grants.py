"""Who an IAM policy lets do what, as grants a change can be checked against.

A grant is one (principal, action, resource, condition) an Allow statement gives. A change
widens a policy when the new document has a grant no old grant covers; that is the `iam`
risk. Three ways of widening that a per-action view misses are grants here too:

- the principal: a trust policy's `{"AWS": "*"}`, `*` or another account is a new grant of
  `sts:AssumeRole` even though the action did not change;
- `NotAction` / `NotResource` / `NotPrincipal`: an Allow with them grants everything but
  the listed ones, so it is one grant of "all but ..." that only `*` covers;
- the condition: a grant without one covers the same grant with one, never the other way,
  so removing a trust policy's `sub` condition is a new grant.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ALL_BUT = "all but "


@dataclass(frozen=True, order=True)
class Grant:
    principal: str  # "" in an identity policy: whoever it is attached to
    action: str
    resource: str  # "" in a trust policy: the role itself
    condition: str  # canonical JSON; "" when unconditional

    def covered_by(self, known: Grant) -> bool:
        """`known` allows at least this: each of its parts matches ours, and it has no
        condition or the same one."""
        return (
            _covers(known.principal, self.principal)
            and _covers(known.action, self.action)
            and _covers(known.resource, self.resource)
            and known.condition in ("", self.condition)
        )

    def describe(self) -> str:
        who = f"{self.principal} to " if self.principal else ""
        on = f" on {self.resource}" if self.resource else ""
        when = f" if {self.condition}" if self.condition else ""
        return f"{who}{self.action}{on}{when}"


def _covers(pattern: str, value: str) -> bool:
    """IAM's wildcards (`*`, `?`); an "all but" part is covered only by `*` or itself."""
    if pattern.startswith(ALL_BUT) or value.startswith(ALL_BUT):
        return pattern in ("*", value)
    wildcard = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(wildcard, value, flags=re.DOTALL) is not None


def added_grants(before: Any, after: Any) -> list[Grant]:
    """The grants of policy `after` that no grant of policy `before` covers, sorted."""
    known = grants(before)
    return sorted(grant for grant in grants(after) if not _covered(grant, known))


def _covered(grant: Grant, known: set[Grant]) -> bool:
    return any(grant.covered_by(other) for other in known)


def grants(document: Any) -> set[Grant]:
    """Every grant of a policy document (JSON text or already parsed)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return {Grant("", "(unparsed policy)", document[:60], "")}
    statements = (document or {}).get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return {grant for statement in statements for grant in statement_grants(statement)}


def statement_grants(statement: dict[str, Any]) -> set[Grant]:
    if statement.get("Effect") != "Allow":
        return set()
    principals = _part(statement, "Principal") or [""]
    actions = _part(statement, "Action")
    resources = _part(statement, "Resource") or [""]
    condition = statement.get("Condition")
    when = json.dumps(condition, sort_keys=True) if condition else ""
    return {
        Grant(principal, action, resource, when)
        for principal in principals
        for action in actions
        for resource in resources
    }


def _part(statement: dict[str, Any], key: str) -> list[str]:
    """The statement's `key` values; `Not<key>` as the one value "all but ..."."""
    if key in statement:
        return _values(statement[key])
    excluded = _values(statement.get(f"Not{key}"))
    if excluded:
        return [ALL_BUT + ", ".join(sorted(excluded))]
    return []


def _values(value: Any) -> list[str]:
    """A string or a list of them; a principal map as `AWS:arn`, `Service:name`, ..."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [f"{kind}:{item}" for kind, items in value.items() for item in _values(items)]
    return [value] if isinstance(value, str) else [str(item) for item in value]
