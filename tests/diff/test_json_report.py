"""`--format json`: the comment's content as a document, every risk an object."""

import json

from warmstart.diff.changes import Change, ResourceChange
from warmstart.diff.comment import StackDiff
from warmstart.diff.json_report import json_report
from warmstart.diff.risks import Risk

URN = "urn:pulumi:prod::warmstart::kubernetes:apps/v1:Deployment::hello"
IMAGE = "spec.template.spec.containers[0].image"


def test_counts_cost_risks_and_changes_per_stack():
    change = ResourceChange(
        URN,
        "kubernetes:apps/v1:Deployment",
        "hello",
        "update",
        (Change(IMAGE, "hello:1", "hello:2"),),
        None,
        None,
    )
    risk = Risk("digest", "Deployment hello", "Deployment hello: image hello:1 -> hello:2")
    prod = StackDiff(
        "prod", changes=(change,), risks=(risk,), cost_before=884.409999, cost_after=900
    )
    assert json.loads(json_report("main (abc1234)", "working tree", [prod])) == {
        "base": "main (abc1234)",
        "head": "working tree",
        "stacks": [
            {
                "stack": "prod",
                "error": None,
                "counts": {"create": 0, "update": 1, "replace": 0, "delete": 0},
                "cost": {"before": 884.41, "after": 900.0, "notPriced": None},
                "risks": [
                    {
                        "kind": "digest",
                        "resource": "Deployment hello",
                        "message": "Deployment hello: image hello:1 -> hello:2",
                    }
                ],
                "changes": [
                    {
                        "operation": "update",
                        "type": "kubernetes:apps/v1:Deployment",
                        "name": "hello",
                        "urn": URN,
                        "inputs": [{"path": IMAGE, "before": "hello:1", "after": "hello:2"}],
                    }
                ],
                "engine": None,
                "engineError": None,
            }
        ],
    }


def test_a_stack_that_does_not_render_has_an_error_and_no_zeroes():
    (broken,) = json.loads(json_report("a", "b", [StackDiff("dev", error="head: bad")]))["stacks"]
    assert broken == {
        "stack": "dev",
        "error": "head: bad",
        "counts": None,
        "cost": None,
        "risks": None,
        "changes": None,
        "engine": None,
        "engineError": None,
    }


def test_a_side_without_prices_says_why():
    moved = StackDiff("dev", cost_before=73.0, not_priced="no prices for us-east-1")
    (stack,) = json.loads(json_report("a", "b", [moved]))["stacks"]
    assert stack["cost"] == {"before": 73.0, "after": None, "notPriced": "no prices for us-east-1"}


def test_the_document_is_deterministic_text():
    stacks = [StackDiff("dev", cost_before=0, cost_after=0)]
    text = json_report("a", "b", stacks)
    assert text == json_report("a", "b", stacks)
    assert text.endswith("}\n") and '"before": 0.0' in text
