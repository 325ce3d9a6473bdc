"""GoService under the mock runtime: what reaches the provider, value by value."""

from tests.conftest import run, service, stack_values
from warmstart.components.service.spec import termination_grace_seconds

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def container(run_result, name):
    spec = run_result.get(DEPLOYMENT, name).inputs["spec"]
    return spec["template"]["spec"]["containers"][0]


def test_registers_one_component_with_six_children(local_like):
    component = local_like.get("warmstart:kubernetes:GoService", "hello")
    children = sorted(r.type for r in local_like.resources if r.parent == component.urn)
    assert children == [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:policy/v1:PodDisruptionBudget",
    ]


def test_provider_flows_in_through_options(local_like):
    provider = local_like.get("pulumi:providers:kubernetes", "kubernetes")
    assert provider.parent == local_like.get("warmstart:cluster:Cluster", "cluster").urn
    # kubeconfig is set empty on purpose: $KUBECONFIG must not leak into a render.
    assert provider.inputs == {"kubeconfig": "", "renderYamlToDirectory": "rendered/manifests"}
    kubernetes_objects = [r for r in local_like.resources if r.type.startswith("kubernetes:")]
    assert len(kubernetes_objects) == 14  # namespace, its default deny, 6 per service
    assert {r.provider for r in kubernetes_objects} == {provider.urn}


def test_http_probes_are_derived_from_the_budget(local_like):
    hello = container(local_like, "hello")
    assert "startupProbe" not in hello  # it would hold readiness back by one period
    assert hello["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert hello["readinessProbe"] == {
        "httpGet": {"path": "/readyz", "port": "http"},
        "periodSeconds": 1,
        "timeoutSeconds": 1,
        "failureThreshold": 2,
        "successThreshold": 1,
    }
    assert hello["livenessProbe"] == {
        "httpGet": {"path": "/livez", "port": "http"},
        "initialDelaySeconds": 5,
        "periodSeconds": 10,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
        "successThreshold": 1,
    }


def test_grpc_probes_use_port_numbers_and_service_names(local_like):
    ledger = container(local_like, "ledger")
    assert ledger["readinessProbe"]["grpc"] == {"port": 9090, "service": "readiness"}
    assert ledger["livenessProbe"]["initialDelaySeconds"] == 45
    assert ledger["livenessProbe"]["grpc"] == {"port": 9090, "service": "liveness"}
    assert ledger["ports"] == [{"name": "grpc", "containerPort": 9090, "protocol": "TCP"}]


def test_tcp_probes_connect_to_the_named_port():
    proxy = service(name="proxy", port=7000, startup={"budgetSeconds": 10, "probe": "tcp"})
    result = run(stack_values(proxy))
    probe = container(result, "proxy")["readinessProbe"]
    assert probe["tcpSocket"] == {"port": "tcp"}
    ports = result.get("kubernetes:core/v1:Service", "proxy").inputs["spec"]["ports"]
    assert ports == [{"name": "tcp", "port": 80, "targetPort": "tcp", "protocol": "TCP"}]


def test_go_runtime_matches_limits(local_like):
    env = {item["name"]: item["value"] for item in container(local_like, "ledger")["env"]}
    assert env == {
        "GOMAXPROCS": "2",
        "GOMEMLIMIT": "460MiB",
        "PORT": "9090",
        "SHUTDOWN_TIMEOUT": "30s",
    }
    assert container(local_like, "ledger")["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1500m", "memory": "512Mi"},
    }


def test_user_env_comes_first_and_sorted():
    result = run(stack_values(service(env={"ZONE": "a", "LOG_LEVEL": "debug"})))
    names = [item["name"] for item in container(result, "hello")["env"]]
    assert names == ["LOG_LEVEL", "ZONE", "GOMAXPROCS", "GOMEMLIMIT", "PORT", "SHUTDOWN_TIMEOUT"]


