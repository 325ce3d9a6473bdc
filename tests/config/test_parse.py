import json

import pytest

from tests.conftest import DIGEST, service, stack_values
from warmstart.components.config import ConfigError, Problem, parse_config
from warmstart.stackfile import config_from_mapping


def parse(values, secret_keys=frozenset()):
    raw = config_from_mapping("test", values)
    return parse_config(raw.values, secret_keys | raw.secret_keys)


def problems(values, secret_keys=frozenset()):
    with pytest.raises(ConfigError) as caught:
        parse(values, secret_keys)
    return [str(problem) for problem in caught.value.problems]


def test_defaults_fill_a_minimal_service():
    config = parse(stack_values())
    hello = config.services[0]
    assert config.production is False
    assert config.namespace == "warmstart"
    assert config.cluster.kubernetes_version == "1.35"
    assert (hello.port, hello.service_port) == (8080, 80)
    assert hello.disruption.max_unavailable == 1
    assert hello.rollout.max_surge == "25%"
    # preStop left to the service's kind of traffic: see service.spec.pre_stop_seconds
    assert (hello.shutdown.pre_stop_sleep_seconds, hello.shutdown.drain_seconds) == (None, 20)


def test_issue_example_message():
    broken = service(name="slow", startup={"budgetSeconds": -3})
    assert problems(stack_values(service(), broken)) == [
        "warmstart:services[1].startup.budgetSeconds: must be > 0 (got -3)"
    ]


def test_one_message_per_problem_with_path_and_value():
    broken = service(
        name="Orders",
        image="",
        replica=3,
        startup={"budgetSeconds": 5, "probe": "udp"},
        rollout={"maxSurge": "15 %"},
        port=80,
    )
    assert problems({**stack_values(service(), broken), "warmstart:prodution": True}) == [
        "warmstart:prodution: unknown key (allowed: aws, cluster, cost, dockerHubCredentials, "
        "ghcrCredentials, kubeconfig, mirror, namespace, nodes, prewarm, production, registry, "
        "registryCredentials, routing, services)",
        "warmstart:services[1].name: must be a DNS label: lowercase letters, digits and '-', "
        'starting with a letter (got "Orders")',
        'warmstart:services[1].image: must not be empty (got "")',
        "warmstart:services[1].port: must be >= 1024 (got 80)",
        "warmstart:services[1].startup.probe: must be one of 'http', 'grpc' or 'tcp' (got \"udp\")",
        "warmstart:services[1].rollout.maxSurge: must be a whole number >= 0 or a percentage "
        'such as 25% (got "15 %")',
        "warmstart:services[1].replica: unknown key (allowed: automountServiceAccountToken, "
        "autoscaling, build, disruption, env, fallback, health, image, name, port, resources, "
        "rollout, routes, servicePort, shutdown, startup) (got 3)",
    ]


def test_scalars_arrive_as_text_and_are_coerced():
    assert parse(stack_values(production=False)).production is False
    assert problems(stack_values(production="yes please")) == [
        'warmstart:production: must be true or false (got "yes please")'
    ]


def test_missing_required_keys():
    assert problems({"warmstart:services": [service()]}) == ["warmstart:cluster: required"]
    assert problems(stack_values(service(startup={}))) == [
        "warmstart:services[0].startup.budgetSeconds: required"
    ]


def test_services_must_not_be_empty():
    assert problems({**stack_values(), "warmstart:services": []}) == [
        "warmstart:services: must have at least 1 item(s) (got [])"
    ]


def test_semantic_rules():
    broken = service(
        name="hello",
        resources={
            "requests": {"cpu": "2", "memory": "64Mi"},
            "limits": {"cpu": "500m", "memory": "12Qi"},
        },
        autoscaling={"minReplicas": 4, "maxReplicas": 2},
        disruption={"maxUnavailable": 1, "minAvailable": 1},
        rollout={"maxSurge": 0},
        env={"GOMEMLIMIT": "1GiB", "1BAD": "x"},
        health={"readiness": "/same", "liveness": "/same"},
    )
    assert problems(stack_values(service(), broken)) == [
        'warmstart:services[1].name: duplicate service name (got "hello")',
        "warmstart:services[1].resources.limits.memory: not a Kubernetes quantity: '12Qi' "
        '(expected e.g. 500m, 2, 128Mi, 1Gi, 1e9) (got "12Qi")',
        'warmstart:services[1].resources.requests.cpu: must not exceed limits.cpu (500m) (got "2")',
        "warmstart:services[1].health.liveness: must differ from readiness: liveness never "
        'checks dependencies (got "/same")',
        "warmstart:services[1].autoscaling.maxReplicas: must be >= minReplicas (4) (got 2)",
        "warmstart:services[1].rollout.maxSurge: must be > 0: with maxUnavailable 0 a rollout "
        "could never start (got 0)",
        "warmstart:services[1].disruption: set exactly one of maxUnavailable or minAvailable "
        '(got "maxUnavailable, minAvailable")',
        "warmstart:services[1].env.GOMEMLIMIT: derived by warmstart from limits; remove it",
        "warmstart:services[1].env.1BAD: not a valid environment variable name",
    ]


