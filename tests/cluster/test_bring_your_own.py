"""A network and a cluster the team already runs: eks mode in an existing VPC, and an
existing EKS cluster looked up by name, with the mirror, routing and fallbacks on top."""

import functools

from tests.conftest import config_problems, run, service, stack_values
from tests.routed import AWS, EKS, HELLO

VPC = "vpc-0a1b2c3d4e5f60718"
PRIVATE = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
PUBLIC = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]
GIVEN = {
    "vpcId": VPC,
    "cidr": "10.40.0.0/16",
    "privateSubnetIds": PRIVATE,
    "publicSubnetIds": PUBLIC,
}
LOOKUP = "aws:eks/getCluster:getCluster"
EXISTING = {"mode": "existing", "name": "platform", "network": GIVEN}
ROUTING = {"enabled": True}
NETWORK_TYPES = {
    f"aws:ec2/{kind}"
    for kind in (
        "vpc:Vpc",
        "subnet:Subnet",
        "natGateway:NatGateway",
        "eip:Eip",
        "internetGateway:InternetGateway",
        "routeTable:RouteTable",
        "vpcEndpoint:VpcEndpoint",
    )
}


@functools.cache
def in_existing_vpc():
    values = stack_values(
        HELLO, aws=AWS, cluster={**EKS, "network": GIVEN}, routing=ROUTING, mirror={"enabled": True}
    )
    return run(values)


@functools.cache
def on_existing_cluster(**controller):
    cluster = {**EXISTING, **({"loadBalancerController": controller} if controller else {})}
    values = stack_values(HELLO, aws=AWS, cluster=cluster, routing=ROUTING)
    return run(values)


def types(result) -> set[str]:
    return {r.type for r in result.resources}


def test_an_existing_vpc_is_used_as_it_is():
    result = in_existing_vpc()
    assert not NETWORK_TYPES & types(result)
    assert "warmstart:aws:Network" not in types(result)
    control_plane = result.get("aws:eks/cluster:Cluster", "cluster").inputs
    assert control_plane["vpcConfig"]["subnetIds"] == PRIVATE
    for group in result.of_type("aws:eks/nodeGroup:NodeGroup"):
        assert group.inputs["subnetIds"] == PRIVATE
    alb = result.get("aws:lb/loadBalancer:LoadBalancer", "routing-alb").inputs
    assert alb["subnets"] == PUBLIC
    assert result.get("aws:ec2/securityGroup:SecurityGroup", "routing-alb").inputs["vpcId"] == VPC
    assert (
        result.get("aws:ecs/service:Service", "fargate-hello").inputs["networkConfiguration"][
            "subnets"
        ]
        == PRIVATE
    )
    exported = result.outputs["cluster"]
    assert (exported["vpcId"], exported["publicSubnetIds"]) == (VPC, PUBLIC)


def test_the_controller_in_an_existing_vpc_is_told_that_vpc():
    release = in_existing_vpc().get(
        "kubernetes:helm.sh/v3:Release", "cluster-load-balancer-controller"
    )
    assert release.inputs["values"]["vpcId"] == VPC


def test_an_existing_cluster_is_looked_up_not_created():
    result = on_existing_cluster()
    assert not {t for t in types(result) if t.startswith("aws:eks/")}
    assert "warmstart:aws:Network" not in types(result)
    provider = result.get("pulumi:providers:kubernetes", "kubernetes")
    assert provider.inputs["kubeconfig"] == "[secret]"
    exported = result.outputs["cluster"]
    assert exported["name"] == "platform"
    assert exported["endpoint"] == f"<known after apply: {LOOKUP} platform.endpoint>"
    assert "nodeRoleArn" not in exported  # its nodes are not warmstart's


def test_routing_and_fallbacks_run_on_an_existing_cluster():
    result = on_existing_cluster()
    alb = result.get("aws:lb/loadBalancer:LoadBalancer", "routing-alb").inputs
    assert alb["subnets"] == PUBLIC
    ingress = result.get(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "routing-pods-8080"
    )
    group = f"<known after apply: {LOOKUP} platform.vpcConfig.clusterSecurityGroupId>"
    assert ingress.inputs["securityGroupId"] == group
    binding = result.get(
        "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "routing-hello-pods"
    )
    assert binding.inputs["spec"]["serviceRef"]["name"] == "hello"
    assert {"aws:ecs/service:Service", "aws:lambda/function:Function"} <= types(result)


