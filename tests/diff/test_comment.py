"""The PR comment, one golden file per risk kind, each from a real render of prod changed once."""

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.golden import assert_golden
from warmstart.components.config.cost import CostConfig
from warmstart.cost.estimate import estimate
from warmstart.cost.prices import load_prices
from warmstart.diff.changes import counts, diff_plans
from warmstart.diff.comment import GITHUB_LIMIT, MARKER, StackDiff, render_comment
from warmstart.diff.risks import (
    KINDS,
    engine_disagrees,
    ready_at_worst,
    restart_bound,
    risks,
)
from warmstart.harness import run_stack
from warmstart.render import plan_document
from warmstart.stackfile import StackConfig, read_stack_config

GOLDEN = Path(__file__).with_name("golden")
PROD = read_stack_config("prod")
NEW_DIGEST = "sha256:" + "c0" * 32


def render(stack: StackConfig) -> dict:
    return plan_document(run_stack(stack), stack.stack)


@pytest.fixture(scope="module")
def prod_plan():
    return render(PROD)


def with_config(key: str, change) -> StackConfig:
    values = dict(PROD.values)
    value = json.loads(values[f"warmstart:{key}"])
    values[f"warmstart:{key}"] = json.dumps(change(value))
    return StackConfig(PROD.stack, values, PROD.secret_keys)


def hello_on_a_second_load_balancer() -> StackConfig:
    values = dict(PROD.values)
    routing = json.loads(values["warmstart:routing"])
    services = json.loads(values["warmstart:services"])
    services[0]["routes"]["loadBalancer"] = 1
    values["warmstart:routing"] = json.dumps({**routing, "loadBalancers": 2})
    values["warmstart:services"] = json.dumps(services)
    return StackConfig(PROD.stack, values, PROD.secret_keys)


def hello(services, **fields):
    services[0].update(fields)
    return services


def edit_plan(plan, type_, name, edit):
    document = copy.deepcopy(plan)
    for resource in document["resources"]:
        if (resource["type"], resource["name"]) == (type_, name):
            edit(resource)
    return document


