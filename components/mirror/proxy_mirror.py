"""ProxyMirror: pull-through mirrors the operator runs, for clusters without ECR.

A Distribution registry in proxy mode (one per upstream), or a Harbor proxy-cache project,
answers pulls for an upstream registry and keeps what it fetched. warmstart does not run
them: it rewrites every image reference the stack runs (services, builds pushed to
`warmstart:registry`, the prewarm holder and its pause image) through the same
`mirror_reference` as for ECR, so nodes pull from the mirror, by the same digest.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from warmstart.components.image_reference import MirrorTarget

TYPE_TOKEN = "warmstart:registry:ProxyMirror"


class ProxyMirror(pulumi.ComponentResource):
    """The stack's view of its mirrors: which registry each upstream is pulled through."""

    target: MirrorTarget
    endpoints: dict[str, str]

    def __init__(
        self,
        name: str,
        endpoints: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.endpoints = dict(endpoints)
        self.target = MirrorTarget.for_endpoints(self.endpoints)
        # In the state and in every preview: a changed mirror shows up before pods move.
        self.register_outputs({"routes": dict(self.target.routes)})
