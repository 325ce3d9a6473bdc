"""A routed service that changes load balancer: its hosts' DNS must follow.

Services are spread over `routing.loadBalancers` ALBs; changing that count (or a service's
`routes.loadBalancer`) moves services to another ALB, whose DNS name differs. The listener
rule is replaced on the new ALB's listener; nothing in AWS repoints the DNS records that
send the hosts' traffic, so the reviewer must see each move and what to repoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from warmstart.diff.changes import DELETE, ResourceChange

RULE = "aws:lb/listenerRule:ListenerRule"
_PLACEHOLDER = re.compile(r"^<known after apply: \S+ ([^.\s]+)\.")


def listener_of(resource: dict[str, Any] | None) -> str:
    """The listener a rendered rule is on, by resource name (the raw value when not a
    placeholder: an imported or looked-up listener)."""
    value = str((resource or {}).get("inputs", {}).get("listenerArn", ""))
    match = _PLACEHOLDER.match(value)
    return match.group(1) if match else value


def hosts_of(resource: dict[str, Any] | None) -> list[str]:
    conditions = (resource or {}).get("inputs", {}).get("conditions", [])
    return [h for c in conditions for h in c.get("hostHeader", {}).get("values", [])]


def load_balancer_moves(change: ResourceChange) -> Iterator[tuple[str, str, list[str]]]:
    """(listener before, listener after, hosts) when a rule changes listener."""
    if change.type != RULE or change.operation == DELETE or change.before is None:
        return
    before, after = listener_of(change.before), listener_of(change.after)
    if before != after:
        yield before, after, hosts_of(change.after) or hosts_of(change.before)
