"""Which input changes make the provider replace a resource instead of updating it.

Offline, the render cannot ask the provider; this table holds the inputs that force a
replacement (the providers' "forces new resource" / immutable fields) for the types whose
replacement a reviewer must see. `pulumi preview` remains the authority where it can run.
"""

from __future__ import annotations

import re

# type -> dotted input paths (a prefix matches everything below it)
FORCE_NEW: dict[str, tuple[str, ...]] = {
    "aws:eks/cluster:Cluster": (
        "name",
        "roleArn",
        "encryptionConfig",
        "kubernetesNetworkConfig",
        "bootstrapSelfManagedAddons",
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        "clusterName",
        "nodeGroupName",
        "nodeGroupNamePrefix",
        "nodeRoleArn",
        "subnetIds",
        "instanceTypes",
        "capacityType",
        "amiType",
        "diskSize",
        "remoteAccess",
    ),
    "aws:ec2/vpc:Vpc": ("cidrBlock", "instanceTenancy"),
    "aws:ec2/subnet:Subnet": ("vpcId", "cidrBlock", "availabilityZone"),
    "aws:ec2/natGateway:NatGateway": ("subnetId", "allocationId", "connectivityType"),
    "aws:ec2/securityGroup:SecurityGroup": ("name", "namePrefix", "vpcId", "description"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpcId", "serviceName", "vpcEndpointType"),
    "aws:lb/loadBalancer:LoadBalancer": ("name", "namePrefix", "internal", "loadBalancerType"),
    "aws:lb/targetGroup:TargetGroup": (
        "name",
        "namePrefix",
        "port",
        "protocol",
        "targetType",
        "vpcId",
    ),
    "aws:lb/listener:Listener": ("loadBalancerArn",),
    "aws:lb/listenerRule:ListenerRule": ("listenerArn",),
    "aws:lambda/function:Function": ("name",),
    "aws:ecr/repository:Repository": ("name", "encryptionConfigurations"),
    "aws:ecs/taskDefinition:TaskDefinition": ("",),  # every change is a new revision
    "aws:ecs/service:Service": ("name", "cluster", "launchType"),
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:iam/policy:Policy": ("name", "namePrefix", "path", "description"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage"),
    "aws:cloudwatch/logGroup:LogGroup": ("name",),
    "aws:sqs/queue:Queue": ("name", "fifoQueue"),
    "aws:ssm/parameter:Parameter": ("name",),
    "kubernetes:apps/v1:Deployment": ("metadata.name", "metadata.namespace", "spec.selector"),
    "kubernetes:apps/v1:DaemonSet": ("metadata.name", "metadata.namespace", "spec.selector"),
    "kubernetes:core/v1:Service": ("metadata.name", "metadata.namespace", "spec.clusterIP"),
    "kubernetes:core/v1:Namespace": ("metadata.name",),
    "kubernetes:policy/v1:PodDisruptionBudget": ("metadata.name", "metadata.namespace"),
}
KUBERNETES_IDENTITY = ("metadata.name", "metadata.namespace")


def _under(path: str, prefix: str) -> bool:
    return prefix in ("", path) or re.match(rf"^{re.escape(prefix)}[.\[]", path) is not None


def forces_replacement(type_: str, paths: list[str]) -> bool:
    prefixes = FORCE_NEW.get(type_)
    if prefixes is None and type_.startswith("kubernetes:"):
        prefixes = KUBERNETES_IDENTITY
    return any(_under(path, prefix) for path in paths for prefix in prefixes or ())
