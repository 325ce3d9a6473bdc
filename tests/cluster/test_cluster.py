"""The Cluster component's eks mode under the mock runtime, value by value."""

import base64
import copy
import json

import pytest
import yaml

from tests.conftest import (
    DIGEST,
    PINNED_ADDONS,
    config_problems,
    production_problems,
    run,
    service,
    stack_values,
)
from tests.iam_lint import findings
from warmstart.components.config import ConfigError, parse_config
from warmstart.stackfile import config_from_mapping

AWS = {"accountId": "123456789012", "region": "eu-west-1"}
ADMIN = "arn:aws:iam::123456789012:role/platform-admins"
EKS = {
    "mode": "eks",
    "kubernetesVersion": "1.35",
    "name": "demo",
    "network": {
        "cidr": "10.20.0.0/16",
        "availabilityZones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    },
    "adminRoleArns": [ADMIN],
}


def eks_stack(cluster=None, **overrides):
    values = {"aws": AWS, "cluster": cluster or EKS, "mirror": {"enabled": True}}
    values.update(overrides)
    return stack_values(service(), **values)


@pytest.fixture(scope="module")
def dev():
    return run(eks_stack())


@pytest.fixture(scope="module")
def prod():
    pinned = service(image="repo/hello@" + DIGEST, autoscaling={"minReplicas": 2})
    deployers = {
        **EKS,
        "endpoint": {"publicCidrs": ["198.51.100.0/24"]},
        "addonVersions": PINNED_ADDONS,
    }
    return run(stack_values(pinned, aws=AWS, cluster=deployers, production=True))


def by_name(result, type_):
    return {r.name: r for r in result.of_type(type_)}


def test_subnets_follow_the_plan_and_carry_load_balancer_tags(dev):
    subnets = by_name(dev, "aws:ec2/subnet:Subnet")
    assert {name: s.inputs["cidrBlock"] for name, s in subnets.items()} == {
        "cluster-network-public-eu-west-1a": "10.20.192.0/20",
        "cluster-network-public-eu-west-1b": "10.20.208.0/20",
        "cluster-network-public-eu-west-1c": "10.20.224.0/20",
        "cluster-network-private-eu-west-1a": "10.20.0.0/18",
        "cluster-network-private-eu-west-1b": "10.20.64.0/18",
        "cluster-network-private-eu-west-1c": "10.20.128.0/18",
    }
    assert (
        subnets["cluster-network-public-eu-west-1a"].inputs["tags"]["kubernetes.io/role/elb"] == "1"
    )
    assert (
        subnets["cluster-network-private-eu-west-1b"].inputs["tags"][
            "kubernetes.io/role/internal-elb"
        ]
        == "1"
    )
    assert (
        subnets["cluster-network-private-eu-west-1b"].inputs["tags"]["kubernetes.io/cluster/demo"]
        == "shared"
    )
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets.values())


def test_nat_gateways_shared_outside_production_and_per_zone_in_it(dev, prod):
    assert sorted(by_name(dev, "aws:ec2/natGateway:NatGateway")) == [
        "cluster-network-nat-eu-west-1a"
    ]
    assert sorted(by_name(prod, "aws:ec2/natGateway:NatGateway")) == [
        "cluster-network-nat-eu-west-1a",
        "cluster-network-nat-eu-west-1b",
        "cluster-network-nat-eu-west-1c",
    ]
    routes = by_name(dev, "aws:ec2/routeTable:RouteTable")[
        "cluster-network-private-eu-west-1c"
    ].inputs["routes"]
    assert routes == [
        {
            "cidrBlock": "0.0.0.0/0",
            "natGatewayId": "<known after apply: aws:ec2/natGateway:NatGateway cluster-network-nat-eu-west-1a.id>",
        }
    ]


def test_vpc_endpoints_keep_image_pulls_off_the_nat(dev):
    endpoints = by_name(dev, "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert {
        name: (e.inputs["serviceName"], e.inputs["vpcEndpointType"])
        for name, e in endpoints.items()
    } == {
        "cluster-network-s3": ("com.amazonaws.eu-west-1.s3", "Gateway"),
        "cluster-network-ecr-api": ("com.amazonaws.eu-west-1.ecr.api", "Interface"),
        "cluster-network-ecr-dkr": ("com.amazonaws.eu-west-1.ecr.dkr", "Interface"),
    }
    assert len(endpoints["cluster-network-s3"].inputs["routeTableIds"]) == 3
    assert endpoints["cluster-network-ecr-dkr"].inputs["privateDnsEnabled"] is True


