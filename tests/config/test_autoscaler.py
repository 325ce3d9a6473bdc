"""The Cluster Autoscaler's chart follows kubernetesVersion: a chart made for another minor
runs an autoscaler whose RBAC or informers do not match the cluster (1.35 watches
resource.k8s.io, granted only from chart 9.54.0), which runs healthy and never scales."""

import pytest

from tests.conftest import config_problems, run, service, stack_values
from tests.routed import AWS, EKS
from warmstart.components.config.autoscaler import CHART_APP_VERSIONS, minor, newest_chart

RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.mark.parametrize(
    ("kubernetes", "chart", "app"),
    [
        ("1.30", "9.37.0", "1.30.0"),
        ("1.31", "9.44.0", "1.31.0"),
        ("1.32", "9.46.6", "1.32.0"),
        ("1.33", "9.51.0", "1.33.0"),
        ("1.34", "9.53.0", "1.34.2"),
        ("1.35", "9.59.0", "1.35.0"),
    ],
)
def test_each_minor_gets_the_newest_chart_made_for_it(kubernetes, chart, app):
    assert newest_chart(kubernetes) == chart
    assert CHART_APP_VERSIONS[chart] == app


def test_no_chart_runs_a_1_36_autoscaler_yet():
    assert newest_chart("1.36") is None
    assert max(minor(app) for app in CHART_APP_VERSIONS.values()) == "1.35"


def autoscaler(**overrides):
    return stack_values(service(), aws=AWS, cluster={**EKS, **overrides})


def test_a_1_35_cluster_runs_the_1_35_chart_and_image():
    release = run(autoscaler(kubernetesVersion="1.35")).get(RELEASE, "cluster-autoscaler")
    assert release.inputs["version"] == "9.59.0"
    assert release.inputs["values"]["image"] == {"tag": "v1.35.0"}


def test_a_chart_of_another_minor_or_an_unknown_one_is_refused():
    older = autoscaler(kubernetesVersion="1.35", clusterAutoscaler={"chartVersion": "9.46.6"})
    assert config_problems(older) == [
        "warmstart:cluster.clusterAutoscaler.chartVersion: runs autoscaler 1.32.0;"
        ' kubernetesVersion 1.35 needs a 1.35 chart (newest: 9.59.0) (got "9.46.6")',
        "warmstart:cluster.clusterAutoscaler.imageTag: the autoscaler's minor must match"
        ' kubernetesVersion 1.35 (got "v1.32.0")',
    ]
    unknown = autoscaler(clusterAutoscaler={"chartVersion": "9.99.0"})
    assert config_problems(unknown) == [
        "warmstart:cluster.clusterAutoscaler.chartVersion: not a chart release warmstart knows"
        ' the autoscaler of (9.37.0 to 9.59.0) (got "9.99.0")',
    ]


def test_a_version_no_chart_serves_needs_the_autoscaler_off():
    assert config_problems(autoscaler(kubernetesVersion="1.36")) == [
        "warmstart:cluster.clusterAutoscaler: no chart runs an autoscaler for Kubernetes 1.36 yet"
        " (newest: 1.35): set enabled false, or use 1.35",
    ]
    assert (
        config_problems(autoscaler(kubernetesVersion="1.36", clusterAutoscaler={"enabled": False}))
        == []
    )
