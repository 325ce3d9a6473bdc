"""Rules about the EKS control plane's settings: its endpoint and its add-ons."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, get_args

from warmstart.components.config.base import Problem
from warmstart.components.config.network import PUBLIC_CIDRS_LIMIT, public_cidr_problem

if TYPE_CHECKING:
    from warmstart.components.config.cluster import ClusterConfig, EndpointAccessConfig

Addon = Literal["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "metrics-server"]


def addon_problems(cluster: ClusterConfig, production: bool) -> Iterator[Problem]:
    """Production pins every add-on: EKS's default version moves under a stack that did not
    change (metrics-server going stale silently stops every HPA)."""
    missing = [addon for addon in get_args(Addon) if addon not in cluster.addon_versions]
    if production and missing:
        yield Problem(
            "cluster.addonVersions",
            f"production pins every add-on; missing {', '.join(missing)} (aws eks "
            f"describe-addon-versions --kubernetes-version {cluster.kubernetes_version} "
            "--addon-name NAME)",
            sorted(cluster.addon_versions),
        )


def endpoint_problems(endpoint: EndpointAccessConfig, production: bool) -> Iterator[Problem]:
    if not (endpoint.public or endpoint.private):
        yield Problem("cluster.endpoint", "public, private or both must be on", "neither")
    elif not endpoint.public and not endpoint.deployer_in_vpc:
        yield Problem(
            "cluster.endpoint.public",
            "a private-only endpoint is unreachable from the pulumi up that creates the VPC: "
            "keep it public with publicCidrs limited to your deployers, or set deployerInVpc "
            "where up runs inside the VPC",
            False,
        )
    at = "cluster.endpoint.publicCidrs"
    if len(endpoint.public_cidrs) > PUBLIC_CIDRS_LIMIT:
        yield Problem(
            at,
            f"EKS takes at most {PUBLIC_CIDRS_LIMIT} public access CIDRs per cluster",
            len(endpoint.public_cidrs),
        )
    for index, cidr in enumerate(endpoint.public_cidrs):
        wrong = public_cidr_problem(cidr)
        if wrong is not None:
            yield Problem(f"{at}[{index}]", wrong, cidr)
    if production and endpoint.public and "0.0.0.0/0" in endpoint.public_cidrs:
        yield Problem(
            "cluster.endpoint.publicCidrs",
            "production limits the public endpoint to its deployers' CIDRs",
            endpoint.public_cidrs,
        )