def test_control_plane(dev):
    cluster = dev.get("aws:eks/cluster:Cluster", "cluster").inputs
    assert cluster["name"] == "demo"
    assert cluster["version"] == "1.35"
    assert cluster["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert cluster["encryptionConfig"] == {
        "provider": {"keyArn": "<known after apply: aws:kms/key:Key cluster-secrets.arn>"},
        "resources": ["secrets"],
    }
    assert cluster["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["vpcConfig"]["endpointPublicAccess"] is True
    assert len(cluster["vpcConfig"]["subnetIds"]) == 3
    assert dev.get("aws:kms/key:Key", "cluster-secrets").inputs["enableKeyRotation"] is True


def test_production_protects_cluster_key_and_vpc_and_names_its_admins(prod):
    for type_, name in [
        ("aws:eks/cluster:Cluster", "cluster"),
        ("aws:kms/key:Key", "cluster-secrets"),
        ("aws:ec2/vpc:Vpc", "cluster-network-vpc"),
    ]:
        assert prod.get(type_, name).protect is True
    cluster = prod.get("aws:eks/cluster:Cluster", "cluster").inputs
    assert cluster["accessConfig"]["bootstrapClusterCreatorAdminPermissions"] is False
    assert cluster["deletionProtection"] is True


def test_access_entries_for_named_admins(dev):
    entry = dev.get("aws:eks/accessEntry:AccessEntry", "cluster-admin-0")
    assert (entry.inputs["principalArn"], entry.inputs["type"]) == (ADMIN, "STANDARD")
    association = dev.get(
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-admin-0"
    )
    assert (
        association.inputs["policyArn"]
        == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    )
    assert association.inputs["accessScope"] == {"type": "cluster"}
    assert entry.urn in association.depends_on


def test_node_groups(dev):
    groups = by_name(dev, "aws:eks/nodeGroup:NodeGroup")
    system, spot = groups["cluster-system"].inputs, groups["cluster-spot"].inputs
    assert (system["capacityType"], spot["capacityType"]) == ("ON_DEMAND", "SPOT")
    assert system["instanceTypes"] == ["m7g.large"]
    assert spot["instanceTypes"] == ["m7g.large", "m6g.large", "t4g.large"]
    assert spot["amiType"] == "AL2023_ARM_64_STANDARD"
    assert spot["scalingConfig"] == {"minSize": 0, "desiredSize": 2, "maxSize": 10}
    assert spot["labels"] == {"warmstart.dev/node-group": "spot"}
    # A prefix: a replacement (new instance types) is created before the old group goes.
    assert spot["nodeGroupNamePrefix"] == "demo-spot-"
    assert "nodeGroupName" not in spot
    assert (
        spot["launchTemplate"]["id"]
        == "<known after apply: aws:ec2/launchTemplate:LaunchTemplate cluster-spot.id>"
    )


def test_launch_templates_require_imdsv2_and_encrypt_gp3(dev):
    template = dev.get("aws:ec2/launchTemplate:LaunchTemplate", "cluster-spot").inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert template["blockDeviceMappings"] == [
        {
            "deviceName": "/dev/xvda",
            "ebs": {
                "volumeSize": 40,
                "volumeType": "gp3",
                "encrypted": "true",
                "deleteOnTermination": "true",
            },
        }
    ]
    user_data = base64.b64decode(template["userData"]).decode()
    body = user_data.split("Content-Type: application/node.eks.aws\n\n", 1)[1].split("\n--", 1)[0]
    assert yaml.safe_load(body)["spec"]["kubelet"]["config"] == {
        "serializeImagePulls": False,
        "maxParallelImagePulls": 5,
        "imageGCHighThresholdPercent": 85,
        "imageGCLowThresholdPercent": 75,
        "imageMinimumGCAge": "2m",
        "imageMaximumGCAge": "168h",
    }


def test_addons_wait_for_node_groups(dev):
    groups = {r.urn for r in dev.of_type("aws:eks/nodeGroup:NodeGroup")}
    addons = by_name(dev, "aws:eks/addon:Addon")
    assert sorted(addons) == [
        "cluster-coredns",
        "cluster-eks-pod-identity-agent",
        "cluster-kube-proxy",
        "cluster-metrics-server",  # HPAs scale on its metrics
        "cluster-vpc-cni",
    ]
    for addon in addons.values():
        assert groups <= set(addon.depends_on)
    assert "addonVersion" not in addons["cluster-coredns"].inputs


def test_addon_versions_from_config():
    cluster = {**EKS, "addonVersions": {"coredns": "v1.12.4-eksbuild.1"}}
    addon = run(eks_stack(cluster)).get("aws:eks/addon:Addon", "cluster-coredns")
    assert addon.inputs["addonVersion"] == "v1.12.4-eksbuild.1"


def test_node_role_gets_the_mirror_import_policy(dev):
    attachments = by_name(dev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    node = {
        name: a.inputs["policyArn"]
        for name, a in attachments.items()
        if name.startswith("cluster-nodes-")
    }
    assert node == {
        "cluster-nodes-AmazonEKSWorkerNodePolicy": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "cluster-nodes-AmazonEC2ContainerRegistryPullOnly": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "cluster-nodes-AmazonEKS_CNI_Policy": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "cluster-nodes-extra-0": "<known after apply: aws:iam/policy:Policy registry-mirror-node-pull-through.arn>",
    }


def test_load_balancer_controller_with_pod_identity(dev):
    association = dev.get(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation", "cluster-load-balancer-controller"
    )
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
        "kube-system",
        "aws-load-balancer-controller",
    )
    release = dev.get("kubernetes:helm.sh/v3:Release", "cluster-load-balancer-controller")
    assert release.inputs["chart"] == "aws-load-balancer-controller"
    assert release.inputs["repositoryOpts"] == {"repo": "https://aws.github.io/eks-charts"}
    assert release.inputs["values"]["enableServiceMutatorWebhook"] is False
    assert release.inputs["values"]["serviceAccount"]["annotations"] == {}
    assert association.urn in release.depends_on
    pod_identity_agent = dev.get("aws:eks/addon:Addon", "cluster-eks-pod-identity-agent")
    assert pod_identity_agent.urn in association.depends_on
    provider = dev.get("pulumi:providers:kubernetes", "kubernetes")
    assert release.provider == provider.urn
    assert provider.inputs == {"kubeconfig": "[secret]"}


def test_load_balancer_controller_with_irsa():
    cluster = {**EKS, "loadBalancerController": {"identity": "irsa"}}
    result = run(eks_stack(cluster))
    associations = result.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert [a.name for a in associations] == ["cluster-autoscaler"]
    oidc = result.get(
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "cluster-load-balancer-controller-oidc",
    )
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    role = result.get("aws:iam/role:Role", "cluster-load-balancer-controller")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"] == {
        "Federated": "<known after apply: aws:iam/openIdConnectProvider:OpenIdConnectProvider cluster-load-balancer-controller-oidc.arn>"
    }
    release = result.get("kubernetes:helm.sh/v3:Release", "cluster-load-balancer-controller")
    assert release.inputs["values"]["serviceAccount"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "<known after apply: aws:iam/role:Role cluster-load-balancer-controller.arn>"
    }


