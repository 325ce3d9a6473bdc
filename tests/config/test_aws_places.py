"""#21 item 24c: regions and CIDRs AWS refuses are refused at config time, in every field
that holds one (found by walking the models), with the network meant when host bits are set."""

import copy
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.config.model_walk import fields
from tests.conftest import (
    ROUTED_AWS,
    ROUTED_EKS,
    config_problems,
    registered,
    service,
    stack_values,
)
from warmstart.components import ServiceRouting, ServiceRoutingArgs
from warmstart.components.config import ConfigError
from warmstart.components.config.base import partition
from warmstart.components.config.network import public_cidr_problem, vpc_cidr_problem
from warmstart.components.routing.service_routing import RoutedService

REGION_RULE = "must be an AWS region such as eu-west-1 or us-east-2"
REAL_REGIONS = [
    "us-east-1", "us-west-2", "af-south-1", "ap-east-2", "ap-northeast-3", "ap-southeast-7",
    "ap-south-2", "ca-central-1", "ca-west-1", "eu-central-2", "eu-north-1", "eu-south-2",
    "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
    "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1", "us-iso-east-1",
    "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1",
]  # fmt: skip
NOT_REGIONS = [
    "eu-wset-1", "xx-west-1", "eu-west-0", "eu-west", "EU-WEST-1", "eu-west-1a",
    "euwest1", "eu_west_1", "us-gov-1", "eu-gov-west-1", "Ireland", "", "us-east-1 ",
]  # fmt: skip
# Ranges AWS refuses for a VPC, and those no request to a public endpoint comes from.
NOT_FOR_A_VPC = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"]
PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def test_every_region_and_cidr_field_is_one_the_rules_cover():
    """A new region or CIDR field fails here until a rule (and a test below) covers it."""
    found = {
        (model, key)
        for model, key, _ in fields(lambda n, _: "region" in n.lower() or "cidr" in n.lower())
    }
    assert found == {
        ("AwsConfig", "region"),
        ("NetworkConfig", "cidr"),
        ("EndpointAccessConfig", "publicCidrs"),
    }


def region_problems(region: str) -> list[str]:
    return config_problems(stack_values(aws={"accountId": "123456789012", "region": region}))


@pytest.mark.parametrize("region", REAL_REGIONS)
def test_every_region_aws_has_is_taken_or_named_as_another_partitions(region):
    if partition(region) == "aws":
        assert region_problems(region) == []
    else:  # a region, but the ARNs warmstart writes are of the aws partition
        assert region_problems(region) == [
            f"warmstart:aws.region: a region of the {partition(region)} partition: warmstart "
            f"writes ARNs of the aws partition only, so these regions are not supported yet "
            f'(got "{region}")'
        ]


@pytest.mark.parametrize("region", NOT_REGIONS)
def test_what_is_no_region_is_refused(region):
    assert region_problems(region) == [
        f"warmstart:aws.region: {REGION_RULE} (got {region!r})".replace("'", '"')
    ]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", max_size=16))
def test_any_text_is_a_region_only_in_a_regions_shape(text):
    geography, _, rest = text.partition("-")
    direction, _, number = rest.rpartition("-")
    shaped = (
        geography in {"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"}
        and direction in {"north", "south", "east", "west", "central", "northeast",
                          "northwest", "southeast", "southwest"}
        and number.isdigit() and not number.startswith("0") and len(number) <= 2
    )  # fmt: skip
    if shaped:
        assert region_problems(text) == []
    elif not text.startswith(("us-gov-", "us-iso", "eu-iso", "eusc-")):
        assert len(region_problems(text)) == 1


def network_problems(cidr: str) -> list[str]:
    eks = copy.deepcopy(ROUTED_EKS)
    eks["network"]["cidr"] = cidr
    return config_problems(stack_values(aws=ROUTED_AWS, cluster=eks))


def public_problems(*cidrs: str) -> list[str]:
    eks = copy.deepcopy(ROUTED_EKS)
    eks["endpoint"] = {"publicCidrs": list(cidrs)}
    return config_problems(stack_values(aws=ROUTED_AWS, cluster=eks))


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("10.0.0.1/16", "host bits set: the network is 10.0.0.0/16"),
        ("10.1.2.0/16", "host bits set: the network is 10.1.0.0/16"),
        ("fd00::/56", "an IPv6 range: this takes IPv4 only"),
        ("0.0.0.0/0", "must be an IPv4 network from /16 to /20"),
        ("127.0.0.0/16", "inside 127.0.0.0/8, which AWS does not allow for a VPC"),
        ("169.254.0.0/16", "inside 169.254.0.0/16, which AWS does not allow for a VPC"),
        ("224.1.0.0/16", "inside 224.0.0.0/4, which AWS does not allow for a VPC"),
        ("10.0.0.0", "must be an IPv4 network from /16 to /20"),
        ("ten", "not an IPv4 CIDR"),
    ],
)
def test_vpc_ranges_aws_refuses(cidr, message):
    assert network_problems(cidr) == [f'warmstart:cluster.network.cidr: {message} (got "{cidr}")']


