"""Kubernetes label keys and values, as the API server validates them, for every label map
and node selector of the config (`Labels`) and, with what EKS and the kubelet add, for a
managed node group's labels (`NodeLabels`).

A type rather than a rule run on chosen fields: any field typed `Labels` is checked, so a
label map added later cannot be forgotten (tests/config walks the models for such fields).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

NAME_LIMIT = 63
PREFIX_LIMIT = 253
# EKS's CreateNodegroup/UpdateNodegroupConfig: each label key and value 1 to 63 characters.
EKS_LABEL_LIMIT = 63
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
KEY_RULE = (
    "not a label key: [prefix/]name, the prefix a DNS subdomain of <= 253 characters, the "
    "name <= 63 of A-Z a-z 0-9 - _ . with a letter or digit at each end"
)
VALUE_RULE = (
    "not a label value: empty, or <= 63 of A-Z a-z 0-9 - _ . with a letter or digit at each end"
)
# Labels the kubelet may set on its own node under kubernetes.io and k8s.io (NodeRestriction;
# `kubelet --node-labels` refuses to start with any other in those namespaces).
KUBELET_LABELS = frozenset(
    {
        "kubernetes.io/hostname",
        "kubernetes.io/arch",
        "kubernetes.io/os",
        "beta.kubernetes.io/arch",
        "beta.kubernetes.io/os",
        "beta.kubernetes.io/instance-type",
        "node.kubernetes.io/instance-type",
        "failure-domain.beta.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone",
        "topology.kubernetes.io/region",
        "topology.kubernetes.io/zone",
    }
)
KUBELET_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")


def key_is_valid(key: str) -> bool:
    """`[prefix/]name` as apimachinery's IsQualifiedName: one slash at most, a non-empty
    DNS-subdomain prefix before it."""
    parts = key.split("/")
    if len(parts) > 2:
        return False
    name = parts[-1]
    if not (len(name) <= NAME_LIMIT and _NAME.fullmatch(name)):
        return False
    if len(parts) == 1:
        return True
    prefix = parts[0]
    return 0 < len(prefix) <= PREFIX_LIMIT and _PREFIX.fullmatch(prefix) is not None


def value_is_valid(value: str) -> bool:
    return value == "" or (len(value) <= NAME_LIMIT and _NAME.fullmatch(value) is not None)


def _key(key: str) -> str:
    if not key_is_valid(key):
        raise PydanticCustomError("label_key", KEY_RULE)
    return key


def _value(value: str) -> str:
    if not value_is_valid(value):
        raise PydanticCustomError("label_value", VALUE_RULE)
    return value


def _kubelet_may_set(key: str) -> bool:
    """Keys outside kubernetes.io and k8s.io, or those NodeRestriction lets a kubelet set."""
    prefix = key.partition("/")[0] if "/" in key else ""
    restricted = any(
        prefix == domain or prefix.endswith(f".{domain}") for domain in ("kubernetes.io", "k8s.io")
    )
    allowed = key in KUBELET_LABELS or any(
        prefix == namespace or prefix.endswith(f".{namespace}") for namespace in KUBELET_NAMESPACES
    )
    return not restricted or allowed


def _node_key(key: str) -> str:
    _key(key)
    if len(key) > EKS_LABEL_LIMIT:
        raise PydanticCustomError(
            "node_label_key",
            "must be at most 63 characters in all: EKS's limit for node group labels",
        )
    if not _kubelet_may_set(key):
        raise PydanticCustomError(
            "node_label_key",
            "the kubelet refuses to start with this kubernetes.io/k8s.io label; only "
            "node.kubernetes.io/ and kubelet.kubernetes.io/ keys (or its own well-known ones)",
        )
    return key


def _node_value(value: str) -> str:
    if value == "":
        raise PydanticCustomError(
            "node_label_value",
            "must not be empty: EKS takes node group label values of 1 to 63 characters",
        )
    return _value(value)


LabelKey = Annotated[str, AfterValidator(_key)]
LabelValue = Annotated[str, AfterValidator(_value)]
# Labels and node selectors of Kubernetes objects.
Labels = dict[LabelKey, LabelValue]
# A managed node group's labels: EKS's limits, and what the kubelet may set, on top.
NodeLabels = dict[
    Annotated[str, AfterValidator(_node_key)], Annotated[str, AfterValidator(_node_value)]
]
