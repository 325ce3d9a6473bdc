"""GoService used directly, as another team's program would: it validates its own args with
the stack file's rules, takes dependencies through resource options, and any number of
instances coexist."""

import pulumi
import pulumi_kubernetes as k8s
import pytest

from tests.conftest import BASE_SERVICE, DIGEST, registered, service
from warmstart.components import GoService, GoServiceArgs
from warmstart.components.config import ConfigError

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def test_a_mapping_in_the_stack_files_shape_is_enough():
    def program():
        GoService("hello", GoServiceArgs(service=service(), namespace="team"))

    deployment = next(r for r in registered(program) if r.type == DEPLOYMENT)
    container = deployment.inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == BASE_SERVICE["image"]
    assert deployment.inputs["metadata"]["namespace"] == "team"


def test_every_child_waits_for_what_the_component_depends_on():
    def program():
        namespace = k8s.core.v1.Namespace("team")
        GoService(
            "hello",
            GoServiceArgs(service=service(), namespace="team"),
            opts=pulumi.ResourceOptions(depends_on=[namespace]),
        )

    resources = registered(program)
    namespace = next(r.urn for r in resources if r.type == "kubernetes:core/v1:Namespace")
    children = [r for r in resources if r.parent and "GoService" in r.parent]
    assert len(children) == 6
    assert all(namespace in child.depends_on for child in children)


def test_two_services_of_one_name_in_two_namespaces_coexist():
    def program():
        for namespace in ("eu", "us"):
            GoService(
                f"payments-{namespace}",
                GoServiceArgs(service=service(name="payments"), namespace=namespace),
            )

    resources = registered(program)
    deployments = [r for r in resources if r.type == DEPLOYMENT]
    assert len({r.urn for r in resources}) == len(resources)
    assert sorted((r.name, r.inputs["metadata"]["namespace"]) for r in deployments) == [
        ("payments-eu", "eu"),
        ("payments-us", "us"),
    ]
    # the Kubernetes objects keep the service's name: each namespace has its `payments`
    assert {r.inputs["metadata"]["name"] for r in deployments} == {"payments"}


def bad_args(**args) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        GoService("hello", GoServiceArgs(**args))
    return [problem.describe() for problem in raised.value.problems]


def test_every_cross_field_rule_of_the_stack_file_applies():
    broken = service(
        resources={
            "requests": {"cpu": "500m", "memory": "32Mi"},
            "limits": {"cpu": "250m", "memory": "64Mi"},
        },
        autoscaling={"minReplicas": 5, "maxReplicas": 2},
        disruption={"maxUnavailable": 1, "minAvailable": 1},
        env={"GOMEMLIMIT": "10MiB"},
        image="registry.local/warmstart/hello:latest",
    )
    problems = bad_args(service=broken, namespace="team", production=True)
    assert problems == [
        'service.resources.requests.cpu: must not exceed limits.cpu (250m) (got "500m")',
        "service.autoscaling.maxReplicas: must be >= minReplicas (5) (got 2)",
        'service.disruption: set exactly one of maxUnavailable or minAvailable (got "maxUnavailable, minAvailable")',
        "service.env.GOMEMLIMIT: derived by warmstart from limits; remove it",
        "service.image: production stacks pin images by digest (...@sha256:<64 hex>) "
        '(got "registry.local/warmstart/hello:latest")',
    ]


def test_one_error_names_every_problem_and_nothing_is_registered():
    def program():
        GoService(
            "hello", GoServiceArgs(service=service(startup={"budgetSeconds": -3}), namespace="t")
        )

    with pytest.raises(ConfigError) as raised:
        registered(program)
    assert str(raised.value) == (
        "invalid GoService hello args, 1 problem:\n"
        "  - service.startup.budgetSeconds: must be > 0 (got -3)"
    )


def test_the_image_the_pods_run_is_checked_when_it_is_text():
    pinned = f"registry.local/warmstart/hello@{DIGEST}"
    assert bad_args(service=service(image=pinned), namespace="t", image="not a ref!") == [
        'image: not an image reference (got "not a ref!")'
    ]
    assert bad_args(
        service=service(image=pinned, autoscaling={"minReplicas": 2, "maxReplicas": 4}),
        namespace="t",
        image="registry.local/warmstart/hello:1.0",
        production=True,
    ) == [
        "image: production stacks pin images by digest (...@sha256:<64 hex>) "
        '(got "registry.local/warmstart/hello:1.0")'
    ]
    no_image = {key: value for key, value in service().items() if key != "image"}
    assert bad_args(service=no_image, namespace="t") == [
        "image: required: give image, or service.image"
    ]
