"""Plan diffs: matched by URN like the engine; replace only for inputs that force it."""

from warmstart.diff.changes import Change, counts, diff_plans, leaves
from warmstart.diff.replacement import forces_replacement


def entry(type_, name, protect=False, **inputs):
    return {
        "urn": f"urn:{type_}::{name}",
        "type": type_,
        "name": name,
        "protect": protect,
        "inputs": inputs,
    }


def doc(*resources):
    return {"stack": "t", "resources": list(resources)}


def test_leaves_flatten_dicts_and_lists_with_paths():
    assert leaves({"a": {"b": [1, {"c": 2}], "d": []}, "e": {}}) == {
        "a.b[0]": 1,
        "a.b[1].c": 2,
        "a.d": [],
        "e": {},
    }


def test_operations_and_changed_paths():
    group = "aws:eks/nodeGroup:NodeGroup"
    before = doc(
        entry(group, "spot", instanceTypes=["m7g.large"], scalingConfig={"desiredSize": 2}),
        entry(group, "system", scalingConfig={"desiredSize": 2}),
        entry("aws:kms/key:Key", "gone"),
    )
    after = doc(
        entry(group, "spot", instanceTypes=["m7g.xlarge"], scalingConfig={"desiredSize": 2}),
        entry(group, "system", scalingConfig={"desiredSize": 3}),
        entry("aws:sqs/queue:Queue", "new"),
    )
    changes = {change.name: change for change in diff_plans(before, after)}
    assert {name: change.operation for name, change in changes.items()} == {
        "spot": "replace",
        "system": "update",
        "gone": "delete",
        "new": "create",
    }
    assert changes["system"].changes == (Change("scalingConfig.desiredSize", 2, 3),)
    assert counts(list(changes.values())) == {"create": 1, "update": 1, "replace": 1, "delete": 1}


def test_unchanged_resources_are_not_listed_and_options_are():
    key = entry("aws:kms/key:Key", "k", protect=True, description="x")
    assert diff_plans(doc(key), doc(key)) == []
    unprotected = {**key, "protect": False}
    (change,) = diff_plans(doc(key), doc(unprotected))
    assert (change.operation, change.changes) == (
        "update",
        (Change("(option) protect", True, False),),
    )


def test_replacement_prefixes_match_whole_path_segments():
    assert forces_replacement("aws:lb/targetGroup:TargetGroup", ["port"])
    assert not forces_replacement("aws:lb/targetGroup:TargetGroup", ["portMapping"])
    assert forces_replacement("kubernetes:apps/v1:Deployment", ["spec.selector.matchLabels.app"])
    assert not forces_replacement("kubernetes:apps/v1:Deployment", ["spec.replicas"])
    assert forces_replacement("kubernetes:core/v1:ConfigMap", ["metadata.name"])
    assert forces_replacement("aws:ecs/taskDefinition:TaskDefinition", ["cpu"])
    assert not forces_replacement("aws:iam/policy:Policy", ["policy"])
