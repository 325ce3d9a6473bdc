"""Each guardrail on a violating resource, and every rendered stack passing all of them."""

import json

import pytest

from policy.rules import RULES, Resource
from warmstart.components.config import parse_config
from warmstart.examples import STACK, examples
from warmstart.harness import run_stack
from warmstart.stackfile import available_stacks, read_stack_config

DIGEST = "@sha256:" + "ab" * 32
PRODUCTION = {"production": True}


def problems(name, resource, config=None):
    return list(RULES[name][1](resource, config or {}))


def deployment(image="r.example/app:1.0", **container):
    spec = {"containers": [{"name": "app", "image": image, **container}]}
    return Resource("kubernetes:apps/v1:Deployment", "app", {"spec": {"template": {"spec": spec}}})


PROBES = {"readinessProbe": {"httpGet": {"port": 80}}, "livenessProbe": {"httpGet": {"port": 80}}}


@pytest.mark.parametrize("image", ["r.example/app", "r.example/app:latest", "localhost:5000/app"])
def test_no_latest_tags(image):
    assert problems("no-latest-tags", deployment(image)) == [
        f"app/app: image {image} has no version: use a tag or a digest, never latest"
    ]
    assert problems("no-latest-tags", deployment("localhost:5000/app:1.2")) == []


def test_task_definitions_are_checked_too():
    task = Resource(
        "aws:ecs/taskDefinition:TaskDefinition",
        "t",
        {"containerDefinitions": json.dumps([{"name": "c", "image": "r/app:latest"}])},
    )
    assert len(problems("no-latest-tags", task)) == 1


def test_images_by_digest_only_in_production():
    assert problems("images-by-digest", deployment()) == []
    assert problems("images-by-digest", deployment(), PRODUCTION) == [
        "app/app: production runs images by digest, not r.example/app:1.0"
    ]
    assert problems("images-by-digest", deployment("r.example/app" + DIGEST), PRODUCTION) == []


@pytest.mark.parametrize(
    ("vpc", "found"),
    [
        ({}, True),
        ({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}, True),
        ({"endpointPublicAccess": True, "publicAccessCidrs": ["198.51.100.0/24"]}, False),
        ({"endpointPublicAccess": False}, False),
    ],
)
def test_api_endpoint_not_open(vpc, found):
    cluster = Resource("aws:eks/cluster:Cluster", "c", {"vpcConfig": vpc})
    assert bool(problems("api-endpoint-not-open", cluster)) == found


def test_imdsv2_and_encryption_of_launch_templates():
    template = Resource(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt",
        {
            "metadataOptions": {"httpTokens": "optional"},
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}],
        },
    )
    assert problems("imdsv2-required", template) == [
        "lt: metadataOptions.httpTokens is 'optional': require IMDSv2"
    ]
    assert problems("encrypted", template) == ["lt: volume /dev/xvda is not encrypted"]


def test_encryption_of_cluster_secrets_and_queues():
    assert problems("encrypted", Resource("aws:eks/cluster:Cluster", "c", {})) == [
        "c: Kubernetes secrets are not envelope-encrypted (encryptionConfig)"
    ]
    assert problems("encrypted", Resource("aws:sqs/queue:Queue", "q", {})) == [
        "q: the queue is not encrypted"
    ]
    assert (
        problems("encrypted", Resource("aws:sqs/queue:Queue", "q", {"sqsManagedSseEnabled": True}))
        == []
    )


def test_stateful_protected_in_production():
    key = Resource("aws:kms/key:Key", "k", {}, protect=False)
    assert problems("stateful-protected", key) == []
    assert problems("stateful-protected", key, PRODUCTION) == [
        "k: aws:kms/key:Key holds state and must be protected in production"
    ]
    assert (
        problems(
            "stateful-protected", Resource("aws:kms/key:Key", "k", {}, protect=True), PRODUCTION
        )
        == []
    )


@pytest.mark.parametrize(
    ("rule", "found"),
    [
        ({"cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443}, False),
        ({"cidrIpv4": "0.0.0.0/0", "fromPort": 22, "toPort": 22}, True),
        ({"cidrIpv6": "::/0", "fromPort": 0, "toPort": 65535}, True),
        ({"cidrIpv4": "10.0.0.0/8", "fromPort": 22, "toPort": 22}, False),
    ],
)
def test_no_open_ingress(rule, found):
    resource = Resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", rule)
    assert bool(problems("no-open-ingress", resource)) == found
    sources = (
        {"cidrBlocks": [rule["cidrIpv4"]]}
        if "cidrIpv4" in rule
        else {"ipv6CidrBlocks": [rule["cidrIpv6"]]}
    )
    ingress = {"fromPort": rule["fromPort"], "toPort": rule["toPort"], **sources}
    group = Resource("aws:ec2/securityGroup:SecurityGroup", "g", {"ingress": [ingress]})
    assert bool(problems("no-open-ingress", group)) == found


def test_probes_present():
    assert problems("probes-present", deployment(**PROBES)) == []
    assert problems("probes-present", deployment(readinessProbe={"tcpSocket": {"port": 1}})) == [
        "app/app: no livenessProbe: warmstart derives both from the start-up budget"
    ]


STACKS = [(name, None) for name in available_stacks()] + [
    (f"examples/{e.name}", e.directory) for e in examples()
]


@pytest.mark.parametrize(("name", "directory"), STACKS, ids=[name for name, _ in STACKS])
def test_every_rendered_stack_passes_every_guardrail(name, directory):
    stack = read_stack_config(STACK, directory) if directory else read_stack_config(name)
    production = parse_config(stack.values, stack.secret_keys).production
    found = [
        f"{rule}: {problem}"
        for registration in run_stack(stack).resources
        for rule, (_, check) in RULES.items()
        for problem in check(
            Resource(
                registration.type, registration.name, registration.inputs, registration.protect
            ),
            {"production": production},
        )
    ]
    assert found == []
