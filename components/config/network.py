"""`cluster.network`: the VPC warmstart creates, or the one a team already runs.

Creating: a CIDR and two or three zones; warmstart lays out the subnets, NAT and endpoints.
Bringing your own: the VPC and its subnets by ID, and its CIDR (the load balancer sends to
it, the endpoints admit from it). Nothing of the VPC is then created, changed or deleted;
the nodes go into the private subnets (which need a way out: NAT or endpoints), the load
balancer into the public ones.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from warmstart.components.config.base import ConfigModel, Problem

if TYPE_CHECKING:
    from warmstart.components.config.cluster import AwsConfig

AT = "cluster.network"
VpcId = Annotated[str, Field(pattern=r"^vpc-[0-9a-f]{8,17}$")]
SubnetId = Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$")]
# What only a VPC warmstart creates has, and what only one it is given has.
CREATED_ONLY = {
    "availability_zones": "availabilityZones",
    "nat_gateways": "natGateways",
    "vpc_endpoints": "vpcEndpoints",
}
GIVEN_ONLY = {"private_subnet_ids": "privateSubnetIds", "public_subnet_ids": "publicSubnetIds"}


class NetworkConfig(ConfigModel):
    """The VPC an EKS cluster runs in: created (per zone a private quarter and a public
    sixteenth) or, with `vpcId`, an existing one used as it is."""

    cidr: str = "10.0.0.0/16"
    """VPC IPv4 range, /16 to /20; with `vpcId`, the existing VPC's primary range."""
    availability_zones: list[str] = Field(default=[], max_length=3)
    """Two or three distinct zones of the region (a VPC warmstart creates)."""
    nat_gateways: Literal["per-az", "shared"] | None = None
    """`per-az` survives a zone outage, `shared` costs one gateway; default per-az in production."""
    vpc_endpoints: bool = True
    """S3 gateway and ECR endpoints, so image pulls skip the NAT (a VPC warmstart creates)."""
    vpc_id: VpcId | None = None
    """An existing VPC to use instead of creating one; then give its subnets by ID."""
    private_subnet_ids: list[SubnetId] = Field(default=[], max_length=16)
    """With `vpcId`: the subnets of the nodes and Fargate tasks, in at least two zones."""
    public_subnet_ids: list[SubnetId] = Field(default=[], max_length=16)
    """With `vpcId`: the subnets of the internet-facing load balancer (routing needs two)."""

    @property
    def given(self) -> bool:
        """An existing VPC, used as it is."""
        return self.vpc_id is not None


def network_problems(
    network: NetworkConfig, aws: AwsConfig | None, *, routed: bool, at: str = AT
) -> Iterator[Problem]:
    """A usable range, and the keys of exactly one of the two ways (created or given)."""
    # One warmstart lays out needs room for its subnets; a given one is as AWS allows.
    low, high = (16, 20) if not network.given else (VPC_PREFIXES.start, VPC_PREFIXES.stop - 1)
    wrong = vpc_cidr_problem(network.cidr, low, high)
    if wrong is not None:
        yield Problem(f"{at}.cidr", wrong, network.cidr)
    if network.given:
        yield from _given_problems(network, routed, at)
    else:
        yield from _created_problems(network, aws, at)


def _created_problems(network: NetworkConfig, aws: AwsConfig | None, at: str) -> Iterator[Problem]:
    for field, key in GIVEN_ONLY.items():
        if field in network.model_fields_set:
            yield Problem(f"{at}.{key}", "only with vpcId (an existing VPC)")
    zones = network.availability_zones
    if len(zones) < 2:
        yield Problem(f"{at}.availabilityZones", "required: two or three zones (or give vpcId)")
    if len(set(zones)) != len(zones):
        yield Problem(f"{at}.availabilityZones", "must be distinct", zones)
    for index, zone in enumerate(zones):
        if aws is not None and not re.fullmatch(rf"{re.escape(aws.region)}[a-z]", zone):
            yield Problem(f"{at}.availabilityZones[{index}]", f"not a zone of {aws.region}", zone)


