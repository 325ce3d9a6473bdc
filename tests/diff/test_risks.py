"""Every risk rule both ways: a change that must raise it, and a near miss that must not."""

import pytest

from tests.diff.risk_inputs import changed, one_change
from warmstart.diff.changes import CREATE, DELETE, REPLACE
from warmstart.diff.risks import (
    Risk,
    capacity,
    cluster,
    digests,
    dns,
    engine_disagrees,
    guarantees,
    probes,
    risks,
    rollouts,
    stateful,
    weights,
)

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
REPOSITORY = "aws:ecr/repository:Repository"
QUEUE = "aws:sqs/queue:Queue"
RULE = "aws:lb/listenerRule:ListenerRule"
ECS_SERVICE = "aws:ecs/service:Service"


def messages(rule, change):
    return [risk.message for risk in rule(change)]


def test_stateful_a_replaced_repository_and_a_deleted_protected_queue():
    repository = changed(REPOSITORY, "images", {"name": "a"}, {"name": "b"}, operation=REPLACE)
    assert messages(stateful, repository) == ["replaces Repository images: its images go with it"]
    queue = changed(QUEUE, "jobs", {}, None, operation=DELETE, protect=(True, False))
    assert messages(stateful, queue) == [
        "deletes Queue jobs (protected: `pulumi up` will refuse until protect is lifted): "
        "it holds state"
    ]


def test_stateful_near_misses_an_update_an_unprotected_queue_and_the_cluster():
    update = changed(REPOSITORY, "images", {"scan": False}, {"scan": True})
    queue = changed(QUEUE, "jobs", {"name": "a"}, {"name": "b"}, operation=REPLACE)
    group = changed(NODE_GROUP, "spot", {"diskSize": 20}, {"diskSize": 40}, operation=REPLACE)
    assert [messages(stateful, change) for change in (update, queue, group)] == [[], [], []]


def test_cluster_a_replaced_node_group_names_what_forces_it():
    group = changed(NODE_GROUP, "spot", {"diskSize": 20}, {"diskSize": 40}, operation=REPLACE)
    assert messages(cluster, group) == [
        "replaces NodeGroup spot (diskSize): every node of the group is drained and replaced"
    ]
    gone = changed("aws:eks/cluster:Cluster", "cluster", {}, None, operation=DELETE)
    assert messages(cluster, gone) == [
        "deletes Cluster cluster (removed): a new control plane: every workload and access "
        "entry is recreated"
    ]


def test_cluster_near_misses_an_updated_group_and_a_replaced_repository():
    group = changed(NODE_GROUP, "spot", {"labels": {}}, {"labels": {"a": "b"}})
    repository = changed(REPOSITORY, "images", {"name": "a"}, {"name": "b"}, operation=REPLACE)
    assert messages(cluster, group) == messages(cluster, repository) == []


LIVENESS = {"initialDelaySeconds": 5, "periodSeconds": 10, "failureThreshold": 3}


def deployment(readiness_period=10, image="hello:1"):
    container = {
        "name": "hello",
        "image": image,
        "readinessProbe": {"periodSeconds": readiness_period},
        "livenessProbe": LIVENESS,
    }
    sidecar = {"name": "proxy", "image": "proxy:1", "readinessProbe": {"periodSeconds": 5}}
    return {"spec": {"template": {"spec": {"containers": [container, sidecar]}}}}


def test_probes_a_readiness_period_change_shows_time_to_ready_and_the_restart_bound():
    change = changed(DEPLOYMENT, "hello", deployment(10), deployment(1))
    # ready at the first readiness tick at or after the 5 s budget: 10 s -> 5 s; the
    # sidecar, whose probes did not change, is not named
    assert messages(probes, change) == [
        "Deployment hello container hello: probes change; worst-case time to Ready for a "
        "start that takes its whole budget 10 s -> 5 s, restarted if not live by 35 s -> 35 s"
    ]


def test_probes_near_miss_an_image_change_is_not_a_probe_change():
    change = changed(DEPLOYMENT, "hello", deployment(image="hello:1"), deployment(image="hello:2"))
    assert messages(probes, change) == []


PINNED = "registry/team/hello@sha256:" + "a" * 64
REPINNED = "registry/team/hello@sha256:" + "b" * 64
IMAGE = "spec.template.spec.containers[0].image"


def test_digests_an_image_that_changes_is_named_before_and_after():
    change = one_change(DEPLOYMENT, "hello", IMAGE, PINNED, REPINNED)
    assert messages(digests, change) == [
        "Deployment hello: image hello@sha256:aaaaaaaaaaaa -> hello@sha256:bbbbbbbbbbbb"
    ]


