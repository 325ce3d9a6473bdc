"""Benchmark: pod create -> Ready on a real cluster, the articles' headline figure.

The pods are copies of a deployed warmstart service's pod template (default: `hello` of the
local stack, as `make up` deploys it), so the probes timed are the ones the probe plan
derives. Scenarios:

  held      the image is already on the node, held there by the prewarm DaemonSet
  mirror    every pod a never-seen image, pulled through the pull-through mirror, cache warm
  upstream  every pod a never-seen image, pulled from the upstream over a shaped link
            (user-space shaping, default 25 ms each way and 40 Mbit/s: bench.shaped_link)
  startupProbe  as `held`, with a startupProbe gating readiness (warmstart's first layout)
  articles  as `held`, with the articles' probes (readiness initialDelaySeconds 30, period 10)

Each scenario runs `--pods` pods one at a time, then the same number in bursts of
`--burst`. Reported, never asserted:
`.venv/bin/python -m bench.pod_start --context warmstart-local` (`make bench-pods`).
"""

from __future__ import annotations

import argparse
import copy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubernetes import client, config

from bench.pod_timing import PodRunner, each_round
from bench.pull_scenarios import PullScenarios
from bench.shaped_link import ShapedLink
from bench.stats import percentile

ARTICLES_P95_S = 0.120
SLO_P99_S = 5.0  # Kubernetes pod-startup SLO: stateless pods, image pulls excluded
# The source article's readiness probe, verbatim but for the path; it has no startup probe.
ARTICLES_READINESS = {
    "initialDelaySeconds": 30,
    "periodSeconds": 10,
    "timeoutSeconds": 5,
    "failureThreshold": 3,
}

Templates = Callable[[int], list[dict[str, Any]]]


def deployed_template(apps: client.AppsV1Api, namespace: str, name: str) -> dict[str, Any]:
    deployment = apps.read_namespaced_deployment(name, namespace)
    return client.ApiClient().sanitize_for_serialization(deployment.spec.template)


def with_articles_probes(template: dict[str, Any]) -> dict[str, Any]:
    """The same pod with the articles' layout: no startupProbe, delayed readiness and liveness."""
    changed = copy.deepcopy(template)
    for container in changed["spec"]["containers"]:
        container.pop("startupProbe", None)
        container["readinessProbe"] = {**container["readinessProbe"], **ARTICLES_READINESS}
        container["livenessProbe"] = {**container["livenessProbe"], "initialDelaySeconds": 30}
    return changed


def with_startup_probe(template: dict[str, Any]) -> dict[str, Any]:
    """The layout warmstart used before: a startupProbe (P 1 s) gating readiness (P 2 s)."""
    changed = copy.deepcopy(template)
    for container in changed["spec"]["containers"]:
        readiness, liveness = container["readinessProbe"], container["livenessProbe"]
        container["startupProbe"] = {
            **readiness,
            "failureThreshold": liveness.pop("initialDelaySeconds"),
        }
        readiness["periodSeconds"] = 2
    return changed


def ensure_namespace(api: client.CoreV1Api, namespace: str) -> None:
    """The benchmark's namespace enforces `restricted`, as the stack's own does."""
    existing = {n.metadata.name for n in api.list_namespace().items}
    if namespace in existing:
        return
    labels = {"pod-security.kubernetes.io/enforce": "restricted"}
    api.create_namespace({"metadata": {"name": namespace, "labels": labels}})


@dataclass
class Layout:
    """One layout's samples (seconds from Create), and how many pods' readiness probe failed
    before it passed (the kubelet's Unhealthy events: probed before the service listened)."""

    running: list[float]
    ready: list[float]
    probe_failed: int


Results = dict[str, Layout]  # layout ("one at a time", "bursts of 10") -> its samples


def probe_failures(api: client.CoreV1Api, namespace: str) -> set[str]:
    """Pods of `namespace` whose readiness probe failed at least once (events, kept 1 h)."""
    time.sleep(2)  # the kubelet's event recorder sends in batches
    events = api.list_namespaced_event(namespace, field_selector="reason=Unhealthy").items
    return {e.involved_object.name for e in events if e.message.startswith("Readiness probe")}


