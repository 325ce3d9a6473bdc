"""Services grouped by the port they listen on: one security-group rule per distinct port.

AWS refuses a rule that duplicates another (InvalidPermission.Duplicate), which two services
on the default port 8080 would otherwise make, and a group holds 60 rules per direction
(the routing config checks distinct ports against that quota). A rule's description holds
255 characters: the services are named while they fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from warmstart.components.config.service import ServiceConfig

DESCRIPTION_LIMIT = 255


def services_by_port(services: Iterable[ServiceConfig]) -> dict[int, list[str]]:
    """Port -> the names of the services on it, ports ascending, names in config order."""
    by_port: dict[int, list[str]] = {}
    for service in services:
        by_port.setdefault(service.port, []).append(service.name)
    return dict(sorted(by_port.items()))


def port_rule_description(what: str, port: int, names: Sequence[str]) -> str:
    """`<what> on <port>: a, b`, or the count of services once the names do not fit."""
    text = f"{what} on {port}: {', '.join(names)}"
    return text if len(text) <= DESCRIPTION_LIMIT else f"{what} on {port}: {len(names)} services"
