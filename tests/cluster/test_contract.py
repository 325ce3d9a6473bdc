"""Cluster used directly, as another team's program would: stack-file-shaped args checked by
the stack file's rules, and any number of instances, each child named after its own."""

import pytest

from tests.conftest import registered
from tests.routed import AWS, EKS
from warmstart.components import Cluster, ClusterArgs
from warmstart.components.config import ConfigError

VPC = "aws:ec2/vpc:Vpc"


def test_two_eks_clusters_in_one_program_name_every_child_after_their_own():
    def program():
        for name in ("blue", "green"):
            Cluster(name, ClusterArgs(cluster={**EKS, "name": name}, aws=AWS))

    resources = registered(program)
    assert len({r.urn for r in resources}) == len(resources)
    assert sorted(r.name for r in resources if r.type == VPC) == [
        "blue-network-vpc",
        "green-network-vpc",
    ]
    node_groups = sorted(r.name for r in resources if r.type == "aws:eks/nodeGroup:NodeGroup")
    assert node_groups == ["blue-spot", "blue-system", "green-spot", "green-system"]


def test_only_the_programs_own_instance_keeps_its_old_names_as_aliases():
    def program():
        Cluster("cluster", ClusterArgs(cluster=EKS, aws=AWS))
        Cluster("other", ClusterArgs(cluster={**EKS, "name": "other"}, aws=AWS))

    vpcs = {r.name: r for r in registered(program) if r.type == VPC}
    chain = "warmstart:cluster:Cluster$warmstart:aws:Network$aws:ec2/vpc:Vpc"
    old = f"urn:pulumi:test::warmstart::{chain}::vpc"
    assert vpcs["cluster-network-vpc"].aliases == (old,)
    # Another instance claiming the same old URN would take over the first one's VPC.
    assert vpcs["other-network-vpc"].aliases == ()


def test_render_and_existing_modes_take_a_mapping_too():
    def program():
        Cluster("a", ClusterArgs(cluster={"mode": "render", "renderDir": "out/a"}))
        Cluster("b", ClusterArgs(cluster={"mode": "existing", "context": "kind-b"}))

    providers = {r.name: r.inputs for r in registered(program) if r.type.startswith("pulumi:prov")}
    assert providers["a-kubernetes"]["renderYamlToDirectory"] == "out/a"
    assert providers["b-kubernetes"]["context"] == "kind-b"


def test_every_rule_of_the_stack_files_cluster_applies():
    broken = {
        **EKS,
        "kubernetesVersion": "1.20",
        "adminRoleArns": ["not-an-arn"],
        "endpoint": {"public": True, "publicCidrs": ["nope"]},
    }
    with pytest.raises(ConfigError) as raised:
        Cluster(
            "blue",
            ClusterArgs(
                cluster=broken,
                aws=AWS,
                image_gc={"highThresholdPercent": 70, "lowThresholdPercent": 80},
            ),
        )
    described = [p.describe() for p in raised.value.problems]
    assert str(raised.value).startswith(f"invalid Cluster blue args, {len(described)} problems:")
    assert described == [
        'cluster.kubernetesVersion: must be 1.30 to 1.37 (got "1.20")',
        'cluster.adminRoleArns[0]: not an IAM role ARN (got "not-an-arn")',
        'cluster.endpoint.publicCidrs[0]: not an IPv4 CIDR (got "nope")',
        "imageGc.lowThresholdPercent: must be below highThresholdPercent (70) (got 80)",
    ]


def test_eks_without_an_account_is_refused_before_anything_registers():
    with pytest.raises(ConfigError) as raised:
        Cluster("blue", ClusterArgs(cluster=EKS))
    assert [p.describe() for p in raised.value.problems] == [
        'cluster.mode: eks needs warmstart:aws (accountId, region) (got "eks")',
    ]