def grant_s3(resource):
    policy = json.loads(resource["inputs"]["policy"])
    policy["Statement"].append({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    resource["inputs"]["policy"] = json.dumps(policy)


def no_deletion_protection(resource):
    resource["inputs"]["deletionProtection"] = False
    resource["protect"] = False


CASES = {
    "cluster": lambda plan: render(
        with_config(
            "cluster",
            lambda c: {
                **c,
                "spotNodes": {
                    **c["spotNodes"],
                    "instanceTypes": ["m6g.xlarge", "m7g.xlarge", "t4g.xlarge"],
                },
            },
        )
    ),
    "stateful": lambda plan: render(
        StackConfig(PROD.stack, {**PROD.values, "warmstart:namespace": "apps"}, PROD.secret_keys)
    ),
    "guarantee": lambda plan: edit_plan(
        plan, "aws:eks/cluster:Cluster", "cluster", no_deletion_protection
    ),
    "iam": lambda plan: edit_plan(
        plan, "aws:iam/policy:Policy", "registry-mirror-node-pull-through", grant_s3
    ),
    "capacity": lambda plan: render(
        with_config(
            "services",
            lambda s: hello(
                s, autoscaling={"minReplicas": 2, "maxReplicas": 20}, disruption={"minAvailable": 1}
            ),
        )
    ),
    "probes": lambda plan: render(
        with_config("services", lambda s: hello(s, startup={"budgetSeconds": 12, "probe": "http"}))
    ),
    "digest": lambda plan: render(
        with_config(
            "services", lambda s: hello(s, image=s[0]["image"].split("@")[0] + "@" + NEW_DIGEST)
        )
    ),
    "dns": lambda plan: render(hello_on_a_second_load_balancer()),
    "rollout": lambda plan: render(
        with_config(
            "routing",
            lambda r: {**r, "fargateStrategy": {"base": 2, "onDemandWeight": 1, "spotWeight": 1}},
        )
    ),
    "weights": lambda plan: render(
        with_config(
            "routing", lambda r: {**r, "weights": {"kubernetes": 80, "fargate": 20, "lambda": 0}}
        )
    ),
}


def comment_for(before, after):
    prices = load_prices("eu-west-1")
    changes = diff_plans(before, after)
    stack = StackDiff(
        "prod",
        changes=tuple(changes),
        risks=tuple(risks(changes)),
        cost_before=estimate(before, CostConfig(), prices).total,
        cost_after=estimate(after, CostConfig(), prices).total,
    )
    return render_comment("main", "head", [stack]), stack


def test_every_risk_kind_has_a_golden_case():
    assert set(CASES) | {"engine"} == set(KINDS)


def test_golden_comment_with_the_engines_preview(prod_plan):
    after = CASES["weights"](prod_plan)
    _, stack = comment_for(prod_plan, after)
    engine = {"create": 0, "update": 3, "replace": 1, "delete": 0}
    offline = counts(list(stack.changes))
    previewed = replace(
        stack, engine=engine, risks=(*engine_disagrees(offline, engine), *stack.risks)
    )
    blind = StackDiff("staging", engine_error="no pulumi CLI")
    text = render_comment("main", "head", [previewed, blind])
    assert "| prod | 0 | 3 | 0 | 0 | $884.41 -> $884.41 (±$0.00) | 0 / 3 / 1 / 0 |" in text
    assert "the engine plans 1 replace, the offline diff 0: read the preview before merging" in text
    assert "| staging | 0 | 0 | 0 | 0 | n/a | n/a: no pulumi CLI |" in text
    assert_golden(GOLDEN / "engine.md", text)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_golden_comment_per_risk_kind(kind, prod_plan):
    text, stack = comment_for(prod_plan, CASES[kind](prod_plan))
    assert kind in {risk.kind for risk in stack.risks}
    assert_golden(GOLDEN / f"{kind}.md", text)


def test_no_change_means_no_risks_and_zeroes(prod_plan):
    text, stack = comment_for(prod_plan, prod_plan)
    assert stack.changes == () and stack.risks == ()
    assert "| prod | 0 | 0 | 0 | 0 | $884.41 -> $884.41 (±$0.00) |" in text
    assert "No risks flagged." in text


def test_output_is_deterministic(prod_plan):
    after = CASES["weights"](prod_plan)
    assert comment_for(prod_plan, after)[0] == comment_for(prod_plan, after)[0]


def test_details_are_trimmed_before_the_summary_and_risks(prod_plan):
    _, stack = comment_for(prod_plan, CASES["stateful"](prod_plan))
    full = render_comment("main", "head", [stack, StackDiff("staging", error="head: config error")])
    assert len(full) < GITHUB_LIMIT
    small = render_comment("main", "head", [stack], limit=2000)
    assert small.startswith(MARKER)
    assert "| prod |" in small and "### Risks" in small
    assert "Details left out to stay under GitHub's 2,000-character limit: prod" in small
    assert "<details>" not in small
    assert "| staging | | | | | does not render: head: config error |" in full


def test_probe_arithmetic_on_warmstart_and_the_articles_layouts():
    warmstart = {
        "readinessProbe": {"periodSeconds": 1},
        "livenessProbe": {"initialDelaySeconds": 5, "periodSeconds": 10, "failureThreshold": 3},
    }
    assert (ready_at_worst(warmstart), restart_bound(warmstart)) == (5, 35)
    articles = {
        "readinessProbe": {"initialDelaySeconds": 30, "periodSeconds": 10},
        "livenessProbe": {"initialDelaySeconds": 5, "periodSeconds": 10},
    }
    assert ready_at_worst(articles) == 30
    gated = {**warmstart, "startupProbe": {"periodSeconds": 2, "failureThreshold": 10}}
    # startup ticks at 0, 2, 4, 6: first at or after 5 is 6; readiness one period later
    assert (ready_at_worst(gated), restart_bound(gated)) == (7, 20)
