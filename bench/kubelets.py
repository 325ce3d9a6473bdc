"""SANDBOX-ONLY benchmark: pod start-up under two kubelets, same control plane, same runtime.

Runs bench.pod_start's scenarios once per kubelet version on the sandbox cluster
(scripts/sandbox/cluster.sh), switching only the kubelet between them (`cluster.sh kubelet
VERSION`: built if missing, restarted on the same configuration; pods, containerd, runc and
the control plane stay), then prints p50 / p95 of create -> Running and create -> Ready side
by side. The kubelet that ran before is running again at the end. Reported, never asserted:
`make bench-kubelets` (after `make up`), or
`.venv/bin/python -m bench.kubelets --kubelets v1.36.1,v1.35.4`.

Kubernetes 1.36's kubelet relists a pod right after acting on it (PLEGOnDemandRelist, beta,
on by default); the 1.35 kubelet learns that a container runs from its 1 s periodic relist.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

from kubernetes import client, config

from bench.pod_start import Results, add_arguments, measure
from bench.stats import percentile
from warmstart.stackfile import PROJECT_ROOT

CLUSTER = PROJECT_ROOT / "scripts" / "sandbox" / "cluster.sh"
NODE = "warmstart"  # the sandbox cluster's one node
SETTLE_S = 15.0  # after a kubelet restart: its first syncs, image stats and probes are done


def node_info(api: client.CoreV1Api) -> client.V1NodeSystemInfo:
    return api.read_node(NODE).status.node_info


def switch_kubelet(api: client.CoreV1Api, version: str, source: str) -> None:
    """The node runs kubelet `version`, the source Deployment's pods are Ready, and it settled."""
    print(f"\n== kubelet {version}", flush=True)
    subprocess.run([str(CLUSTER), "kubelet", version], check=True, env=os.environ.copy())
    namespace, deployment = source.split("/", 1)
    apps = client.AppsV1Api()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = apps.read_namespaced_deployment(deployment, namespace).status
        if status.ready_replicas and status.ready_replicas == status.replicas:
            break
        time.sleep(1)
    else:
        raise TimeoutError(f"{source} not Ready 120 s after the kubelet restarted")
    time.sleep(SETTLE_S)
    info = node_info(api)
    print(f"node: kubelet {info.kubelet_version}, {info.container_runtime_version}", flush=True)


def cell(samples: list[float]) -> str:
    if not samples:
        return "-"
    return f"{percentile(samples, 0.5):.2f} / {percentile(samples, 0.95):.2f}"


def table(measured: dict[str, dict[str, Results]]) -> list[str]:
    """Per scenario and layout: Running and Ready p50 / p95, and readiness probes that failed
    before passing; one column per kubelet."""
    versions = list(measured)
    lines = [
        "| scenario | pods | create -> | "
        + " | ".join(f"kubelet {v} p50 / p95 (s)" for v in versions)
        + " |",
        "|---|---|---|" + "---:|" * len(versions),
    ]
    first = measured[versions[0]]
    for scenario, layouts in first.items():
        for layout in layouts:
            count = len(layouts[layout].ready)
            rows = {
                "Running": [cell(measured[v][scenario][layout].running) for v in versions],
                "Ready": [cell(measured[v][scenario][layout].ready) for v in versions],
                "(readiness probe failed first)": [
                    f"{measured[v][scenario][layout].probe_failed} pods" for v in versions
                ],
            }
            for stage, cells in rows.items():
                lines.append(
                    f"| {scenario} | {layout} (n={count}) | {stage} | " + " | ".join(cells) + " |"
                )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser, "held,mirror,upstream,startupProbe")
    parser.add_argument(
        "--kubelets", default="v1.36.1,v1.35.4", help="kubelet versions, measured in this order"
    )
    args = parser.parse_args()
    config.load_kube_config(context=args.context)
    api = client.CoreV1Api()
    names = [n.metadata.name for n in api.list_node().items]
    if names != [NODE]:
        parser.exit(2, f"needs the sandbox cluster (one node, {NODE}); this one has {names}\n")
    before = node_info(api).kubelet_version
    started = time.monotonic()
    measured: dict[str, dict[str, Results]] = {}
    try:
        for version in args.kubelets.split(","):
            switch_kubelet(api, version, args.source)
            measured[version] = measure(args)
    finally:
        if node_info(api).kubelet_version != before:
            switch_kubelet(api, before, args.source)
    info = node_info(api)
    minutes = (time.monotonic() - started) / 60
    print(
        f"\npod create -> Running / Ready (watch event), {args.source}; control plane "
        f"{client.VersionApi().get_code().git_version}, "
        f"{info.container_runtime_version}; {minutes:.0f} min"
    )
    print("\n".join(table(measured)))


if __name__ == "__main__":
    main()
