"""ProxyMirror: pull-through mirrors the operator runs, for clusters without ECR.

A Distribution registry in proxy mode (one per upstream), or a Harbor proxy-cache project,
answers pulls for an upstream registry and keeps what it fetched. warmstart does not run
them: it rewrites every image reference the stack runs (services, builds pushed to
`warmstart:registry`, the prewarm holder and its pause image) through the same
`mirror_reference` as for ECR, so nodes pull from the mirror, by the same digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from warmstart.components.config.mirror import endpoint_problems
from warmstart.components.config.problems import ConfigError
from warmstart.components.image_reference import MirrorTarget

TYPE_TOKEN = "warmstart:registry:ProxyMirror"


@dataclass(frozen=True)
class ProxyMirrorArgs:
    """Which mirror serves each upstream registry."""

    endpoints: Mapping[str, str]
    """Upstream (`docker-hub`, `ghcr`, ... or a registry host) -> the mirror's
    `host[:port][/path]`, as `warmstart:mirror.endpoints` writes it."""


class ProxyMirror(pulumi.ComponentResource):
    """The stack's view of its mirrors: which registry each upstream is pulled through."""

    target: MirrorTarget
    endpoints: dict[str, str]

    def __init__(
        self, name: str, args: ProxyMirrorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        problems = endpoint_problems(args.endpoints)
        if problems:
            raise ConfigError(problems, subject=f"ProxyMirror {name} args")
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.endpoints = dict(args.endpoints)
        self.target = MirrorTarget.for_endpoints(self.endpoints)
        # In the state and in every preview: a changed mirror shows up before pods move.
        self.register_outputs({"routes": dict(self.target.routes)})
