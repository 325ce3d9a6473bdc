"""EC2 instance shapes (vCPUs, GiB of memory), read from the type's name.

The Cluster Autoscaler sizes a managed node group from one of its instance types and assumes
every node of the group is that shape; a group mixing shapes scales wrong (a pod that fits
the type it read may not fit the node it gets). So every instance type of a group must have
the same vCPUs and memory. Names give the shape for the families EKS node groups use:
c, m and r from the 5th generation on (2, 4 and 8 GiB per vCPU; c5n is the exception), and
the burstable t3, t3a and t4g (2 vCPUs up to large). Other families return None: their
shape cannot be checked offline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from warmstart.components.config.base import Problem

_NAME = re.compile(r"^(?P<series>[a-z]+)(?P<generation>[0-9]+)(?P<options>[a-z-]*)\.(?P<size>.+)$")
_GIB_PER_VCPU = {"c": 2, "m": 4, "r": 8}
_IRREGULAR = frozenset({"c5n"})
_BURSTABLE = frozenset({"t3", "t3a", "t4g"})
_BURSTABLE_SIZES = {
    "nano": (2, 0.5),
    "micro": (2, 1),
    "small": (2, 2),
    "medium": (2, 4),
    "large": (2, 8),
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
}


def vcpus_of_size(size: str) -> int | None:
    """`medium` 1, `large` 2, `xlarge` 4, `<N>xlarge` 4N; None for others (`metal`)."""
    if size == "medium":
        return 1
    if size == "large":
        return 2
    multiple = re.fullmatch(r"([0-9]*)xlarge", size)
    if multiple is None:
        return None
    return 4 * int(multiple.group(1) or 1)


def instance_shape(instance_type: str) -> tuple[int, float] | None:
    """(vCPUs, GiB) of a known family's type, else None."""
    name = _NAME.match(instance_type)
    if name is None:
        return None
    family = instance_type.partition(".")[0]
    if family in _BURSTABLE:
        return _BURSTABLE_SIZES.get(name["size"])
    per_vcpu = _GIB_PER_VCPU.get(name["series"])
    if per_vcpu is None or int(name["generation"]) < 5 or family in _IRREGULAR:
        return None
    vcpus = vcpus_of_size(name["size"])
    return None if vcpus is None else (vcpus, float(vcpus * per_vcpu))


def describe_shape(shape: tuple[int, float]) -> str:
    return f"{shape[0]} vCPU / {shape[1]:g} GiB"


def shape_problems(at: str, instance_types: list[str]) -> Iterator[Problem]:
    """One shape per group: the autoscaler sizes a group from one of its types."""
    distinct = list(dict.fromkeys(instance_types))
    if len(distinct) < 2:
        return
    first = instance_shape(distinct[0])
    for index, instance_type in enumerate(instance_types):
        shape = instance_shape(instance_type)
        if shape is None:
            yield Problem(
                f"{at}.instanceTypes[{index}]",
                "warmstart cannot tell this type's vCPUs and memory, so it cannot check that the "
                "group has one shape: use c, m or r (5th generation on) or t types, or one type",
                instance_type,
            )
        elif first is not None and shape != first:
            yield Problem(
                f"{at}.instanceTypes[{index}]",
                f"is {describe_shape(shape)}, {distinct[0]} is {describe_shape(first)}: the "
                "autoscaler sizes a group from one of its types, so all need the same vCPUs "
                "and memory",
                instance_type,
            )
