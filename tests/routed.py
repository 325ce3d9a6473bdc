"""A routed stack (EKS, ALB, both fallbacks) as routing and fallback tests build it."""

import functools

from tests.conftest import DIGEST, PINNED_ADDONS, run, service, stack_values

AWS = {"accountId": "123456789012", "region": "eu-west-1"}
EKS = {
    "mode": "eks",
    "name": "demo",
    "adminRoleArns": ["arn:aws:iam::123456789012:role/platform-admins"],
    "network": {"cidr": "10.20.0.0/16", "availabilityZones": ["eu-west-1a", "eu-west-1b"]},
}
CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
HELLO = service(
    routes={"hosts": ["hello.example.com"], "paths": ["/v1/*"]},
    fallback={
        "fargate": {
            "enabled": True,
            "cpu": 512,
            "memoryMib": 1024,
            "standbyTasks": 0,
            "failoverTasks": 2,
        },
        "lambda": {
            "enabled": True,
            "memoryMb": 512,
            "reservedConcurrency": 10,
            "provisionedConcurrency": 2,
        },
    },
)


def routed_stack(*services, **overrides):
    values = {"aws": AWS, "cluster": EKS, "routing": {"enabled": True}}
    values.update(overrides)
    return stack_values(*(services or (HELLO,)), **values)


@functools.cache
def dev_run():
    return run(routed_stack())


@functools.cache
def prod_run():
    pinned = {**HELLO, "image": "repo/hello@" + DIGEST, "autoscaling": {"minReplicas": 2}}
    routing = {
        "enabled": True,
        "certificateArn": CERT,
        "weights": {"kubernetes": 90, "fargate": 10, "lambda": 0},
    }
    return run(
        routed_stack(
            pinned,
            production=True,
            routing=routing,
            cluster={
                **EKS,
                "adminRoleArns": ["arn:aws:iam::123456789012:role/admins"],
                "endpoint": {"publicCidrs": ["198.51.100.0/24"]},
                "addonVersions": PINNED_ADDONS,
            },
        )
    )


def by_name(result, type_):
    return {r.name: r for r in result.of_type(type_)}
