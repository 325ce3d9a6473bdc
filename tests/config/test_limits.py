"""What the API server, the kubelet or AWS would reject, refused at config time instead."""

import pytest

from tests.conftest import DIGEST, config_problems, service, stack_values
from warmstart.components.config import ConfigError, parse_config
from warmstart.stackfile import config_from_mapping

AWS = {"accountId": "123456789012", "region": "eu-west-1"}
EKS = {
    "mode": "eks",
    "network": {"cidr": "10.20.0.0/16", "availabilityZones": ["eu-west-1a", "eu-west-1b"]},
    "adminRoleArns": ["arn:aws:iam::123456789012:role/admins"],
}


def problems_for(**fields):
    return config_problems(stack_values(service(**fields)))


@pytest.mark.parametrize("name", ["image-prewarm", "default-deny-ingress"])
def test_service_names_warmstart_uses_itself(name):
    assert problems_for(name=name) == [
        f'warmstart:services[0].name: warmstart names its own objects so: pick another (got "{name}")'
    ]


def test_a_service_named_default_would_collide_with_the_namespaces_service_account():
    assert problems_for(name="default") == [
        "warmstart:services[0].name: every namespace has a ServiceAccount named default "
        'already: pick another (got "default")'
    ]


@pytest.mark.parametrize(
    ("digest", "ok"),
    [
        ("sha256:" + "ab" * 32, True),
        ("sha512:" + "ab" * 64, True),
        ("sha256:" + "ab" * 31, False),
        ("sha256:" + "AB" * 32, False),
        ("md5:" + "ab" * 16, False),
    ],
)
def test_digest_algorithms_the_runtime_accepts(digest, ok):
    found = problems_for(image=f"r.example/hello@{digest}")
    assert (
        found == []
        if ok
        else any("the digest must be sha256 (64 lowercase hex)" in p for p in found)
    )


def test_memory_too_small_for_a_go_runtime():
    resources = {
        "requests": {"cpu": "10m", "memory": "8Mi"},
        "limits": {"cpu": "10m", "memory": "15Mi"},
    }
    assert problems_for(resources=resources) == [
        "warmstart:services[0].resources.limits.memory: a Go service needs at least 16Mi "
        '(GOMEMLIMIT is 90% of it) (got "15Mi")'
    ]


@pytest.mark.parametrize(
    ("disruption", "autoscaling", "problem"),
    [
        (
            {"maxUnavailable": 0},
            {},
            "warmstart:services[0].disruption.maxUnavailable: 0 blocks every node drain (got 0)",
        ),
        (
            {"maxUnavailable": "0%"},
            {},
            'warmstart:services[0].disruption.maxUnavailable: 0 blocks every node drain (got "0%")',
        ),
        (
            {"minAvailable": 2},
            {"minReplicas": 2, "maxReplicas": 4},
            "warmstart:services[0].disruption.minAvailable: blocks every node drain at minReplicas 2: must leave one pod evictable (got 2)",
        ),
        (
            {"minAvailable": "100%"},
            {},
            'warmstart:services[0].disruption.minAvailable: blocks every node drain at minReplicas 1: must leave one pod evictable (got "100%")',
        ),
    ],
)
def test_disruption_budgets_that_block_every_drain(disruption, autoscaling, problem):
    fields = {"disruption": disruption}
    if autoscaling:
        fields["autoscaling"] = autoscaling
    assert problems_for(**fields) == [problem]


def test_shares_above_100_percent_are_refused_surges_are_not():
    assert problems_for(disruption={"maxUnavailable": "150%"}) == [
        'warmstart:services[0].disruption.maxUnavailable: a percentage of at most 100% (got "150%")'
    ]


def test_what_kubernetes_accepts_stays_accepted():
    assert problems_for(rollout={"maxSurge": "150%"}) == []
    assert (
        problems_for(
            disruption={"minAvailable": "50%"}, autoscaling={"minReplicas": 2, "maxReplicas": 3}
        )
        == []
    )


def test_a_prewarm_rollout_that_could_never_progress():
    values = stack_values(
        service(),
        prewarm={"enabled": True, "sleepImage": f"r.example/sleep@{DIGEST}", "maxUnavailable": 0},
    )
    assert (
        "warmstart:prewarm.maxUnavailable: must be > 0: the DaemonSet rolls with maxSurge 0, so 0 would never progress (got 0)"
        in config_problems(values)
    )


def test_secrets_in_plain_text():
    assert problems_for(env={"DB_PASSWORD": "hunter2", "TOKEN_TTL": "5m", "API_TOKEN": ""}) == [
        "warmstart:services[0].env.DB_PASSWORD: looks like a secret in plain text: keep it out of the stack file"
    ]
    pasted = problems_for(env={"NOTE": "key AKIAIOSFODNN7EXAMPLE here"})
    assert pasted == [
        "warmstart:services: holds an AWS access key id in plain text: use pulumi config set --secret, or keep it out"
    ]


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("warmstart.dev/tier", True),
        ("tier", True),
        ("-tier", False),
        ("Example.com/tier", False),
        ("a/b/c", False),
        ("x" * 64, False),
    ],
)
def test_node_label_keys(key, ok):
    cluster = {
        **EKS,
        "systemNodes": {
            "instanceTypes": ["m7g.large"],
            "minSize": 1,
            "desiredSize": 1,
            "maxSize": 2,
            "labels": {key: "v"},
        },
    }
    found = config_problems(stack_values(service(), aws=AWS, cluster=cluster))
    assert (found == []) == ok, found


