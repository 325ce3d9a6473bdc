"""The stack's ALB entrance: its security group and listeners.

HTTPS with the configured certificate; plain HTTP only outside production (a redirect to
HTTPS where a certificate exists). Egress reaches only the services' ports inside the VPC.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from warmstart.components.config.routing import RoutingConfig
from warmstart.components.config.service import ServiceConfig
from warmstart.components.naming import Children
from warmstart.components.ports import port_rule_description, services_by_port

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
_NOT_FOUND = [
    {
        "type": "fixed-response",
        "fixed_response": {"content_type": "text/plain", "status_code": "404"},
    }
]


def client_ports(routing: RoutingConfig, production: bool) -> list[int]:
    """443 where a certificate exists; 80 outside production."""
    ports = [443] if routing.certificate_arn else []
    if not production:
        ports.append(80)
    return ports


def target_egress(vpc_cidr: str, services: Sequence[ServiceConfig]) -> list[dict[str, object]]:
    """One rule per distinct target port (components/ports.py says why)."""
    return [
        {
            "protocol": "tcp",
            "from_port": port,
            "to_port": port,
            "cidr_blocks": [vpc_cidr],
            "description": port_rule_description("targets", port, names),
        }
        for port, names in services_by_port(services).items()
    ]


def security_group(
    names: Children,
    *,
    vpc_id: pulumi.Input[str],
    vpc_cidr: str,
    client_ports: Sequence[int],
    services: Sequence[ServiceConfig],
) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(
        names.name("alb"),
        vpc_id=vpc_id,
        description="warmstart: the stack's ALB: the internet in, the VPC's services out",
        ingress=[
            {
                "protocol": "tcp",
                "from_port": port,
                "to_port": port,
                "cidr_blocks": ["0.0.0.0/0"],
                "description": f"clients on {port}",
            }
            for port in client_ports
        ],
        egress=target_egress(vpc_cidr, services),
        opts=names.options("alb"),
    )


def listeners(
    names: Children,
    load_balancer: aws.lb.LoadBalancer,
    certificate_arn: str | None,
    production: bool,
    suffix: str = "",
) -> aws.lb.Listener:
    """The listener service rules attach to: HTTPS, or HTTP where there is no certificate.

    `suffix` tells the listeners of the second and later load balancers apart (`-1`, ...);
    the first keeps the names it always had."""
    http, https_role = f"http{suffix}", f"https{suffix}"
    if certificate_arn is None:
        return aws.lb.Listener(
            names.name(http),
            load_balancer_arn=load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=_NOT_FOUND,
            opts=names.options(http),
        )
    https = aws.lb.Listener(
        names.name(https_role),
        load_balancer_arn=load_balancer.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy=TLS_POLICY,
        certificate_arn=certificate_arn,
        default_actions=_NOT_FOUND,
        opts=names.options(https_role),
    )
    if not production:
        aws.lb.Listener(
            names.name(http),
            load_balancer_arn=load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"},
                }
            ],
            opts=names.options(http),
        )
    return https