def test_every_identity_policy_written_passes_the_linter(dev):
    policies = {
        r.name: json.loads(r.inputs["policy"]) for r in dev.of_type("aws:iam/policy:Policy")
    }
    assert sorted(policies) == [
        "cluster-load-balancer-controller",
        "registry-mirror-node-pull-through",
    ]
    for name, policy in policies.items():
        real, _ = findings(policy)
        assert real == [], name


def test_cluster_autoscaler_discovers_and_resizes_only_this_clusters_node_groups(dev):
    release = dev.get("kubernetes:helm.sh/v3:Release", "cluster-autoscaler")
    values = release.inputs["values"]
    assert (release.inputs["chart"], release.inputs["namespace"]) == (
        "cluster-autoscaler",
        "kube-system",
    )
    assert release.inputs["repositoryOpts"] == {"repo": "https://kubernetes.github.io/autoscaler"}
    assert values["autoDiscovery"] == {"clusterName": "demo"}
    assert (values["awsRegion"], values["image"]) == ("eu-west-1", {"tag": "v1.35.0"})
    assert values["nodeSelector"] == {"warmstart.dev/node-group": "system"}
    assert values["extraArgs"]["expander"] == "least-waste"
    association = dev.get(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation", "cluster-autoscaler"
    )
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
        "kube-system",
        values["rbac"]["serviceAccount"]["name"],
    )
    assert association.urn in release.depends_on
    assert (
        dev.get("aws:eks/addon:Addon", "cluster-eks-pod-identity-agent").urn
        in association.depends_on
    )
    policy = json.loads(
        dev.get("aws:iam/rolePolicy:RolePolicy", "cluster-autoscaler").inputs["policy"]
    )
    resize = next(s for s in policy["Statement"] if s["Sid"] == "ResizeThisClustersGroups")
    assert resize["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/demo": "owned"}
    }
    assert findings(policy)[0] == []


