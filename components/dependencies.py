"""What a component's children wait for: the component's own `depends_on`.

The engine does not pass a component's dependencies on to the resources inside it, so a
Deployment inside a GoService that depends on a Namespace could be created first. Each
component hands its own to its children.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi


def inherited_dependencies(opts: pulumi.ResourceOptions | None) -> Sequence[Any]:
    """The resources in `opts.depends_on` (one resource or a list), for the children."""
    depends_on = opts.depends_on if opts else None
    if depends_on is None:
        return []
    if isinstance(depends_on, pulumi.Resource):
        return [depends_on]
    return list(depends_on)