def _given_problems(network: NetworkConfig, routed: bool, at: str) -> Iterator[Problem]:
    for field, key in CREATED_ONLY.items():
        if field in network.model_fields_set:
            yield Problem(f"{at}.{key}", "only for a VPC warmstart creates; remove it with vpcId")
    if "cidr" not in network.model_fields_set:
        yield Problem(
            f"{at}.cidr",
            "required with vpcId: the VPC's primary range, the only destination the load "
            "balancer sends to",
        )
    if len(network.private_subnet_ids) < 2:
        yield Problem(
            f"{at}.privateSubnetIds",
            "required with vpcId: at least two subnets, in two zones (EKS needs both)",
        )
    if routed and len(network.public_subnet_ids) < 2:
        yield Problem(
            f"{at}.publicSubnetIds",
            "required with vpcId and routing: two or more, in two zones, for the load balancer",
        )
    for field, key in GIVEN_ONLY.items():
        ids = getattr(network, field)
        if len(set(ids)) != len(ids):
            yield Problem(f"{at}.{key}", "must be distinct", ids)
    shared = sorted(set(network.private_subnet_ids) & set(network.public_subnet_ids))
    if shared:
        yield Problem(f"{at}.publicSubnetIds", "a subnet cannot be both private and public", shared)


# A VPC's primary range: AWS takes /16 to /28.
VPC_PREFIXES = range(16, 29)
# Ranges AWS refuses for a VPC (CreateVpc's InvalidVpc.Range): "this network", loopback,
# link-local, multicast and the reserved 240/4 with its broadcast address.
_NOT_FOR_A_VPC = tuple(
    ipaddress.IPv4Network(block)
    for block in ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4")
)
# Sources no request to a public endpoint comes from: RFC 1918, and the special ranges above.
_NEVER_PUBLIC = (
    *(ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")),
    *_NOT_FOR_A_VPC,
)
# The EKS quota "Public endpoint access CIDR ranges per cluster" (not adjustable).
PUBLIC_CIDRS_LIMIT = 40


def _cidr_shape_problem(text: str) -> str | ipaddress.IPv4Network:
    """`text` as an IPv4 network, or what is wrong with it in words AWS's error would not
    give: host bits set (naming the network meant), IPv6, or not a CIDR at all."""
    try:
        return ipaddress.IPv4Network(text, strict=True)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return "not an IPv4 CIDR"
    if loose.version == 6:
        return "an IPv6 range: this takes IPv4 only"
    return f"host bits set: the network is {loose}"


def vpc_cidr_problem(text: str, low: int, high: int) -> str | None:
    """What AWS (or warmstart's subnet layout) refuses of a VPC's primary range; None if fine."""
    parsed = _cidr_shape_problem(text)
    if isinstance(parsed, str):
        return parsed
    if not low <= parsed.prefixlen <= high:
        return f"must be an IPv4 network from /{low} to /{high}"
    for block in _NOT_FOR_A_VPC:
        if parsed.overlaps(block):
            return f"inside {block}, which AWS does not allow for a VPC"
    return None


def public_cidr_problem(text: str) -> str | None:
    """What EKS refuses of a public endpoint CIDR (IPv4 only, no host bits), and ranges no
    request to a public endpoint ever comes from (RFC 1918, loopback, link-local, multicast,
    reserved), which would admit nobody; None if fine."""
    parsed = _cidr_shape_problem(text)
    if isinstance(parsed, str):
        return parsed
    for block in _NEVER_PUBLIC:
        if parsed.subnet_of(block):
            return (
                f"inside {block}, from which no request reaches a public endpoint (the private "
                "endpoint serves the VPC)"
            )
    return None


def ipv4_network(text: str) -> ipaddress.IPv4Network | None:
    """`text` as an IPv4 network, or None."""
    try:
        return ipaddress.IPv4Network(text, strict=True)
    except ValueError:
        return None
