"""Compare two plan.json renders the way the engine would: a resource renamed with an alias to
its old URN is the same resource, so it must match the old one in everything but its name.

Prints one line per difference and exits 1 if any; else says how many resources the aliases
carried over. Used by scripts/compare-renders.sh when the bytes of plan.json differ.

Usage: python scripts/compare_plans.py BEFORE/plan.json AFTER/plan.json
       python scripts/compare_plans.py BEFORE/plan.json AFTER/plan.json BEFORE.yaml AFTER.yaml
The second form compares the manifests, whose stand-ins for cloud values name resources too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

IGNORED = ("urn", "name", "aliases")
STACK_TYPE = "pulumi:pulumi:Stack"


def renamed(before: dict[str, dict], after: dict[str, dict]) -> dict[str, str]:
    """Old URN -> new URN for each new resource that adopts an old one through an alias."""
    moves = {}
    for urn, entry in after.items():
        if urn in before:
            continue
        for alias in entry.get("aliases", []):
            if alias in before:
                moves[alias] = urn
    return moves


def placeholder_moves(moves: dict[str, str]) -> dict[str, str]:
    """The renders' stand-ins for values only the cloud knows name their resource
    (`<known after apply: TYPE NAME.attr>`); old name -> new, per type."""
    return {
        f"{old.split('::')[-2].rsplit('$', 1)[-1]} {old.split('::')[-1]}.": (
            f"{new.split('::')[-2].rsplit('$', 1)[-1]} {new.split('::')[-1]}."
        )
        for old, new in moves.items()
    }


def rewritten(value: Any, moves: dict[str, str], stand_ins: dict[str, str]) -> Any:
    """`value` with every old URN and stand-in replaced by the new one."""
    if isinstance(value, str):
        if value in moves:
            return moves[value]
        if "<known after apply: " in value:
            for old, new in stand_ins.items():
                value = value.replace(f": {old}", f": {new}")
        return value
    if isinstance(value, list):
        return [rewritten(item, moves, stand_ins) for item in value]
    if isinstance(value, dict):
        return {key: rewritten(item, moves, stand_ins) for key, item in value.items()}
    return value


def differences(before: dict[str, dict], after: dict[str, dict], notes: list[str]) -> list[str]:
    """What the engine would do differently (renames through aliases aside); what makes no
    operation goes to `notes`."""
    moves = renamed(before, after)
    stand_ins = placeholder_moves(moves)
    found: list[str] = []
    for urn in before:
        if urn not in after and urn not in moves:
            found.append(f"deleted (no resource and no alias claims it): {urn}")
    adopted = {new: old for old, new in moves.items()}
    for urn, entry in after.items():
        old_urn = adopted.get(urn, urn)
        if old_urn not in before:
            found.append(f"created: {urn}")
            continue
        kept = {k: v for k, v in before[old_urn].items() if k not in IGNORED}
        old = rewritten(kept, moves, stand_ins)
        new = {k: v for k, v in entry.items() if k not in IGNORED}
        for key in sorted(set(old) | set(new)):
            if old.get(key) == new.get(key) or (key == "dependsOn" and same_set(old, new, key)):
                continue
            if key == "dependsOn" and not entry["custom"]:
                # A component's own dependsOn makes no engine operation: its children's count.
                notes.append(f"note: a component's own dependsOn changed: {urn}")
            else:
                found.append(f"changed {key}: {urn}")
    return found


def same_set(old: dict, new: dict, key: str) -> bool:
    """Equal as sets: a list the harness sorts by URN, whose order renames change."""
    return sorted(old.get(key) or []) == sorted(new.get(key) or [])


def by_urn(path: Path) -> dict[str, dict]:
    """The plan's resources by URN, each URN as the engine forms it (renders made before
    the harness carried the whole chain of parent types are brought to that form)."""
    entries = {entry["urn"]: entry for entry in json.loads(path.read_text())["resources"]}
    engine: dict[str, str] = {}

    def urn(written: str) -> str:
        if written not in engine:
            entry = entries.get(written)
            parent = entry["parent"] if entry else None
            if not parent or parent.split("::")[2] == STACK_TYPE:
                engine[written] = written
            else:
                stack, project, chain = urn(parent).split("::")[:3]
                engine[written] = f"{stack}::{project}::{chain}${entry['type']}::{entry['name']}"
        return engine[written]

    renamed_to = {written: urn(written) for written in entries}
    return {renamed_to[old]: rewritten(entry, renamed_to, {}) for old, entry in entries.items()}


def same_manifests(before: dict, after: dict, old_yaml: str, new_yaml: str) -> bool:
    """The manifests equal once the old stand-ins name the renamed resources."""
    return rewritten(old_yaml, {}, placeholder_moves(renamed(before, after))) == new_yaml


def main(before_path: str, after_path: str, *manifests: str) -> int:
    before, after = by_urn(Path(before_path)), by_urn(Path(after_path))
    if manifests:
        old_yaml, new_yaml = (Path(path).read_text() for path in manifests)
        same = same_manifests(before, after, old_yaml, new_yaml)
        print("  same after aliases" if same else "  the manifests differ")
        return 0 if same else 1
    notes: list[str] = []
    found = differences(before, after, notes)
    for line in found + notes:
        print(f"  {line}")
    if not found:
        print(f"  same after aliases: {len(renamed(before, after))} renamed, nothing else changed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