def test_the_controller_is_installed_into_an_existing_cluster_only_when_asked():
    assert "kubernetes:helm.sh/v3:Release" not in types(on_existing_cluster())
    asked = on_existing_cluster(enabled=True)
    release = asked.get("kubernetes:helm.sh/v3:Release", "cluster-load-balancer-controller")
    assert (
        release.inputs["values"]["vpcId"]
        == f"<known after apply: {LOOKUP} platform.vpcConfig.vpcId>"
    )
    assert release.inputs["values"]["clusterName"] == "platform"
    # Its nodes carry no warmstart label: a selector would leave both replicas Pending.
    assert release.inputs["values"]["nodeSelector"] == {}


def test_the_fallback_tasks_share_the_existing_nodes_architecture():
    cluster = {**EXISTING, "amiType": "AL2023_x86_64_STANDARD"}
    result = run(stack_values(HELLO, aws=AWS, cluster=cluster, routing=ROUTING))
    task = result.get("aws:ecs/taskDefinition:TaskDefinition", "fargate-hello").inputs
    assert task["runtimePlatform"]["cpuArchitecture"] == "X86_64"


def test_a_given_vpc_refuses_what_only_a_created_one_has():
    network = {
        **GIVEN,
        "availabilityZones": ["eu-west-1a", "eu-west-1b"],
        "privateSubnetIds": PRIVATE[:1],
    }
    values = stack_values(HELLO, aws=AWS, cluster={**EKS, "network": network}, routing=ROUTING)
    assert config_problems(values) == [
        "warmstart:cluster.network.availabilityZones: only for a VPC warmstart creates; remove it"
        " with vpcId",
        "warmstart:cluster.network.privateSubnetIds: required with vpcId: at least two subnets,"
        " in two zones (EKS needs both)",
    ]


def test_a_created_vpc_refuses_subnet_ids_and_needs_zones():
    network = {"cidr": "10.20.0.0/16", "publicSubnetIds": PUBLIC}
    values = stack_values(HELLO, aws=AWS, cluster={**EKS, "network": network}, routing=ROUTING)
    assert config_problems(values) == [
        "warmstart:cluster.network.publicSubnetIds: only with vpcId (an existing VPC)",
        "warmstart:cluster.network.availabilityZones: required: two or three zones (or give vpcId)",
    ]


def test_an_existing_cluster_needs_its_name_its_account_and_a_given_vpc():
    unnamed = {"mode": "existing", "network": GIVEN}
    assert config_problems(stack_values(service(), aws=AWS, cluster=unnamed)) == [
        "warmstart:cluster.network: with cluster.mode existing, only for an EKS cluster:"
        " set cluster.name",
    ]
    no_account = stack_values(service(), cluster={"mode": "existing", "name": "platform"})
    assert config_problems(no_account) == [
        "warmstart:cluster.name: an existing EKS cluster is looked up in warmstart:aws: set it",
    ]
    created = {**EXISTING, "network": {"availabilityZones": ["eu-west-1a", "eu-west-1b"]}}
    assert config_problems(stack_values(service(), aws=AWS, cluster=created)) == [
        "warmstart:cluster.network.vpcId: required with cluster.mode existing: the cluster's VPC,"
        " used as it is",
    ]
    node_groups = {
        **EXISTING,
        "spotNodes": {"instanceTypes": ["m7g.large"], "minSize": 0, "desiredSize": 0, "maxSize": 1},
    }
    assert config_problems(stack_values(service(), aws=AWS, cluster=node_groups)) == [
        "warmstart:cluster.spotNodes: only used with cluster.mode eks",
    ]


def test_routing_on_an_existing_cluster_needs_its_network():
    cluster = {"mode": "existing", "name": "platform"}
    assert config_problems(stack_values(HELLO, aws=AWS, cluster=cluster, routing=ROUTING)) == [
        "warmstart:routing.enabled: the load balancer needs an EKS cluster: cluster.mode eks, or"
        " existing with name and network (vpcId, cidr, subnets) (got true)",
    ]


def test_a_given_vpc_needs_its_cidr_and_an_existing_cluster_refuses_irsa():
    no_cidr = {key: value for key, value in GIVEN.items() if key != "cidr"}
    values = stack_values(HELLO, aws=AWS, cluster={**EKS, "network": no_cidr}, routing=ROUTING)
    assert config_problems(values) == [
        "warmstart:cluster.network.cidr: required with vpcId: the VPC's primary range, the only"
        " destination the load balancer sends to",
    ]
    irsa = {**EXISTING, "loadBalancerController": {"enabled": True, "identity": "irsa"}}
    assert config_problems(stack_values(HELLO, aws=AWS, cluster=irsa, routing=ROUTING)) == [
        "warmstart:cluster.loadBalancerController.identity: irsa creates the cluster's IAM OIDC"
        " provider, which an existing cluster that uses IRSA already has (IAM allows one per"
        ' issuer): use pod-identity (got "irsa")',
    ]
