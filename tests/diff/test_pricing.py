"""The cost column: a side the price table cannot price says so, it is not $0."""

from warmstart.components.config.cost import CostConfig
from warmstart.diff.comment import StackDiff, render_comment
from warmstart.diff.pricing import monthly_cost

EKS_HOURLY_MONTH = 73.0  # eu-west-1 control plane: $0.10 an hour, 730 hours


def resource(type_, name_, **inputs):
    return {
        "urn": f"urn:pulumi:t::warmstart::{type_}::{name_}",
        "type": type_,
        "name": name_,
        "custom": True,
        "parent": None,
        "inputs": inputs,
    }


def plan(region, *extra):
    provider = [resource("pulumi:providers:aws", "aws", region=region)] if region else []
    cluster = resource("aws:eks/cluster:Cluster", "cluster", name="c")
    return {"stack": "t", "resources": [*provider, cluster, *extra]}


def test_a_region_with_prices_is_priced():
    assert monthly_cost(plan("eu-west-1"), CostConfig()) == (EKS_HOURLY_MONTH, None)


def test_a_region_without_prices_is_not_priced_and_says_which():
    assert monthly_cost(plan("us-east-1"), CostConfig()) == (None, "no prices for us-east-1")


def test_an_instance_type_without_a_price_is_named():
    group = resource(
        "aws:eks/nodeGroup:NodeGroup",
        "group",
        instanceTypes=["x9.huge"],
        capacityType="ON_DEMAND",
        scalingConfig={"desiredSize": 1, "minSize": 1, "maxSize": 1},
    )
    assert monthly_cost(plan("eu-west-1", group), CostConfig()) == (
        None,
        "no eu-west-1 price for instance type x9.huge",
    )


def test_no_plan_is_no_cost_and_no_reason():
    assert monthly_cost(None, CostConfig()) == (None, None)


def test_aws_resources_without_a_provider_region_are_not_priced():
    assert monthly_cost(plan(None), CostConfig()) == (
        None,
        "AWS resources but no AWS provider region",
    )


def summary_row(stack):
    text = render_comment("main", "head", [stack])
    return next(line for line in text.splitlines() if line.startswith(f"| {stack.stack} |"))


def test_the_comment_says_not_priced_instead_of_stack_removed():
    moved = StackDiff(
        "prod", cost_before=884.41, cost_after=None, not_priced="no prices for us-east-1"
    )
    assert summary_row(moved) == "| prod | 0 | 0 | 0 | 0 | not priced: no prices for us-east-1 |"


def test_a_stack_really_removed_still_says_so():
    removed = StackDiff("old", cost_before=73.0, cost_after=None)
    assert summary_row(removed) == "| old | 0 | 0 | 0 | 0 | $73.00 -> $0.00 (stack removed) |"