def test_digests_near_misses_a_new_container_and_a_deleted_workload():
    added = one_change(DEPLOYMENT, "hello", IMAGE, None, PINNED)
    deleted = one_change(DEPLOYMENT, "hello", IMAGE, PINNED, REPINNED, operation=DELETE)
    assert messages(digests, added) == messages(digests, deleted) == []


def listener_rule(kubernetes, fargate, priority=10):
    def group(name, weight):
        arn = f"<known after apply: aws:lb/targetGroup:TargetGroup {name}.arn>"
        return {"arn": arn, "weight": weight}

    groups = [group("hello-k8s", kubernetes), group("hello-ecs", fargate)]
    return {"priority": priority, "actions": [{"forward": {"targetGroups": groups}}]}


def test_weights_a_shift_names_each_target_group():
    change = changed(RULE, "hello", listener_rule(90, 10), listener_rule(80, 20))
    assert messages(weights, change) == [
        "ListenerRule hello: traffic weights hello-ecs 10 -> 20, hello-k8s 90 -> 80"
    ]


def test_weights_near_miss_a_new_priority_moves_no_traffic():
    change = changed(RULE, "hello", listener_rule(90, 10, 10), listener_rule(90, 10, 20))
    assert messages(weights, change) == []


CAPACITY = [
    (DEPLOYMENT, "spec.replicas", "replicas"),
    ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "spec.minReplicas", "minimum replicas"),
    ("kubernetes:policy/v1:PodDisruptionBudget", "spec.minAvailable", "PDB minAvailable"),
    (NODE_GROUP, "scalingConfig.minSize", "node group minimum"),
    (NODE_GROUP, "scalingConfig.desiredSize", "node group desired size"),
    (ECS_SERVICE, "desiredCount", "standby tasks"),
    (
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        "provisionedConcurrentExecutions",
        "provisioned Lambda environments",
    ),
]


@pytest.mark.parametrize(("type_", "path", "what"), CAPACITY)
def test_capacity_kept_that_falls_is_a_risk_and_that_grows_is_not(type_, path, what):
    kind = type_.rpartition(":")[2]
    assert messages(capacity, one_change(type_, "x", path, 3, 2)) == [f"{kind} x: {what} 3 -> 2"]
    assert messages(capacity, one_change(type_, "x", path, 2, 3)) == []
    assert messages(capacity, one_change(type_, "x", "spec.other", 3, 2)) == []


PDB = "kubernetes:policy/v1:PodDisruptionBudget"
MIXED = " (a count against a percentage: compare at the replica count)"


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [
        (1, 2, "PodDisruptionBudget x: PDB maxUnavailable 1 -> 2"),
        (2, 1, None),
        ("25%", "50%", "PodDisruptionBudget x: PDB maxUnavailable 25% -> 50%"),
        ("50%", "25%", None),
        (1, "50%", "PodDisruptionBudget x: PDB maxUnavailable 1 -> 50%" + MIXED),
        ("50%", 1, "PodDisruptionBudget x: PDB maxUnavailable 50% -> 1" + MIXED),
        (None, 1, "PodDisruptionBudget x: PDB maxUnavailable None -> 1"),
    ],
)
def test_capacity_pdb_max_unavailable_grows_or_changes_unit(before, after, flagged):
    change = one_change(PDB, "x", "spec.maxUnavailable", before, after)
    assert messages(capacity, change) == ([flagged] if flagged else [])


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [
        ("50%", "25%", "PodDisruptionBudget x: PDB minAvailable 50% -> 25%"),
        ("25%", "50%", None),
        (2, "50%", "PodDisruptionBudget x: PDB minAvailable 2 -> 50%" + MIXED),
    ],
)
def test_capacity_pdb_min_available_as_a_percentage(before, after, flagged):
    change = one_change(PDB, "x", "spec.minAvailable", before, after)
    assert messages(capacity, change) == ([flagged] if flagged else [])


