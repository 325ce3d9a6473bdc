"""What every hosted component shares: the provider's name, and how the Python component
inside a hosted one is attached to it.

No `from __future__ import annotations` in this package: the SDK's analyzer reads the
annotations as classes to infer the schema (tests/provider runs it on every hosted
component).
"""

import pulumi

from warmstart.components.dependencies import inherited_dependencies

PROVIDER = "warmstart"


def token(name: str) -> str:
    """A hosted component's type token, `warmstart:index:<Name>`."""
    return f"{PROVIDER}:index:{name}"


def inner_options(
    outer: pulumi.ComponentResource, opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions:
    """The Python component inside: a child that waits for what the outer one waits for."""
    return pulumi.ResourceOptions(parent=outer, depends_on=list(inherited_dependencies(opts)))
