"""What a GoService checks about its args before it registers anything.

The same rules, with the same messages, as one `warmstart:services` entry of a stack file:
a program that builds GoServices itself gets what `pulumi preview` of a stack file gets.
Paths start at the args (`service.resources.requests.cpu`, `image`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warmstart.components.config.base import Problem, reference_problems
from warmstart.components.config.fallback import fallback_problems
from warmstart.components.config.problems import parsed_model
from warmstart.components.config.service import (
    ServiceConfig,
    production_service_problems,
    service_problems,
)

AT = "service"


def parsed_service(value: ServiceConfig | Mapping[str, Any]) -> ServiceConfig | list[Problem]:
    """The service as the stack file writes it (camelCase keys), parsed; or why it cannot be."""
    return parsed_model(ServiceConfig, value, AT)


def go_service_problems(service: ServiceConfig, image: object, production: bool) -> list[Problem]:
    """Every rule of one service, production's included, and the image the pods run.

    `image` is the args' own reference: text is checked now; an Output (a build's digest,
    known after the push) is checked by the build, not here.
    """
    problems = list(service_problems(AT, service))
    if production:
        problems += production_service_problems(AT, service)
    if image is None and service.image is None:
        problems.append(Problem("image", "required: give image, or service.image"))
    if isinstance(image, str):
        problems += reference_problems("image", image, production)
    return problems


def checked_service(
    at: str, value: ServiceConfig | Mapping[str, Any]
) -> ServiceConfig | list[Problem]:
    """One service parsed and checked by the stack file's rules; or its problems."""
    parsed = parsed_model(ServiceConfig, value, at)
    if isinstance(parsed, list):
        return parsed
    problems = [*service_problems(at, parsed), *fallback_problems(at, parsed.fallback)]
    return problems or parsed
