"""A component with one real child: a ConfigMap that holds a message.

No `from __future__ import annotations` here: the SDK's schema analyzer reads the
annotations as classes.
"""

from typing import TypedDict

import pulumi
import pulumi_kubernetes as kubernetes


class GreetingArgs(TypedDict):
    namespace: pulumi.Input[str]
    """The namespace the ConfigMap goes into."""
    message: pulumi.Input[str]
    """What the ConfigMap says."""


class Greeting(pulumi.ComponentResource):
    """A ConfigMap with a message, as a component other languages consume."""

    config_map: pulumi.Output[str]
    """The ConfigMap's name, given by the engine."""

    def __init__(
        self, name: str, args: GreetingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("greeter:index:Greeting", name, {}, opts)
        config_map = kubernetes.core.v1.ConfigMap(
            f"{name}-message",
            metadata={"namespace": args["namespace"]},
            data={"message": args["message"]},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.config_map = config_map.metadata.name
        self.register_outputs({"config_map": self.config_map})
