"""The estimate over whole plans: every stack priced, golden output, the articles' claim, CLI."""

import json
from pathlib import Path

import pytest

from tests.cost.builders import plan, resource, round_prices
from tests.golden import assert_golden
from warmstart.__main__ import main
from warmstart.components.config.cost import CostConfig
from warmstart.cost import priced_stack
from warmstart.cost.claim import claim
from warmstart.cost.estimate import estimate
from warmstart.cost.plan import reference, runs_per_month
from warmstart.cost.pricers import PRICED, Scenario
from warmstart.cost.prices import PriceError, load_prices
from warmstart.cost.report import text
from warmstart.examples import STACK, examples
from warmstart.stackfile import available_stacks, read_stack_config

GOLDEN = Path(__file__).with_name("golden")
ALL_STACKS = [(name, None) for name in available_stacks()] + [
    (f"examples/{example.name}", example.directory) for example in examples()
]


@pytest.mark.parametrize(("name", "directory"), ALL_STACKS, ids=[n for n, _ in ALL_STACKS])
def test_every_resource_type_of_every_stack_is_priced_or_free(name, directory):
    stack = read_stack_config(STACK, directory) if directory else read_stack_config(name)
    result = priced_stack(stack).estimate()
    assert result.unpriced == ()
    if result.region:
        assert result.total > 0
        assert {item.resource.split()[0] for item in result.items} <= {
            type_.rpartition(":")[2] for type_ in PRICED
        }


@pytest.mark.parametrize("name", available_stacks())
def test_golden_output(name, capsys):
    assert main(["cost", "--stack", name]) == 0
    output = capsys.readouterr().out
    assert_golden(GOLDEN / f"{name}.md", output)


def test_golden_claim(capsys):
    """The README's claim table (`cost --stack prod --claim`), every figure pinned: a pricer
    that moves it moves this file (#21 item 22)."""
    assert main(["cost", "--stack", "prod", "--claim"]) == 0
    assert_golden(GOLDEN / "prod-claim.md", capsys.readouterr().out)