def test_alb_host_conditions():
    routed = service(routes={"hosts": ["ok.example.com", "bad host", "*.example.com", "x" * 129]})
    cluster = {**EKS}
    found = config_problems(
        stack_values(routed, aws=AWS, cluster=cluster, routing={"enabled": True})
    )
    assert [p for p in found if "host condition" in p] == [
        'warmstart:services[0].routes.hosts[1]: an ALB host condition is <= 128 of A-Z a-z 0-9 - . * ? (got "bad host")',
        'warmstart:services[0].routes.hosts[3]: an ALB host condition is <= 128 of A-Z a-z 0-9 - . * ? (got "'
        + "x" * 76
        + "...)",
    ]
    many = service(routes={"hosts": [f"h{i}.example.com" for i in range(4)], "paths": ["/a", "/b"]})
    found = config_problems(stack_values(many, aws=AWS, cluster=cluster, routing={"enabled": True}))
    assert (
        "warmstart:services[0].routes: an ALB rule takes 5 condition values (hosts + paths) (got 6)"
        in found
    )


def test_a_misspelled_namespace_is_named():
    values = {
        **stack_values(service()),
        "warmstar:namespace": "apps",
        "Warmstart:prewarm": "{}",
        "aws:region": "x",
    }
    assert config_problems(values) == [
        'warmstart:prewarm: written as Warmstart:prewarm: the namespace is warmstart (got "Warmstart")',
        'warmstart:namespace: written as warmstar:namespace: the namespace is warmstart (got "warmstar")',
    ]


def naming(stack, **cluster):
    lambda_service = service(
        routes={"hosts": ["a.example.com"]}, fallback={"lambda": {"enabled": True}}
    )
    values = stack_values(
        lambda_service, aws=AWS, cluster={**EKS, **cluster}, routing={"enabled": True}
    )
    raw = config_from_mapping(stack, values)
    try:
        parse_config(raw.values, raw.secret_keys, ("warmstart", stack))
    except ConfigError as error:
        return [str(problem) for problem in error.problems]
    return []


def test_names_that_grow_too_long_once_prefixed():
    assert naming("prod") == []
    long_stack = "s" * 50  # cluster "warmstart-sss...": 60 characters
    assert naming(long_stack) == [
        f'warmstart:cluster.name (default warmstart-{long_stack}): node group warmstart-{long_stack}-system would be 67 characters; EKS allows 63: shorten the cluster name (got "warmstart-{long_stack}")',
        f'warmstart:cluster.name (default warmstart-{long_stack}): node group warmstart-{long_stack}-spot would be 65 characters; EKS allows 63: shorten the cluster name (got "warmstart-{long_stack}")',
        f'warmstart:services[0].name: its Lambda function warmstart-{long_stack}-hello would be 66 characters; Lambda allows 64: shorten the service or the cluster name (got "hello")',
    ]
    assert naming(long_stack, name="short") == []


RESOURCES = {
    "requests": {"cpu": "50m", "memory": "32Mi"},
    "limits": {"cpu": "250m", "memory": "64Mi"},
}


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        # Python's `$` also matches before a final newline, and `\d`, `\w` take any script's
        # digits and letters: the API server and the runtime take neither.
        (
            {"resources": {**RESOURCES, "limits": {"cpu": "250m", "memory": "64Mi\n"}}},
            "services[0].resources.limits.memory",
        ),
        (
            {"resources": {**RESOURCES, "requests": {"cpu": "\u0665\u0660m", "memory": "32Mi"}}},
            "services[0].resources.requests.cpu",
        ),
        ({"image": "r.example/hello:d\u00e9v"}, "services[0].image"),
        ({"image": "r.example/hello:dev\n"}, "services[0].image"),
        ({"env": {"LOG_LEVEL\n": "debug"}}, "services[0].env"),
        ({"routes": {"hosts": ["api.example.com\n"]}}, "services[0].routes"),
    ],
)
def test_a_trailing_newline_or_a_non_ascii_digit_is_refused(fields, path):
    found = problems_for(**fields)
    assert found and all(p.startswith(f"warmstart:{path}") for p in found), found


def test_a_kubernetes_version_in_another_script_is_refused():
    values = stack_values(
        service(), cluster={"mode": "render", "kubernetesVersion": "1.\u0663\u0665"}
    )
    assert [p.split(":")[1] for p in config_problems(values)] == ["cluster.kubernetesVersion"]