def test_cluster_autoscaler_follows_the_kubernetes_minor_and_can_be_off():
    problems = config_problems(eks_stack({**EKS, "clusterAutoscaler": {"imageTag": "v1.34.2"}}))
    assert problems == [
        "warmstart:cluster.clusterAutoscaler.imageTag: the autoscaler's minor must match "
        'kubernetesVersion 1.35 (got "v1.34.2")'
    ]
    off = run(eks_stack({**EKS, "clusterAutoscaler": {"enabled": False}}))
    assert not [r for r in off.resources if r.name == "cluster-autoscaler"]


def test_stack_exports_cluster_outputs(dev):
    cluster = dev.outputs["cluster"]
    assert cluster["name"] == "demo"
    assert cluster["endpoint"] == "<known after apply: aws:eks/cluster:Cluster cluster.endpoint>"
    assert cluster["vpcId"] == "<known after apply: aws:ec2/vpc:Vpc cluster-network-vpc.id>"
    assert len(cluster["privateSubnetIds"]) == 3
    assert dev.outputs["kubeconfig"] == "[secret]"


# Inputs the AWS provider replaces a node group for (ForceNew in the provider's schema).
NODE_GROUP_REPLACING_INPUTS = (
    "amiType",
    "capacityType",
    "clusterName",
    "diskSize",
    "instanceTypes",
    "nodeGroupName",
    "nodeGroupNamePrefix",
    "nodeRoleArn",
    "remoteAccess",
    "subnetIds",
)


def test_changing_sizes_and_labels_is_an_update_not_a_replacement():
    resized = copy.deepcopy(EKS)
    resized["spotNodes"] = {
        "instanceTypes": ["m7g.large", "m6g.large", "t4g.large"],
        "minSize": 1,
        "desiredSize": 5,
        "maxSize": 20,
        "labels": {"tier": "batch"},
    }
    before = run(eks_stack()).get("aws:eks/nodeGroup:NodeGroup", "cluster-spot").inputs
    after = run(eks_stack(resized)).get("aws:eks/nodeGroup:NodeGroup", "cluster-spot").inputs
    assert before["scalingConfig"] != after["scalingConfig"]
    assert before["labels"] != after["labels"]
    for key in NODE_GROUP_REPLACING_INPUTS:
        assert before.get(key) == after.get(key), key


def test_the_autoscaler_owns_the_desired_size_once_a_group_exists(dev):
    for group in dev.of_type("aws:eks/nodeGroup:NodeGroup"):
        assert group.ignore_changes == ("scalingConfig.desiredSize",), group.name


def test_existing_mode_creates_no_cluster_resources():
    result = run(stack_values(service(), aws=AWS, cluster={"mode": "existing"}))
    assert not [r for r in result.resources if r.type.startswith(("aws:eks", "aws:ec2", "aws:kms"))]


