"""Subnet math for the EKS VPC.

Private subnets hold the nodes and, with the VPC CNI, every pod IP, so they get most of the
space: the VPC is cut in quarters and each zone's private subnet is one quarter. The last
quarter is cut in four again for the public subnets, which hold only NAT gateways and load
balancers. For a /16 that is a /18 (16,384 addresses) private and a /20 public per zone.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

MAX_ZONES = 3


@dataclass(frozen=True)
class SubnetPlan:
    zone: str
    private_cidr: str
    public_cidr: str


def plan_subnets(cidr: str, zones: list[str]) -> list[SubnetPlan]:
    network = ipaddress.IPv4Network(cidr, strict=True)
    if not 1 <= len(zones) <= MAX_ZONES:
        raise ValueError(f"1 to {MAX_ZONES} zones fit the plan (got {len(zones)})")
    quarters = list(network.subnets(prefixlen_diff=2))
    public_blocks = list(quarters[-1].subnets(prefixlen_diff=2))
    return [
        SubnetPlan(
            zone=zone, private_cidr=str(quarters[index]), public_cidr=str(public_blocks[index])
        )
        for index, zone in enumerate(zones)
    ]


def nat_gateway_zones(zones: list[str], mode: Literal["per-az", "shared"]) -> dict[str, str]:
    """Zone -> the zone whose NAT gateway carries its private subnet's egress."""
    return {zone: zone if mode == "per-az" else zones[0] for zone in zones}