def test_graceful_shutdown(local_like):
    pod = local_like.get(DEPLOYMENT, "ledger").inputs["spec"]["template"]["spec"]
    assert pod["containers"][0]["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}
    assert pod["terminationGracePeriodSeconds"] == 40 == termination_grace_seconds(5, 30)


def test_rollout_spread_and_replicas(local_like):
    deployment = local_like.get(DEPLOYMENT, "hello")
    spec = deployment.inputs["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"},
    }
    assert spec["selector"] == {"matchLabels": {"app.kubernetes.io/name": "hello"}}
    spread = spec["template"]["spec"]["topologySpreadConstraints"]
    assert [(c["topologyKey"], c["whenUnsatisfiable"]) for c in spread] == [
        ("topology.kubernetes.io/zone", "ScheduleAnyway"),
        ("kubernetes.io/hostname", "ScheduleAnyway"),
    ]
    # The HPA owns the count after creation; the ServiceAccount exists before any pod.
    assert deployment.ignore_changes == ("spec.replicas",)
    account = local_like.get("kubernetes:core/v1:ServiceAccount", "hello")
    assert account.urn in deployment.depends_on


def test_production_spreads_hard_over_zones():
    pinned = service(
        image="repo/hello@sha256:" + "0" * 64, autoscaling={"minReplicas": 3, "maxReplicas": 5}
    )
    result = run(stack_values(pinned, production=True, cluster={"mode": "existing"}))
    spread = result.get(DEPLOYMENT, "hello").inputs["spec"]["template"]["spec"][
        "topologySpreadConstraints"
    ]
    assert spread[0]["whenUnsatisfiable"] == "DoNotSchedule"
    assert result.get(DEPLOYMENT, "hello").inputs["spec"]["replicas"] == 3
    assert result.get("kubernetes:core/v1:Namespace", "warmstart").protect is True


def test_security_context(local_like):
    pod = local_like.get(DEPLOYMENT, "hello").inputs["spec"]["template"]["spec"]
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["automountServiceAccountToken"] is False
    assert pod["containers"][0]["imagePullPolicy"] == "IfNotPresent"


def test_token_automount_only_when_asked():
    result = run(stack_values(service(automountServiceAccountToken=True)))
    account = result.get("kubernetes:core/v1:ServiceAccount", "hello")
    assert account.inputs["automountServiceAccountToken"] is True


def test_pdb_and_hpa(local_like):
    pdb = local_like.get("kubernetes:policy/v1:PodDisruptionBudget", "hello").inputs["spec"]
    assert pdb == {
        "selector": {"matchLabels": {"app.kubernetes.io/name": "hello"}},
        "maxUnavailable": 1,
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }
    hpa = local_like.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "hello")
    assert hpa.inputs["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "hello",
    }
    assert (hpa.inputs["spec"]["minReplicas"], hpa.inputs["spec"]["maxReplicas"]) == (1, 3)
    target = hpa.inputs["spec"]["metrics"][0]["resource"]["target"]
    assert target == {"type": "Utilization", "averageUtilization": 70}


def test_min_available_budget():
    result = run(stack_values(service(disruption={"minAvailable": "50%"})))
    pdb = result.get("kubernetes:policy/v1:PodDisruptionBudget", "hello").inputs["spec"]
    assert pdb["minAvailable"] == "50%"
    assert "maxUnavailable" not in pdb


def test_stack_outputs(local_like):
    assert local_like.outputs["clusterMode"] == "render"
    assert local_like.outputs["services"]["ledger"] == {
        "image": "registry.local/warmstart/hello:dev",
        "service": "ledger",
        "unstartedRestartSeconds": 75,
        "worstCaseRestartSeconds": 32,
    }


def test_existing_cluster_kubeconfig_stays_secret():
    values = stack_values(
        cluster={"mode": "existing", "context": "dev"}, kubeconfig={"secure": "v1:x"}
    )
    provider = run(values).get("pulumi:providers:kubernetes", "kubernetes")
    assert provider.inputs == {"kubeconfig": "[secret]", "context": "dev"}


def test_the_namespace_denies_ingress_and_each_service_admits_its_port(local_like):
    deny = local_like.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny-ingress")
    assert deny.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    ledger = local_like.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "ledger")
    assert ledger.inputs["spec"] == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ledger"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"port": 9090, "protocol": "TCP"}]}],
    }
