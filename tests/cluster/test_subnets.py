import ipaddress

import pytest

from warmstart.components.cluster.subnets import SubnetPlan, nat_gateway_zones, plan_subnets


def test_slash_16_over_three_zones():
    assert plan_subnets("10.40.0.0/16", ["a", "b", "c"]) == [
        SubnetPlan("a", "10.40.0.0/18", "10.40.192.0/20"),
        SubnetPlan("b", "10.40.64.0/18", "10.40.208.0/20"),
        SubnetPlan("c", "10.40.128.0/18", "10.40.224.0/20"),
    ]


def test_slash_20_over_two_zones():
    assert plan_subnets("172.16.16.0/20", ["x", "y"]) == [
        SubnetPlan("x", "172.16.16.0/22", "172.16.28.0/24"),
        SubnetPlan("y", "172.16.20.0/22", "172.16.29.0/24"),
    ]


def test_subnets_never_overlap():
    plans = plan_subnets("10.0.0.0/16", ["a", "b", "c"])
    networks = [ipaddress.ip_network(c) for p in plans for c in (p.private_cidr, p.public_cidr)]
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])


def test_zone_count_is_bounded():
    with pytest.raises(ValueError, match="1 to 3 zones"):
        plan_subnets("10.0.0.0/16", ["a", "b", "c", "d"])


def test_nat_placement():
    assert nat_gateway_zones(["a", "b", "c"], "per-az") == {"a": "a", "b": "b", "c": "c"}
    assert nat_gateway_zones(["a", "b", "c"], "shared") == {"a": "a", "b": "a", "c": "a"}
