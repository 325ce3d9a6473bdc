"""A stack with the registry mirror and prewarm on, as mirror and prewarm tests build it."""

import functools

from tests.conftest import run, service, stack_values

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


DAEMONSET = "kubernetes:apps/v1:DaemonSet"


CREDENTIALS = {"secure": "v1:ciphertext"}


def mirrored_stack(*services, **overrides):
    values = dict(
        aws={"accountId": "123456789012", "region": "eu-west-1"},
        mirror={"enabled": True, "upstreams": ["ecr-public", "k8s", "quay", "docker-hub"]},
        dockerHubCredentials=CREDENTIALS,
        prewarm={
            "enabled": True,
            "sleepImage": f"{REGISTRY}/warmstart/sleep:1",
            "extraImages": ["registry.k8s.io/pause:3.10"],
        },
    )
    values.update(overrides)
    return stack_values(*services, **values)


@functools.cache
def mirrored_run():
    return run(
        mirrored_stack(
            service(name="hello", image="nginx:1.27"),
            service(name="api", image=f"{REGISTRY}/warmstart/api:2"),
            service(name="proxy", image="quay.io/acme/proxy@sha256:" + "a" * 64),
        )
    )


def deployment_images(result):
    return {
        r.name: r.inputs["spec"]["template"]["spec"]["containers"][0]["image"]
        for r in result.of_type("kubernetes:apps/v1:Deployment")
    }


def prewarm_images(result):
    # DaemonSets by name: the mock runtime does not promise registration order
    return [
        c["image"]
        for r in sorted(result.of_type(DAEMONSET), key=lambda r: r.name)
        for c in r.inputs["spec"]["template"]["spec"]["containers"]
    ]
