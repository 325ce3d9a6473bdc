"""Instance shapes from type names, and the one-shape-per-node-group rule built on them."""

import pytest

from tests.conftest import run, service, stack_values
from tests.routed import AWS, EKS
from warmstart.components.config import ConfigError
from warmstart.components.config.cluster import ClusterConfig
from warmstart.components.config.instance_shapes import instance_shape, vcpus_of_size


@pytest.mark.parametrize(
    ("instance_type", "shape"),
    [
        ("m7g.large", (2, 8.0)),
        ("m6g.medium", (1, 4.0)),
        ("m7i-flex.xlarge", (4, 16.0)),
        ("c7g.2xlarge", (8, 16.0)),
        ("c6gn.xlarge", (4, 8.0)),
        ("r7g.xlarge", (4, 32.0)),
        ("m5.12xlarge", (48, 192.0)),
        ("t4g.large", (2, 8.0)),
        ("t4g.nano", (2, 0.5)),
        ("t3a.2xlarge", (8, 32.0)),
        ("c5n.large", None),  # 5.25 GiB: not the family's ratio
        ("m4.large", None),  # before the 5th generation
        ("i4g.large", None),  # a family warmstart does not read
        ("m7g.metal", None),
        ("t4g.4xlarge", None),
        ("nonsense", None),
    ],
)
def test_instance_shape(instance_type, shape):
    assert instance_shape(instance_type) == shape


def test_sizes():
    assert [vcpus_of_size(s) for s in ("medium", "large", "xlarge", "2xlarge", "24xlarge")] == [
        1,
        2,
        4,
        8,
        96,
    ]
    assert vcpus_of_size("metal") is None


def problems_for(spot_types, system_types=("m7g.large",)):
    cluster = {
        **EKS,
        "spotNodes": {
            "instanceTypes": list(spot_types),
            "minSize": 0,
            "desiredSize": 1,
            "maxSize": 3,
        },
        "systemNodes": {
            "instanceTypes": list(system_types),
            "minSize": 1,
            "desiredSize": 1,
            "maxSize": 2,
        },
    }
    with pytest.raises(ConfigError) as raised:
        run(stack_values(service(), aws=AWS, cluster=cluster))
    return raised.value.problems


def test_a_group_of_mixed_shapes_is_refused_naming_each_odd_type():
    problems = problems_for(["m7g.large", "m6g.large", "c7g.xlarge", "r7g.large"])
    assert [(p.path, p.message) for p in problems] == [
        (
            "cluster.spotNodes.instanceTypes[2]",
            "is 4 vCPU / 8 GiB, m7g.large is 2 vCPU / 8 GiB: the autoscaler sizes a group from "
            "one of its types, so all need the same vCPUs and memory",
        ),
        (
            "cluster.spotNodes.instanceTypes[3]",
            "is 2 vCPU / 16 GiB, m7g.large is 2 vCPU / 8 GiB: the autoscaler sizes a group from "
            "one of its types, so all need the same vCPUs and memory",
        ),
    ]


def test_an_unreadable_type_in_a_mixed_group_is_refused_and_one_type_alone_is_not():
    problems = problems_for(["m7g.large", "m6g.large", "t4g.large"], ("m7g.large", "i4g.large"))
    assert [(p.path, p.value) for p in problems] == [
        ("cluster.systemNodes.instanceTypes[1]", "i4g.large")
    ]
    assert "cannot tell this type's vCPUs and memory" in problems[0].message
    assert run(
        stack_values(
            service(),
            aws=AWS,
            cluster={
                **EKS,
                "systemNodes": {
                    "instanceTypes": ["i4g.large"],
                    "minSize": 1,
                    "desiredSize": 1,
                    "maxSize": 2,
                },
            },
        )
    ).get("aws:eks/nodeGroup:NodeGroup", "cluster-system").inputs["instanceTypes"] == ["i4g.large"]


def test_the_default_groups_have_one_shape_each():
    for group in ("system_nodes", "spot_nodes"):
        default = ClusterConfig.model_fields[group].default
        assert len({instance_shape(t) for t in default.instance_types}) == 1, group