def test_eks_config_rules():
    bad = {
        "mode": "eks",
        "network": {"cidr": "10.0.0.0/12", "availabilityZones": ["eu-west-1a", "us-east-1b"]},
        "adminRoleArns": ["admins"],
        "endpoint": {"public": False, "private": False},
        "spotNodes": {
            "instanceTypes": ["m7g.large", "m5.large"],
            "minSize": 3,
            "desiredSize": 1,
            "maxSize": 2,
        },
    }
    raw = config_from_mapping("t", stack_values(service(), aws=AWS, cluster=bad))
    with pytest.raises(ConfigError) as caught:
        parse_config(raw.values)
    assert [str(p) for p in caught.value.problems] == [
        'warmstart:cluster.network.cidr: must be an IPv4 network from /16 to /20 (got "10.0.0.0/12")',
        'warmstart:cluster.network.availabilityZones[1]: not a zone of eu-west-1 (got "us-east-1b")',
        'warmstart:cluster.adminRoleArns[0]: not an IAM role ARN (got "admins")',
        'warmstart:cluster.endpoint: public, private or both must be on (got "neither")',
        'warmstart:cluster.spotNodes: sizes must satisfy minSize <= desiredSize <= maxSize (got "3 / 1 / 2")',
        'warmstart:cluster.spotNodes.instanceTypes[1]: amiType needs Graviton (arm64) instance types (got "m5.large")',
        "warmstart:cluster.spotNodes.instanceTypes: spot capacity needs at least 3 distinct instance types "
        "(got ['m7g.large', 'm5.large'])",
    ]
    other = config_from_mapping(
        "t",
        stack_values(
            service(), cluster={"mode": "existing", "network": {"availabilityZones": ["a", "b"]}}
        ),
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(other.values)
    assert [str(p) for p in caught.value.problems] == [
        "warmstart:cluster.network: with cluster.mode existing, only for an EKS cluster:"
        " set cluster.name"
    ]


def cluster_problems(cluster, **overrides):
    raw = config_from_mapping("t", stack_values(service(), aws=AWS, cluster=cluster, **overrides))
    try:
        parse_config(raw.values)
    except ConfigError as error:
        return [str(problem) for problem in error.problems]
    return []


def test_access_is_only_ever_explicit():
    without_admins = {key: value for key, value in EKS.items() if key != "adminRoleArns"}
    assert cluster_problems(without_admins) == [
        "warmstart:cluster.adminRoleArns: required: cluster access is granted only through "
        "explicit access entries; name the roles that run pulumi up and operate the cluster"
    ]


def test_a_private_only_endpoint_needs_a_deployer_inside_the_vpc():
    private = {**EKS, "endpoint": {"public": False, "private": True}}
    assert cluster_problems(private) == [
        "warmstart:cluster.endpoint.public: a private-only endpoint is unreachable from the "
        "pulumi up that creates the VPC: keep it public with publicCidrs limited to your "
        "deployers, or set deployerInVpc where up runs inside the VPC (got false)"
    ]
    inside = {**EKS, "endpoint": {"public": False, "private": True, "deployerInVpc": True}}
    assert cluster_problems(inside) == []


def test_production_limits_the_public_endpoint_to_its_deployers():
    assert production_problems({**EKS, "addonVersions": PINNED_ADDONS}) == [
        "warmstart:cluster.endpoint.publicCidrs: production limits the public endpoint to its "
        "deployers' CIDRs (got ['0.0.0.0/0'])"
    ]


def test_the_kubernetes_provider_waits_for_the_admins_access(dev):
    provider = dev.get("pulumi:providers:kubernetes", "kubernetes")
    association = dev.get(
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-admin-0"
    )
    assert association.urn in provider.depends_on
    namespace = dev.get("kubernetes:core/v1:Namespace", "warmstart")
    assert namespace.provider == provider.urn


def test_workloads_wait_for_nodes_add_ons_and_the_controller(dev):
    # Every workload waits for the namespace; the namespace waits for what pods need.
    namespace = dev.get("kubernetes:core/v1:Namespace", "warmstart")
    controller = "warmstart:kubernetes:LoadBalancerController$kubernetes:helm.sh/v3:Release"
    waited = {
        r.urn
        for r in dev.resources
        if r.type in ("aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon")
        or r.urn.endswith(f"{controller}::cluster-load-balancer-controller")
    }
    assert len(waited) == 2 + 5 + 1
    assert waited <= set(namespace.depends_on)
    deployment = dev.get("kubernetes:apps/v1:Deployment", "hello")
    assert namespace.urn in deployment.depends_on


def test_the_control_plane_log_group_exists_first_and_expires(dev):
    logs = dev.get("aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane")
    assert logs.inputs == {"name": "/aws/eks/demo/cluster", "retentionInDays": 30}
    assert logs.urn in dev.get("aws:eks/cluster:Cluster", "cluster").depends_on


def test_the_controller_webhook_stays_on_on_demand_nodes(dev):
    release = dev.get("kubernetes:helm.sh/v3:Release", "cluster-load-balancer-controller")
    values = release.inputs["values"]
    assert values["nodeSelector"] == {"warmstart.dev/node-group": "system"}
    assert values["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert values["replicaCount"] == 2


def test_the_vpc_cni_enforces_network_policies(dev):
    cni = dev.get("aws:eks/addon:Addon", "cluster-vpc-cni")
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert "configurationValues" not in dev.get("aws:eks/addon:Addon", "cluster-coredns").inputs