def test_probe_targets_must_fit_the_probe_kind():
    http = service(health={"readiness": "readyz"})
    tcp = service(
        name="proxy", startup={"budgetSeconds": 5, "probe": "tcp"}, health={"liveness": "/x"}
    )
    assert problems(stack_values(http, tcp)) == [
        'warmstart:services[0].health.readiness: an HTTP path must start with / (got "readyz")',
        "warmstart:services[1].health.liveness: tcp probes connect to the port; remove it "
        '(got "/x")',
    ]


def test_kubernetes_version_range():
    values = stack_values(cluster={"mode": "render", "kubernetesVersion": "1.29"})
    assert problems(values) == [
        'warmstart:cluster.kubernetesVersion: must be 1.30 to 1.37 (got "1.29")'
    ]
    values = stack_values(cluster={"mode": "render", "kubernetesVersion": "v1.35"})
    assert problems(values) == [
        "warmstart:cluster.kubernetesVersion: must be a Kubernetes minor version such as 1.35 "
        '(got "v1.35")'
    ]


def test_production_rules():
    values = stack_values(service(), production=True)
    assert problems(values) == [
        'warmstart:cluster.mode: a production stack must target a real cluster (got "render")',
        "warmstart:services[0].image: production stacks pin images by digest "
        '(...@sha256:<64 hex>) (got "registry.local/warmstart/hello:dev")',
        "warmstart:services[0].autoscaling.minReplicas: production services run at least "
        "2 replicas (got 1)",
    ]


def test_production_accepts_pinned_replicated_services():
    pinned = service(image=f"repo/hello@{DIGEST}", autoscaling={"minReplicas": 2, "maxReplicas": 4})
    config = parse(stack_values(pinned, production=True, cluster={"mode": "existing"}))
    assert config.production is True
    assert config.services[0].image.endswith(DIGEST)


def test_tag_plus_digest_is_pinned():
    pinned = service(image=f"repo/hello:1.0@{DIGEST}", autoscaling={"minReplicas": 2})
    assert parse(stack_values(pinned, production=True, cluster={"mode": "existing"}))


def test_kubeconfig_must_be_a_secret_and_only_for_existing_clusters():
    plain = stack_values(cluster={"mode": "existing"}, kubeconfig="apiVersion: v1")
    assert problems(plain) == [
        "warmstart:kubeconfig: must be a secret: "
        "pulumi config set --secret warmstart:kubeconfig ..."
    ]
    secret = stack_values(cluster={"mode": "existing"}, kubeconfig={"secure": "v1:abc"})
    assert parse(secret).kubeconfig is not None
    rendered = stack_values(kubeconfig={"secure": "v1:abc"})
    assert problems(rendered) == [
        'warmstart:kubeconfig: only used with cluster.mode existing (got "(set)")'
    ]


def test_other_namespaces_are_ignored():
    values = {
        **stack_values(),
        "aws:region": "eu-west-1",
        "pulumi:disable-default-providers": ["*"],
    }
    assert parse(values).namespace == "warmstart"


def test_malformed_json_is_reported_not_raised():
    raw = config_from_mapping("test", stack_values()).values
    raw["warmstart:services"] = "[{not json"
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert [str(p) for p in caught.value.problems] == [
        'warmstart:services: must be a list (got "[{not json")'
    ]


def test_config_error_message_lists_every_problem():
    error = ConfigError([Problem("a", "bad", 1), Problem("b", "worse")])
    assert str(error) == (
        "invalid stack configuration, 2 problems:\n"
        "  - warmstart:a: bad (got 1)\n"
        "  - warmstart:b: worse"
    )


def test_structured_values_round_trip_as_json_text():
    raw = config_from_mapping("test", stack_values()).values
    assert json.loads(raw["warmstart:cluster"]) == {"mode": "render", "kubernetesVersion": "1.35"}


AWS = {"accountId": "123456789012", "region": "eu-west-1"}


