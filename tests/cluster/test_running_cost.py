"""What the cluster costs to run: on-demand nodes kept for controllers, Spot preferred,
no extended support billed by default, and every add-on pinned in production."""

import pytest

from tests.conftest import production_problems, run, service, stack_values
from tests.routed import AWS, EKS, by_name, dev_run


@pytest.fixture
def dev():
    return dev_run()


def test_the_system_group_is_tainted_for_controllers_and_services_prefer_spot(dev):
    groups = by_name(dev, "aws:eks/nodeGroup:NodeGroup")
    assert groups["cluster-system"].inputs["taints"] == [
        {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
    ]
    assert "taints" not in groups["cluster-spot"].inputs
    toleration = {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}
    for release in ("cluster-load-balancer-controller", "cluster-autoscaler"):
        values = dev.get("kubernetes:helm.sh/v3:Release", release).inputs["values"]
        assert values["tolerations"] == [toleration], release
        assert values["nodeSelector"] == {"warmstart.dev/node-group": "system"}, release
    pod = dev.get("kubernetes:apps/v1:Deployment", "hello").inputs["spec"]["template"]["spec"]
    assert "tolerations" not in pod
    preferred = pod["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert [term["preference"]["matchExpressions"][0] for term in preferred] == [
        {"key": "eks.amazonaws.com/capacityType", "operator": "In", "values": ["SPOT"]},
        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]},
    ]


def test_versions_leave_standard_support_by_upgrading_unless_extended_is_chosen(dev):
    cluster = dev.get("aws:eks/cluster:Cluster", "cluster").inputs
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    extended = run(stack_values(service(), aws=AWS, cluster={**EKS, "supportType": "EXTENDED"}))
    assert extended.get("aws:eks/cluster:Cluster", "cluster").inputs["upgradePolicy"] == {
        "supportType": "EXTENDED"
    }


def test_production_pins_every_add_on():
    cluster = {
        **EKS,
        "endpoint": {"publicCidrs": ["198.51.100.0/24"]},
        "addonVersions": {"vpc-cni": "v1.20.4-eksbuild.1"},
    }
    assert production_problems(cluster) == [
        "warmstart:cluster.addonVersions: production pins every add-on; missing coredns, "
        "kube-proxy, eks-pod-identity-agent, metrics-server (aws eks describe-addon-versions "
        "--kubernetes-version 1.35 --addon-name NAME) (got ['vpc-cni'])"
    ]
