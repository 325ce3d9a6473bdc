"""`ignoreChanges` as the engine applies it: an ignored input keeps the value it had.

Before it diffs, the engine resets every ignored path of the new inputs to the old inputs'
value there (and removes it where the old inputs have none), so a change under an ignored
path is neither an update nor a replacement. The diff does the same with the head's
option, the one `pulumi up` would run with: a Deployment that leaves `spec.replicas` to its
autoscaler shows no replica change and raises no capacity risk for one.

Paths use the engine's syntax: `spec.replicas`, `metadata.labels["app.kubernetes.io/name"]`,
`ports[0]`, `tags.*`, `rules[*].cidr`.
"""

from __future__ import annotations

import re
from typing import Any

Segment = str | int
WILDCARD = "*"
_NAME = re.compile(r"[^.\[]+")


class PathError(ValueError):
    """Text that is not a property path; the engine refuses such an option."""


def parse_path(text: str) -> tuple[Segment, ...]:
    """The segments of a property path: names as text, list indices as ints, `*` for any."""
    if not text or text.startswith("."):
        raise PathError(f"{text!r}: a property path starts with a name or an index")
    segments: list[Segment] = []
    rest = text
    while rest:
        if rest.startswith("."):
            rest = rest[1:]
            if not rest:
                raise PathError(f"{text!r}: ends with '.'")
        elif rest.startswith("["):
            segment, rest = _bracket(text, rest)
            segments.append(segment)
        else:
            name = _NAME.match(rest)
            assert name is not None  # rest starts with neither '.' nor '['
            segments.append(name.group())
            rest = rest[name.end() :]
    return tuple(segments)


def _bracket(text: str, rest: str) -> tuple[Segment, str]:
    """`["quoted key"]`, `[3]` or `[*]` at the start of `rest`, and what follows it."""
    if rest.startswith('["'):
        key, index = [], 2
        while index < len(rest) and rest[index] != '"':
            escaped = rest[index] == "\\" and rest[index + 1 : index + 2] == '"'
            key.append('"' if escaped else rest[index])
            index += 2 if escaped else 1
        if rest[index + 1 : index + 2] != "]":
            raise PathError(f"{text!r}: a quoted key needs a closing '\"]'")
        return "".join(key), rest[index + 2 :]
    end = rest.find("]")
    inside = rest[1:end]
    if end < 0 or not (inside == WILDCARD or inside.isdecimal()):
        raise PathError(f"{text!r}: an index is a number, '*' or a quoted key in brackets")
    return (WILDCARD if inside == WILDCARD else int(inside)), rest[end + 1 :]


def ignoring(old: dict[str, Any], new: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """The inputs the engine compares: `new` with every ignored path put back to `old`'s.

    A path that does not parse is skipped, so its changes stay visible (the engine would
    refuse the option, which the reviewer should see).
    """
    for text in paths:
        try:
            new = reset(old, new, parse_path(text))
        except PathError:
            continue
    return new


def reset(old: Any, new: Any, path: tuple[Segment, ...]) -> Any:
    """`new` with the value at `path` set to `old`'s there, removed where `old` has none.

    Like the engine, it creates no intermediate objects and never resizes a list: where the
    two sides do not both reach the path, `new` is returned as it is.
    """
    key, rest = path[0], path[1:]
    if key == WILDCARD:
        return _reset_every(old, new, rest)
    if isinstance(key, int):
        return _reset_item(old, new, key, rest)
    return _reset_key(old, new, key, rest)


def _reset_item(old: Any, new: Any, index: int, rest: tuple[Segment, ...]) -> Any:
    if not (isinstance(old, list) and isinstance(new, list)) or index >= min(len(old), len(new)):
        return new
    items = list(new)
    items[index] = reset(old[index], new[index], rest) if rest else old[index]
    return items


def _reset_key(old: Any, new: Any, key: str, rest: tuple[Segment, ...]) -> Any:
    had = isinstance(old, dict) and key in old
    if not isinstance(new, dict) or (rest and not (had and key in new)):
        return new
    if rest:
        return {**new, key: reset(old[key], new[key], rest)}
    if had:
        return {**new, key: old[key]}
    return {name: value for name, value in new.items() if name != key}


def _reset_every(old: Any, new: Any, rest: tuple[Segment, ...]) -> Any:
    """`*`: every key of an object, every item of a list (of the same length on both sides)."""
    if isinstance(old, dict) and isinstance(new, dict):
        if not rest:
            return dict(old)
        return {
            key: reset(old[key], value, rest) if key in old else value for key, value in new.items()
        }
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [reset(was, now, rest) if rest else was for was, now in zip(old, new, strict=True)]
    return new
