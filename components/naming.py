"""Children named after their component, so any number of instances live in one program.

A URN holds the chain of types and the resource's own name, not its parent's name: two
instances of one component give their children the same URN unless the children's names
differ. So every child is named `<component>-<role>` (the component's own name alone for
its main child), the way GoService and ImagePrewarm name theirs. Roles never start with the
component's name by convention only: a service called `routing-api` cannot then collide
with service `api` under a ServiceRouting called `routing`.

Stacks made before this rule hold children named by role alone, under the names warmstart's
own program gives its components. Those instances, and only those, carry the old names as
aliases: the engine then adopts each existing resource (no replacement, no delete). Any other
instance aliasing them would claim another instance's resources, which the engine refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

# The (type token, name) of each component as warmstart's program registered it before
# children were prefixed. A nested component's name is the one its parent gives it now.
PROGRAM_INSTANCES = frozenset(
    {
        ("warmstart:cluster:Cluster", "cluster"),
        ("warmstart:aws:Network", "cluster-network"),
        ("warmstart:kubernetes:LoadBalancerController", "cluster-load-balancer-controller"),
        ("warmstart:kubernetes:ClusterAutoscaler", "cluster-autoscaler"),
        ("warmstart:aws:RegistryMirror", "registry-mirror"),
        ("warmstart:aws:ServiceRouting", "routing"),
        ("warmstart:aws:FargateSpotFallback", "fargate"),
    }
)


def child_name(component: str, role: str) -> str:
    """`<component>-<role>`, or the component's name alone for its main child (role "")."""
    return f"{component}-{role}" if role else component


@dataclass(frozen=True)
class Children:
    """Names and options for one component's children."""

    parent: pulumi.Resource
    type_token: str
    component: str

    def name(self, role: str) -> str:
        """The child's name: `<component>-<role>`."""
        return child_name(self.component, role)

    def options(self, role: str, old: str | None = None, **options: Any) -> pulumi.ResourceOptions:
        """`parent=` the component, plus the name the child had before (`old`, default: the
        role, or the component's own for its main child) as an alias when this is one of the
        program's own instances."""
        was = old if old is not None else role or self.component
        aliases = [pulumi.Alias(name=was)] if self._renamed(role, was) else []
        return pulumi.ResourceOptions(parent=self.parent, aliases=aliases, **options)

    def kept(self, role: str, old: str) -> str:
        """The child's name, but `old` unchanged (no alias) in the program's own instance:
        for a child an alias cannot carry on every engine. An explicit provider is one:
        engines before pulumi/pulumi#18509 (2025) replace every resource it manages when it
        is renamed, aliased or not."""
        return old if self._program_instance else self.name(role)

    @property
    def _program_instance(self) -> bool:
        return (self.type_token, self.component) in PROGRAM_INSTANCES

    def _renamed(self, role: str, was: str) -> bool:
        return self._program_instance and self.name(role) != was