UNPINNED = "registry/team/hello:1"
# what the risk says -> (path, (before, after) switching it off, (before, after) a near miss)
GUARANTEES = {
    "protect is lifted": ("(option) protect", (True, False), (False, True)),
    "deletion protection is off": ("deletionProtection", (True, False), (False, True)),
    "the zone spread is no longer enforced": (
        "spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable",
        ("DoNotSchedule", "ScheduleAnyway"),
        ("ScheduleAnyway", "DoNotSchedule"),
    ),
    "the image is no longer pinned by digest": (IMAGE, (PINNED, UNPINNED), (UNPINNED, PINNED)),
    "IMDSv2 is no longer required": (
        "metadataOptions.httpTokens",
        ("required", "optional"),
        ("optional", "required"),
    ),
    "a volume is no longer encrypted": (
        "blockDeviceMappings[0].ebs.encrypted",
        ("true", "false"),
        ("false", "true"),
    ),
    "the API endpoint is open to the internet": (
        "vpcConfig.publicAccessCidrs[0]",
        ("10.0.0.0/8", "0.0.0.0/0"),
        ("10.0.0.0/8", "10.0.0.0/16"),
    ),
    "pod security is no longer restricted": (
        "metadata.labels.pod-security.kubernetes.io/enforce",
        ("restricted", "baseline"),
        ("baseline", "restricted"),
    ),
}


@pytest.mark.parametrize("what", sorted(GUARANTEES))
def test_guarantees_switched_off_and_a_near_miss(what):
    path, (old, new), near_miss = GUARANTEES[what]
    shown = {True: "true", False: "false"}
    assert messages(guarantees, one_change("t:m:Thing", "x", path, old, new)) == [
        f"Thing x: {what} ({path}: {shown.get(old, old)} -> {shown.get(new, new)})"
    ]
    assert messages(guarantees, one_change("t:m:Thing", "x", path, *near_miss)) == []


def test_guarantees_a_removed_protection_is_switched_off():
    change = one_change("t:m:Thing", "x", "deletionProtection", True, None)
    assert messages(guarantees, change) == [
        "Thing x: deletion protection is off (deletionProtection: true -> null)"
    ]


def strategy(weight_spot):
    return {
        "capacityProviderStrategies": [
            {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
            {"capacityProvider": "FARGATE_SPOT", "weight": weight_spot},
        ],
        "desiredCount": 0,
    }


def test_rollouts_a_new_strategy_replaces_every_task():
    change = changed(ECS_SERVICE, "hello", strategy(1), strategy(3))
    assert messages(rollouts, change) == [
        "Service hello: capacity provider strategy FARGATE weight 1 base 2, FARGATE_SPOT "
        "weight 1 -> FARGATE weight 1 base 2, FARGATE_SPOT weight 3: a new deployment "
        "replaces every task"
    ]


def test_rollouts_near_misses_a_new_service_and_another_input():
    created = changed(ECS_SERVICE, "hello", None, strategy(1), operation=CREATE)
    other = changed(ECS_SERVICE, "hello", strategy(1), {**strategy(1), "desiredCount": 2})
    assert messages(rollouts, created) == messages(rollouts, other) == []


OFFLINE = {"create": 0, "update": 2, "replace": 0, "delete": 1}


def test_engine_a_replacement_the_offline_diff_did_not_predict():
    engine = {**OFFLINE, "replace": 1}
    assert engine_disagrees(OFFLINE, engine) == [
        Risk(
            "engine",
            "pulumi preview",
            "the engine plans 1 replace, the offline diff 0: read the preview before merging",
        )
    ]


def test_engine_near_misses_the_same_plan_fewer_deletes_and_no_preview():
    fewer = {**OFFLINE, "delete": 0, "update": 5}
    assert engine_disagrees(OFFLINE, OFFLINE) == engine_disagrees(OFFLINE, fewer) == []
    assert engine_disagrees(OFFLINE, None) == []


def test_risks_come_most_serious_kind_first():
    found = risks(
        [
            one_change(DEPLOYMENT, "hello", IMAGE, PINNED, "registry/team/hello:1"),
            one_change(DEPLOYMENT, "api", "spec.replicas", 3, 1),
        ]
    )
    assert [(risk.kind, risk.resource) for risk in found] == [
        ("guarantee", "Deployment hello"),
        ("capacity", "Deployment api"),
        ("digest", "Deployment hello"),
    ]


def test_dns_a_rule_on_another_load_balancers_listener():
    before = {
        "listenerArn": "<known after apply: aws:lb/listener:Listener routing-https.arn>",
        "conditions": [{"hostHeader": {"values": ["a.example.com"]}}],
    }
    after = {
        **before,
        "listenerArn": "<known after apply: aws:lb/listener:Listener routing-https-1.arn>",
    }
    assert messages(dns, changed(RULE, "routing-a", before, after, operation=REPLACE)) == [
        "ListenerRule routing-a moves from listener routing-https to routing-https-1 (another "
        "load balancer): point a.example.com at the new DNS name (stack output "
        "loadBalancerHosts)"
    ]
    # Near miss: the same listener, other inputs changed.
    same = {**before, "priority": 12}
    assert messages(dns, changed(RULE, "routing-a", before, same)) == []