def test_local_stack_costs_nothing_and_says_why(capsys):
    assert main(["cost", "--stack", "local", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["monthly"], result["items"], result["region"]) == (0, [], None)
    assert main(["cost", "--stack", "local"]) == 0
    assert "No AWS resources" in capsys.readouterr().out


def test_compare_is_the_difference_per_component(capsys):
    assert main(["cost", "--stack", "prod", "--compare", "staging", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    staging = priced_stack(read_stack_config("staging")).estimate()
    prod = priced_stack(read_stack_config("prod")).estimate()
    assert result["change"] == round(prod.total - staging.total, 2)
    assert result["components"]["routing"]["change"] == 0
    assert result["components"]["cluster"]["before"] == round(staging.by_component()["cluster"], 2)


def test_resources_are_grouped_by_their_outermost_component(tmp_path):
    outer = resource("warmstart:cluster:Cluster", "cluster")
    inner = resource("warmstart:aws:Network", "cluster-network", parent_urn=outer["urn"])
    key = resource("aws:kms/key:Key", "k", parent_urn=inner["urn"])
    loose = resource("aws:kms/key:Key", "loose")
    result = estimate(plan(outer, inner, key, loose), CostConfig(), round_prices(tmp_path))
    assert result.by_component() == {"cluster": 1.0, "stack": 1.0}


def test_unknown_types_are_reported_not_silently_free(tmp_path):
    document = plan(resource("aws:rds/instance:Instance", "db"))
    result = estimate(document, CostConfig(), round_prices(tmp_path))
    assert result.unpriced == ("aws:rds/instance:Instance",)
    assert "NOT PRICED" in text(result, "2026-01-01")


def test_claim_on_a_hand_computed_plan(tmp_path):
    group = resource(
        "aws:eks/nodeGroup:NodeGroup",
        "cluster-spot",
        instanceTypes=["m7g.large"],
        capacityType="SPOT",
        scalingConfig={"desiredSize": 2},
    )
    fallback = resource("warmstart:aws:LambdaFallback", "api-lambda")
    key = resource("aws:kms/key:Key", "in-fallback", parent_urn=fallback["urn"])
    result = claim(plan(group, fallback, key), CostConfig(), round_prices(tmp_path))
    # baseline: m6i.large 0.2 x 2 x 730 = 292 (the fallback's key is left out)
    # graviton: 0.1 -> 146; spot -50% -> 73; private pulls: no change; fallbacks: + 1 key
    assert [round(step.monthly, 2) for step in result.steps] == [146.0, 73.0, 73.0, 74.0]
    assert result.baseline == pytest.approx(292.0)
    assert result.saving == pytest.approx(1 - 74 / 292)


def test_claim_on_prod_adds_up_to_the_prod_estimate():
    prod = priced_stack(read_stack_config("prod"))
    result = claim(prod.document, prod.config.cost, prod.prices)
    assert result.warmstart == pytest.approx(prod.estimate().total)
    assert result.baseline + sum(step.change for step in result.steps) == pytest.approx(
        result.warmstart
    )
    assert result.baseline > result.warmstart
    all_on = estimate(prod.document, prod.config.cost, prod.prices, Scenario())
    assert all_on.total == pytest.approx(result.warmstart)


def test_a_bad_cost_config_exits_2_with_the_key_path(tmp_path, capsys):
    stack_file = (Path(__file__).parents[2] / "stacks" / "Pulumi.dev.yaml").read_text()
    broken = stack_file.replace(
        "config:\n",
        "config:\n  warmstart:cost: {spotDiscounts: {m7g: 1.5}, natGibPerMonth: -1, nope: 1}\n",
        1,
    )
    (tmp_path / "Pulumi.yaml").write_text("name: elsewhere\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(broken)
    assert main(["--project-dir", str(tmp_path), "cost", "--stack", "dev"]) == 2
    errors = capsys.readouterr().err
    assert "warmstart:cost.nope" in errors
    assert "warmstart:cost.natGibPerMonth: must be >= 0 (got -1)" in errors
    assert "warmstart:cost.spotDiscounts.m7g: must be < 1 (got 1.5)" in errors
    assert "Traceback" not in errors


def test_an_instance_type_without_a_price_exits_2_naming_it(tmp_path, capsys):
    stack_file = (Path(__file__).parents[2] / "stacks" / "Pulumi.dev.yaml").read_text()
    (tmp_path / "Pulumi.yaml").write_text("name: elsewhere\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_file.replace("t4g.large]", "m6gd.large]"))
    assert main(["--project-dir", str(tmp_path), "cost", "--stack", "dev"]) == 2
    assert "no eu-west-1 price for instance type m6gd.large" in capsys.readouterr().err


def test_an_unknown_region_names_the_refresh_script():
    with pytest.raises(PriceError, match=r"no prices for region ap-south-2 .*refresh_prices"):
        load_prices("ap-south-2")


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("rate(1 minute)", 43800),
        ("rate(5 minutes)", 8760),
        ("rate(2 hours)", 365),
        ("rate(1 day)", 30.416666666666668),
        ("cron(0 * * * ? *)", 0),
    ],
)
def test_runs_per_month_of_a_schedule(schedule, runs):
    assert runs_per_month(schedule) == pytest.approx(runs)


def test_reference_reads_a_placeholder_and_nothing_else():
    assert reference(
        "<known after apply: aws:lb/targetGroup:TargetGroup routing-hello-fn.arn>"
    ) == (
        "aws:lb/targetGroup:TargetGroup",
        "routing-hello-fn",
    )
    assert reference("arn:aws:elasticloadbalancing:...") is None
    assert reference(None) is None


def test_the_cost_pages_monthly_figures_are_the_golden_totals():
    page = (Path(__file__).parents[2] / "docs" / "cost.md").read_text()
    line = next(text for text in page.splitlines() if "`tests/cost/golden/`):" in text)
    totals = {
        name: (GOLDEN / f"{name}.md").read_text().split("$", 1)[1].split(" ", 1)[0]
        for name in ("dev", "staging", "prod")
    }
    for name, total in totals.items():
        assert f"{name} ${total}" in line, (name, total, line)
    # The README's headline figure is prod's.
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert f"`prod` is estimated at ${totals['prod']} a month" in readme
