"""Cluster Autoscaler chart releases and the autoscaler each runs.

An autoscaler minor supports one Kubernetes minor, and its chart carries the RBAC that
version needs: the 1.35 autoscaler always watches `resource.k8s.io` (dynamic resource
allocation is locked on), which only charts from 9.54.0 grant. A chart pinned once and a
version moved later leave an autoscaler that runs, reports healthy and never scales (its
informers are forbidden). So the chart follows `kubernetesVersion`, and a chart whose
autoscaler is of another minor is a config error.

Read from the chart repository's index (kubernetes/autoscaler, `gh-pages:index.yaml`, and
`Chart.yaml` at each `cluster-autoscaler-chart-*` tag) on 2026-12-04. No chart runs a 1.36
autoscaler yet.
"""

from __future__ import annotations

# The autoscaler version (appVersion) -> the chart releases made for it.
_RELEASES = {
    "1.30.0": "9.37.0",
    "1.31.0": "9.38.0 9.39.0 9.39.1 9.40.0 9.41.0 9.42.0 9.43.0 9.43.1 9.43.2 9.43.3 9.44.0",
    "1.32.0": "9.45.0 9.45.1 9.46.0 9.46.1 9.46.2 9.46.3 9.46.4 9.46.5 9.46.6",
    "1.33.0": "9.47.0 9.48.0 9.49.0 9.50.0 9.50.1 9.51.0",
    "1.34.1": "9.52.0 9.52.1",
    "1.34.2": "9.53.0",
    "1.35.0": "9.54.0 9.54.1 9.55.0 9.55.1 9.56.0 9.57.0 9.58.0 9.59.0",
}
# Chart version -> the autoscaler version it is released for.
CHART_APP_VERSIONS = {chart: app for app, charts in _RELEASES.items() for chart in charts.split()}


def minor(version: str) -> str:
    """`1.35.0` (or `1.35`) -> `1.35`."""
    return ".".join(version.split(".")[:2])


def _order(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def newest_chart(kubernetes_minor: str) -> str | None:
    """The newest chart whose autoscaler is of this Kubernetes minor; None if there is none."""
    charts = [c for c, app in CHART_APP_VERSIONS.items() if minor(app) == kubernetes_minor]
    return max(charts, key=_order) if charts else None


def newest_minor() -> str:
    """The newest Kubernetes minor any chart runs an autoscaler for."""
    return minor(max(CHART_APP_VERSIONS.values(), key=_order))