@given(st.integers(0, 2**32 - 1), st.integers(16, 20))
def test_any_vpc_range_is_taken_exactly_when_aws_takes_it(address, prefix):
    loose = ipaddress.IPv4Network((address, prefix), strict=False)
    text = f"{ipaddress.IPv4Address(address)}/{prefix}"
    found = vpc_cidr_problem(text, 16, 20)
    if loose.network_address != ipaddress.IPv4Address(address):
        assert found == f"host bits set: the network is {loose}"
    elif any(loose.overlaps(ipaddress.IPv4Network(block)) for block in NOT_FOR_A_VPC):
        assert found is not None and "AWS does not allow" in found
    else:
        assert found is None


@given(st.integers(0, 2**128 - 1), st.integers(0, 128))
def test_no_ipv6_range_is_a_vpc_or_public_cidr(address, prefix):
    text = str(ipaddress.IPv6Network((address, prefix), strict=False))
    assert vpc_cidr_problem(text, 16, 28) == "an IPv6 range: this takes IPv4 only"
    assert public_cidr_problem(text) == "an IPv6 range: this takes IPv4 only"


@given(st.integers(0, 2**32 - 1), st.integers(0, 32))
def test_any_public_cidr_is_taken_exactly_when_it_can_admit_someone(address, prefix):
    loose = ipaddress.IPv4Network((address, prefix), strict=False)
    found = public_cidr_problem(str(loose))
    never = [ipaddress.IPv4Network(b) for b in PRIVATE + NOT_FOR_A_VPC]
    if any(loose.subnet_of(block) for block in never):
        assert found is not None and found.startswith("inside ")
    else:
        assert found is None
    if loose.network_address != ipaddress.IPv4Address(address):
        assert public_cidr_problem(f"{ipaddress.IPv4Address(address)}/{prefix}") == (
            f"host bits set: the network is {loose}"
        )


def test_public_cidrs_as_eks_takes_them():
    at = "warmstart:cluster.endpoint.publicCidrs"
    assert public_problems("0.0.0.0/0") == []  # the default, outside production
    assert public_problems("203.0.113.7/24", "10.0.0.0/8", "::/0") == [
        f'{at}[0]: host bits set: the network is 203.0.113.0/24 (got "203.0.113.7/24")',
        f"{at}[1]: inside 10.0.0.0/8, from which no request reaches a public endpoint (the "
        'private endpoint serves the VPC) (got "10.0.0.0/8")',
        f'{at}[2]: an IPv6 range: this takes IPv4 only (got "::/0")',
    ]
    many = [f"198.51.{i}.0/24" for i in range(41)]
    assert public_problems(*many) == [
        f"{at}: EKS takes at most 40 public access CIDRs per cluster (got 41)"
    ]
    assert public_problems(*many[:40]) == []


def routed(**routing) -> list[str]:
    svc = service(routes={"hosts": ["h.example.com"]})
    return config_problems(
        stack_values(svc, aws=ROUTED_AWS, cluster=ROUTED_EKS, routing={"enabled": True, **routing})
    )


def test_a_certificate_of_another_region_account_or_partition_is_refused():
    good = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b"
    assert routed(certificateArn=good) == []
    expected = (
        "warmstart:routing.certificateArn: the load balancer takes a certificate of its own "
        "account and region: arn:aws:acm:eu-west-1:123456789012:certificate/... (got {!r})"
    )
    for arn in (
        "arn:aws:acm:us-east-1:123456789012:certificate/0a1b",
        "arn:aws:acm:eu-west-1:210987654321:certificate/0a1b",
        "arn:aws-cn:acm:eu-west-1:123456789012:certificate/0a1b",
    ):
        assert routed(certificateArn=arn) == [expected.format(arn).replace("'", '"')]


def test_an_admin_role_of_another_partition_is_refused():
    eks = copy.deepcopy(ROUTED_EKS)
    eks["adminRoleArns"] = ["arn:aws-cn:iam::123456789012:role/admins"]
    assert config_problems(stack_values(aws=ROUTED_AWS, cluster=eks)) == [
        "warmstart:cluster.adminRoleArns[0]: not of eu-west-1's partition: arn:aws:... "
        '(got "arn:aws-cn:iam::123456789012:role/admins")'
    ]


def routing_args(**overrides) -> ServiceRoutingArgs:
    values = {
        "routing": {"enabled": True},
        "services": (RoutedService(config=service(routes={"paths": ["/v1/*"]})),),
        "name": "public",
        "namespace": "team",
        "account_id": "123456789012",
        "region": "eu-west-1",
        "vpc_id": "vpc-1",
        "vpc_cidr": "10.20.0.0/16",
        "public_subnet_ids": ["subnet-1", "subnet-2"],
        "cluster_security_group_id": "sg-1",
        "ecs_cluster_name": "public-fallback",
        "production": False,
    }
    return ServiceRoutingArgs(**{**values, **overrides})


def test_service_routing_args_are_held_to_the_same_rules():
    """The component's own region and VPC range, as the stack file's are."""
    args = routing_args(region="eu-wset-1", vpc_cidr="10.20.0.1/16")
    with pytest.raises(ConfigError) as raised:
        registered(lambda: ServiceRouting("public", args))
    assert [problem.describe() for problem in raised.value.problems] == [
        f'region: {REGION_RULE} (got "eu-wset-1")',
        'vpcCidr: host bits set: the network is 10.20.0.0/16 (got "10.20.0.1/16")',
    ]
