"""What a RegistryMirror checks about its args before it registers anything: the stack file's
`warmstart:mirror` rules (kind ecr), with paths that start at the args (`mirror.prefixes.quay`,
`credentials.docker-hub`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic.alias_generators import to_camel

from warmstart.components.config.base import DNS_LABEL, Problem
from warmstart.components.config.cluster import AwsConfig
from warmstart.components.config.mirror import CREDENTIAL_FIELDS, MirrorConfig, mirror_problems
from warmstart.components.config.problems import ConfigError, moved, parsed_args
from warmstart.components.config.stack import WarmstartConfig

# A credential that is an Output (a Pulumi secret of the caller's) is checked once known.
UNKNOWN_SECRET = "<secret of the caller>"


def validated_mirror(
    name: str,
    mirror: MirrorConfig | Mapping[str, Any],
    aws: AwsConfig | Mapping[str, Any],
    repositories: Sequence[str],
    credentials: Mapping[str, pulumi.Input[str]],
) -> tuple[MirrorConfig, AwsConfig]:
    """The two parsed, or ConfigError naming every problem of the args."""
    parsed, problems = parsed_args({"mirror": (MirrorConfig, mirror), "aws": (AwsConfig, aws)})
    if not problems:
        problems = mirror_arg_problems(parsed["mirror"], parsed["aws"], repositories, credentials)
    if problems:
        raise ConfigError(problems, subject=f"RegistryMirror {name} args")
    return parsed["mirror"], parsed["aws"]


def mirror_arg_problems(
    mirror: MirrorConfig,
    aws: AwsConfig,
    repositories: Sequence[str],
    credentials: Mapping[str, pulumi.Input[str]],
) -> list[Problem]:
    """The stack file's rules over what the args hold, and names ECR would refuse."""
    problems = [
        Problem(
            f"credentials.{upstream}",
            f"not an upstream with credentials ({', '.join(CREDENTIAL_FIELDS)})",
        )
        for upstream in credentials
        if upstream not in CREDENTIAL_FIELDS
    ]
    if mirror.kind != "ecr":
        problems.append(Problem("mirror.kind", "a RegistryMirror is ECR's: kind ecr", mirror.kind))
    stand_in = {
        field: _known_or_stand_in(credentials.get(upstream))
        for upstream, field in CREDENTIAL_FIELDS.items()
    }
    # A RegistryMirror is a mirror that is on, whatever `enabled` says: the rules must see it so.
    enabled = mirror.model_copy(update={"enabled": True})
    view = WarmstartConfig.model_construct(mirror=enabled, aws=aws, **stand_in)
    found = list(mirror_problems(view))
    for upstream, field in CREDENTIAL_FIELDS.items():
        found = moved(found, to_camel(field), f"credentials.{upstream}")
    problems += found
    problems += [
        Problem(f"repositories[{index}]", "not a service name (a lowercase DNS label)", name)
        for index, name in enumerate(repositories)
        if not re.fullmatch(DNS_LABEL, name)
    ]
    return problems


def _known_or_stand_in(value: pulumi.Input[str] | None) -> str | None:
    """Text is checked now; an Output (the caller's secret) stands in as a secret."""
    return value if value is None or isinstance(value, str) else UNKNOWN_SECRET
