"""warmstart's guardrails as pure functions: (resource type, inputs, protect, config) -> problems.

The policy pack (`__main__.py`) hands each resource's inputs here, as the engine sends them
to the analyzer; the unit tests hand the same functions every resource of every rendered
stack. No rule imports the Pulumi SDK, so both run them unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

WORKLOADS = {
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:batch/v1:Job",
}
STATEFUL = {
    "aws:ecr/repository:Repository",
    "aws:kms/key:Key",
    "aws:eks/cluster:Cluster",
    "aws:ec2/vpc:Vpc",
    "kubernetes:core/v1:Namespace",
}
WORLD = {"0.0.0.0/0", "::/0"}
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    inputs: Mapping[str, Any]
    protect: bool = False


Rule = Callable[[Resource, Mapping[str, Any]], Iterator[str]]


def images(resource: Resource) -> Iterator[tuple[str, str]]:
    """(container name, image) of every container a resource runs."""
    if resource.type in WORKLOADS:
        spec = resource.inputs.get("spec", {}).get("template", {}).get("spec", {})
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            yield container.get("name", "?"), str(container.get("image", ""))
    elif resource.type == "aws:ecs/taskDefinition:TaskDefinition":
        definitions = resource.inputs.get("containerDefinitions", "[]")
        for container in json.loads(definitions) if isinstance(definitions, str) else definitions:
            yield container.get("name", "?"), str(container.get("image", ""))


def no_latest_tags(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    for container, image in images(resource):
        if _DIGEST.search(image) or image.startswith("<"):
            continue
        last = image.rsplit("/", 1)[-1]
        if ":" not in last or last.endswith(":latest"):
            yield (
                f"{resource.name}/{container}: image {image} has no version: "
                "use a tag or a digest, never latest"
            )


def images_by_digest(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if not config.get("production"):
        return
    for container, image in images(resource):
        if not _DIGEST.search(image) and not image.startswith("<"):
            yield f"{resource.name}/{container}: production runs images by digest, not {image}"


def api_endpoint_not_open(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type != "aws:eks/cluster:Cluster":
        return
    vpc = resource.inputs.get("vpcConfig", {})
    if vpc.get("endpointPublicAccess", True) is False:
        return
    cidrs = set(vpc.get("publicAccessCidrs") or ["0.0.0.0/0"])  # EKS's default is the world
    if cidrs & WORLD:
        yield (
            f"{resource.name}: the public API endpoint is open to {sorted(cidrs & WORLD)[0]}: "
            "list the deployers' CIDRs in publicAccessCidrs"
        )


def imdsv2_required(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type in ("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"):
        tokens = resource.inputs.get("metadataOptions", {}).get("httpTokens")
        if tokens != "required":
            yield f"{resource.name}: metadataOptions.httpTokens is {tokens!r}: require IMDSv2"


def encrypted(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    inputs = resource.inputs
    if resource.type == "aws:ec2/launchTemplate:LaunchTemplate":
        for mapping in inputs.get("blockDeviceMappings", []):
            if str(mapping.get("ebs", {}).get("encrypted", "false")).lower() != "true":
                yield f"{resource.name}: volume {mapping.get('deviceName', '?')} is not encrypted"
    elif resource.type == "aws:eks/cluster:Cluster" and not inputs.get("encryptionConfig"):
        yield f"{resource.name}: Kubernetes secrets are not envelope-encrypted (encryptionConfig)"
    elif resource.type == "aws:sqs/queue:Queue" and not (
        inputs.get("sqsManagedSseEnabled") or inputs.get("kmsMasterKeyId")
    ):
        yield f"{resource.name}: the queue is not encrypted"


def stateful_protected(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if config.get("production") and resource.type in STATEFUL and not resource.protect:
        yield f"{resource.name}: {resource.type} holds state and must be protected in production"


def no_open_ingress(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    allowed = set(config.get("listenerPorts", [80, 443]))
    rules: list[Mapping[str, Any]] = []
    if resource.type == "aws:ec2/securityGroup:SecurityGroup":
        rules = resource.inputs.get("ingress", [])
    elif resource.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        rules = [resource.inputs]
    for rule in rules:
        sources = {*rule.get("cidrBlocks", []), *rule.get("ipv6CidrBlocks", [])}
        sources |= {rule.get("cidrIpv4"), rule.get("cidrIpv6")} - {None}
        ports = set(range(int(rule.get("fromPort", 0)), int(rule.get("toPort", 65535)) + 1))
        if sources & WORLD and not ports <= allowed:
            shown = f"{rule.get('fromPort')}-{rule.get('toPort')}"
            yield (
                f"{resource.name}: ingress from the internet on ports {shown}; "
                f"only {sorted(allowed)} may be open"
            )


def probes_present(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type != "kubernetes:apps/v1:Deployment":
        return
    for container in (
        resource.inputs.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    ):
        missing = [
            probe for probe in ("readinessProbe", "livenessProbe") if not container.get(probe)
        ]
        if missing:
            yield (
                f"{resource.name}/{container.get('name', '?')}: no {' or '.join(missing)}: "
                "warmstart derives both from the start-up budget"
            )


# name -> (description, rule)
RULES: dict[str, tuple[str, Rule]] = {
    "no-latest-tags": ("Every image names a version or a digest, never latest.", no_latest_tags),
    "images-by-digest": (
        "Production runs images by digest (config: production).",
        images_by_digest,
    ),
    "api-endpoint-not-open": (
        "The EKS public endpoint is limited to listed CIDRs.",
        api_endpoint_not_open,
    ),
    "imdsv2-required": ("Instances require IMDSv2 tokens.", imdsv2_required),
    "encrypted": ("Volumes, Kubernetes secrets and queues are encrypted.", encrypted),
    "stateful-protected": (
        "Stateful resources are protected in production (config: production).",
        stateful_protected,
    ),
    "no-open-ingress": ("No ingress from the internet except the listener ports.", no_open_ingress),
    "probes-present": (
        "Every Deployment container has readiness and liveness probes.",
        probes_present,
    ),
}