def run_scenario(
    api: client.CoreV1Api, namespace: str, templates: Templates, pods: int, burst: int
) -> Results:
    run_id = uuid.uuid4().hex[:8]
    with PodRunner(api, namespace, run_id) as runner:
        single = each_round(runner, templates, pods, 1)
        bursts = each_round(runner, templates, pods, burst)
        clock = runner.clock
    failed = probe_failures(api, namespace)
    return {
        layout: Layout(
            running=clock.seconds_to_running(names),
            ready=clock.seconds_to_ready(names),
            probe_failed=len(failed.intersection(names)),
        )
        for layout, names in (("one at a time", single), (f"bursts of {burst}", bursts))
    }


def report(scenario: str, results: Results) -> None:
    for stage in ("Ready", "Running"):
        for layout, measured in results.items():
            samples = measured.ready if stage == "Ready" else measured.running
            if not samples:
                continue
            label = layout if stage == "Ready" else f"{layout}, Running"
            print(
                f"{scenario:<12} {label:<24} n={len(samples):<3} "
                f"p50 {percentile(samples, 0.5):6.3f} s  p95 {percentile(samples, 0.95):6.3f} s  "
                f"max {max(samples):6.3f} s",
                flush=True,
            )
    for layout, measured in results.items():
        print(
            f"{scenario:<12} {layout:<24} readiness probe failed before Ready: "
            f"{measured.probe_failed} of {len(measured.ready)} pods",
            flush=True,
        )


def add_arguments(parser: argparse.ArgumentParser, scenarios: str) -> None:
    parser.add_argument("--context", default="warmstart-local")
    parser.add_argument(
        "--from",
        dest="source",
        default="warmstart/hello",
        help="namespace/deployment whose pod template is timed",
    )
    parser.add_argument("--namespace", default="warmstart-bench")
    parser.add_argument("--pods", type=int, default=30)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument(
        "--articles-pods",
        type=int,
        default=10,
        help="pods for the articles' layout (each waits 30 s)",
    )
    parser.add_argument("--upstream", default="127.0.0.1:5000", help="registry builds push to")
    parser.add_argument("--mirror", default="127.0.0.1:5001", help="its pull-through mirror")
    parser.add_argument("--link-delay-ms", type=float, default=25.0, help="one-way, upstream")
    parser.add_argument("--link-mbit", type=float, default=40.0, help="upstream bandwidth")
    parser.add_argument("--scenarios", default=scenarios)


def measure(args: argparse.Namespace) -> dict[str, Results]:
    """Every scenario of `args.scenarios`, in order, each reported as it ends."""
    api, apps = client.CoreV1Api(), client.AppsV1Api()
    source_namespace, deployment = args.source.split("/", 1)
    template = deployed_template(apps, source_namespace, deployment)
    ensure_namespace(api, args.namespace)
    scenarios: dict[str, tuple[Templates, int]] = {
        "held": (lambda n: [template] * n, args.pods),
        "startupProbe": (lambda n: [with_startup_probe(template)] * n, args.pods),
        "articles": (lambda n: [with_articles_probes(template)] * n, args.articles_pods),
    }
    upstream_port = int(args.upstream.rsplit(":", 1)[1])
    rate = args.link_mbit * 1e6 / 8
    measured: dict[str, Results] = {}
    with ShapedLink(upstream_port, args.link_delay_ms / 1000, rate) as link:
        pulls = PullScenarios(template, args.upstream, args.mirror, f"127.0.0.1:{link.port}")
        scenarios["mirror"] = (pulls.through_mirror, args.pods)
        scenarios["upstream"] = (pulls.from_upstream, args.pods)
        print(
            f"upstream link: {args.link_delay_ms:g} ms each way, {args.link_mbit:g} Mbit/s; "
            f"image {sum(len(layer) for layer in pulls.source.layers):,} bytes compressed"
        )
        for name in args.scenarios.split(","):
            templates, pods = scenarios[name]
            measured[name] = run_scenario(api, args.namespace, templates, pods, args.burst)
            report(name, measured[name])
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser, "held,mirror,upstream,startupProbe,articles")
    args = parser.parse_args()
    config.load_kube_config(context=args.context)
    print(f"pod create -> Ready (watch event), {args.source} on context {args.context}")
    measure(args)
    print(
        f"articles' claim: p95 {ARTICLES_P95_S:.3f} s; "
        f"Kubernetes pod-startup SLO: p99 <= {SLO_P99_S:.0f} s, image pulls excluded"
    )


if __name__ == "__main__":
    main()
