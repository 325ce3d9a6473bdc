"""Network: the VPC an EKS cluster runs in, with subnets tagged for load balancers.

Private subnets (nodes, pods) reach out through NAT gateways: one per zone in production,
so a zone outage cannot cut the others off, one shared elsewhere to save its hourly cost.
With `vpcEndpoints`, image pulls from ECR and its S3 layers bypass the NAT entirely,
which is where most of a cluster's NAT traffic (and data-processing cost) comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from warmstart.components.cluster.subnets import nat_gateway_zones, plan_subnets
from warmstart.components.config.network import NetworkConfig
from warmstart.components.naming import Children

TYPE_TOKEN = "warmstart:aws:Network"
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr")


@dataclass(frozen=True)
class VpcPlacement:
    """Where a cluster's nodes, Fargate tasks and load balancer go: a VPC and its subnets,
    created by a Network or given by ID (`cluster.network.vpcId`)."""

    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    public_subnet_ids: Sequence[pulumi.Input[str]]

    @staticmethod
    def given(network: NetworkConfig) -> VpcPlacement:
        """An existing VPC's, as the stack file names it."""
        if network.vpc_id is None:
            raise ValueError("a VPC given by ID needs network.vpcId")
        return VpcPlacement(
            network.vpc_id, list(network.private_subnet_ids), list(network.public_subnet_ids)
        )


@dataclass(frozen=True)
class NetworkArgs:
    network: NetworkConfig
    cluster_name: str
    region: str
    nat_gateways: Literal["per-az", "shared"]
    production: bool


class Network(pulumi.ComponentResource):
    """VPC, a public and a private subnet per zone, NAT, and endpoints that keep pulls off NAT."""

    vpc: aws.ec2.Vpc
    public_subnets: dict[str, aws.ec2.Subnet]
    private_subnets: dict[str, aws.ec2.Subnet]
    private_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]
    placement: VpcPlacement

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args, self._names = args, Children(self, TYPE_TOKEN, name)
        config = args.network
        self.vpc = aws.ec2.Vpc(
            self._names.name("vpc"),
            cidr_block=config.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": args.cluster_name},
            opts=self._names.options("vpc", protect=args.production),
        )
        plans = plan_subnets(config.cidr, config.availability_zones)
        self.public_subnets = public = {
            plan.zone: self._subnet(plan.zone, plan.public_cidr, public=True) for plan in plans
        }
        self.private_subnets = private = {
            plan.zone: self._subnet(plan.zone, plan.private_cidr, public=False) for plan in plans
        }
        self._public_routes(public)
        private_tables = self._private_routes(private, public)
        if config.vpc_endpoints:
            self._endpoints(list(private.values()), private_tables)
        self.public_subnet_ids = [subnet.id for subnet in public.values()]
        self.private_subnet_ids = [subnet.id for subnet in private.values()]
        self.placement = VpcPlacement(self.vpc.id, self.private_subnet_ids, self.public_subnet_ids)
        self.register_outputs(
            {
                "vpcId": self.vpc.id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
            }
        )

    def _child(self, role: str) -> tuple[str, pulumi.ResourceOptions]:
        """The child's name and options for its role in the network."""
        return self._names.name(role), self._names.options(role)

    def _subnet(self, zone: str, cidr: str, *, public: bool) -> aws.ec2.Subnet:
        """Tagged so the AWS Load Balancer Controller and EKS find the right subnets."""
        role = "kubernetes.io/role/elb" if public else "kubernetes.io/role/internal-elb"
        kind = "public" if public else "private"
        name, opts = self._child(f"{kind}-{zone}")
        return aws.ec2.Subnet(
            name,
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags={
                "Name": f"{self._args.cluster_name}-{kind}-{zone}",
                role: "1",
                f"kubernetes.io/cluster/{self._args.cluster_name}": "shared",
            },
            opts=opts,
        )

    def _public_routes(self, public: dict[str, aws.ec2.Subnet]) -> None:
        name, opts = self._child("internet")
        gateway = aws.ec2.InternetGateway(name, vpc_id=self.vpc.id, opts=opts)
        name, opts = self._child("public")
        table = aws.ec2.RouteTable(
            name,
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            opts=opts,
        )
        for zone, subnet in public.items():
            name, opts = self._child(f"public-{zone}")
            aws.ec2.RouteTableAssociation(
                name, subnet_id=subnet.id, route_table_id=table.id, opts=opts
            )

    def _private_routes(
        self, private: dict[str, aws.ec2.Subnet], public: dict[str, aws.ec2.Subnet]
    ) -> list[aws.ec2.RouteTable]:
        egress = nat_gateway_zones(list(private), self._args.nat_gateways)
        gateways = {}
        for zone in sorted(set(egress.values())):
            name, opts = self._child(f"nat-{zone}")
            address = aws.ec2.Eip(name, domain="vpc", opts=opts)
            gateways[zone] = aws.ec2.NatGateway(
                name,
                allocation_id=address.id,
                subnet_id=public[zone].id,
                tags={"Name": f"{self._args.cluster_name}-nat-{zone}"},
                opts=opts,
            )
        tables = []
        for zone, subnet in private.items():
            name, opts = self._child(f"private-{zone}")
            table = aws.ec2.RouteTable(
                name,
                vpc_id=self.vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": gateways[egress[zone]].id}],
                opts=opts,
            )
            aws.ec2.RouteTableAssociation(
                name, subnet_id=subnet.id, route_table_id=table.id, opts=opts
            )
            tables.append(table)
        return tables

    def _endpoints(self, subnets: list[aws.ec2.Subnet], tables: list[aws.ec2.RouteTable]) -> None:
        """S3 (gateway, free) for image layers; ECR API and registry (interface) for manifests."""
        region = self._args.region
        name, opts = self._child("s3")
        aws.ec2.VpcEndpoint(
            name,
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in tables],
            opts=opts,
        )
        name, opts = self._child("endpoints")
        https = aws.ec2.SecurityGroup(
            name,
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to its interface endpoints",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "cidr_blocks": [self._args.network.cidr],
                    "description": "HTTPS from the VPC",
                }
            ],
            opts=opts,
        )
        for service in INTERFACE_ENDPOINTS:
            name, opts = self._child(service.replace(".", "-"))
            aws.ec2.VpcEndpoint(
                name,
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in subnets],
                security_group_ids=[https.id],
                opts=opts,
            )