def test_mirror_rules():
    values = stack_values(
        mirror={
            "enabled": True,
            "upstreams": ["k8s", "docker-hub", "ghcr"],
            "prefixes": {"quay": "qc", "k8s": "ghcr"},
        },
        ghcrCredentials={"secure": "v1:x"},
    )
    assert problems(values) == [
        "warmstart:mirror.enabled: the registry mirror needs warmstart:aws (accountId, region) (got true)",
        "warmstart:dockerHubCredentials: required by mirror upstream docker-hub: a secret JSON "
        '{"username": ..., "accessToken": ...}',
        "warmstart:mirror.prefixes.quay: prefix for an upstream that is not enabled",
        'warmstart:mirror.prefixes: two upstreams (or the service repositories) share a prefix (got "ghcr")',
    ]


def test_credentials_must_be_secret_wanted_and_well_formed():
    unwanted = stack_values(
        aws=AWS, mirror={"enabled": True}, dockerHubCredentials={"secure": "v1:x"}
    )
    assert problems(unwanted) == [
        'warmstart:dockerHubCredentials: set, but mirror upstream docker-hub is not enabled (got "(set)")'
    ]
    plain = stack_values(
        aws=AWS, mirror={"enabled": True, "upstreams": ["ghcr"]}, ghcrCredentials="{}"
    )
    assert problems(plain) == [
        "warmstart:ghcrCredentials: must be a secret: pulumi config set --secret warmstart:ghcrCredentials ...",
        'warmstart:ghcrCredentials: must be JSON {"username": ..., "accessToken": ...} (got "(secret)")',
    ]
    malformed = stack_values(
        aws=AWS, mirror={"enabled": True, "upstreams": ["ghcr"]}, ghcrCredentials='{"user": 1}'
    )
    assert problems(malformed, frozenset({"warmstart:ghcrCredentials"})) == [
        'warmstart:ghcrCredentials: must be JSON {"username": ..., "accessToken": ...} (got "(secret)")'
    ]
    good = '{"username": "bot", "accessToken": "t"}'
    config = parse(
        stack_values(
            aws=AWS, mirror={"enabled": True, "upstreams": ["ghcr"]}, ghcrCredentials=good
        ),
        frozenset({"warmstart:ghcrCredentials"}),
    )
    assert config.ghcr_credentials == good


def test_aws_account_and_region_shapes():
    assert problems(stack_values(aws={"accountId": "12345", "region": "Ireland"})) == [
        'warmstart:aws.accountId: must match ^[0-9]{12}$ (got "12345")',
        'warmstart:aws.region: must be an AWS region such as eu-west-1 or us-east-2 (got "Ireland")',
    ]


def test_prewarm_rules():
    assert problems(stack_values(prewarm={"enabled": True})) == [
        "warmstart:prewarm.sleepImage: required in sleep mode (or sleepBuild): the image built from services/ (target sleep)"
    ]
    old = stack_values(
        prewarm={"enabled": True, "mode": "image-volume", "extraImages": ["ok:1", "Not A Ref"]},
        cluster={"mode": "render", "kubernetesVersion": "1.34"},
    )
    assert problems(old) == [
        'warmstart:prewarm.mode: image-volume needs Kubernetes 1.35+ (got "image-volume")',
        'warmstart:prewarm.extraImages[1]: not an image reference (got "Not A Ref")',
    ]


def test_production_prewarm_images_are_pinned():
    pinned = service(image=f"repo/hello@{DIGEST}", autoscaling={"minReplicas": 2})
    values = stack_values(
        pinned,
        production=True,
        cluster={"mode": "existing"},
        prewarm={"enabled": True, "sleepImage": "repo/sleep:1"},
    )
    assert problems(values) == [
        "warmstart:prewarm.sleepImage: production stacks pin images by digest (...@sha256:<64 hex>) "
        '(got "repo/sleep:1")',
        "warmstart:prewarm.pauseImage: production stacks pin images by digest (...@sha256:<64 hex>) "
        '(got "registry.k8s.io/pause:3.10")',
    ]


def test_image_gc_thresholds_must_leave_a_gap():
    assert problems(
        stack_values(nodes={"imageGc": {"highThresholdPercent": 80, "lowThresholdPercent": 80}})
    ) == [
        "warmstart:nodes.imageGc.lowThresholdPercent: must be below highThresholdPercent (80) (got 80)"
    ]


def test_service_images_must_be_references():
    assert problems(stack_values(service(image="Not A Ref"))) == [
        'warmstart:services[0].image: not an image reference (got "Not A Ref")'
    ]
