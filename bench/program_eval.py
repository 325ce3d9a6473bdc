"""Benchmark: evaluating the warmstart program under the mock runtime, against the bare SDK.

For N services, time (a) the whole program (config parsing, derivations, components) and
(b) registering the very same Kubernetes objects directly with pulumi_kubernetes, in the
same process, alternating the two so drift on the machine hits both alike. Reported, not
asserted: run `make bench` (or `.venv/bin/python -m bench.program_eval`).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from warmstart.harness import ProgramRun, run_program, run_stack
from warmstart.stackfile import StackConfig, config_from_mapping

SIZES = (1, 10, 100, 500)
# Small programs take tens of milliseconds: more repeats for a steady median.
REPEATS = {1: 30, 10: 20, 100: 5, 500: 3}
RESOURCE_CLASSES: dict[str, Callable[..., pulumi.CustomResource]] = {
    "kubernetes:core/v1:Namespace": k8s.core.v1.Namespace,
    "kubernetes:core/v1:ServiceAccount": k8s.core.v1.ServiceAccount,
    "kubernetes:apps/v1:Deployment": k8s.apps.v1.Deployment,
    "kubernetes:core/v1:Service": k8s.core.v1.Service,
    "kubernetes:policy/v1:PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8s.networking.v1.NetworkPolicy,
}


def stack_with(services: int) -> StackConfig:
    template = {
        "image": "registry.local/warmstart/hello:dev",
        "startup": {"budgetSeconds": 5, "probe": "http"},
        "resources": {
            "requests": {"cpu": "50m", "memory": "32Mi"},
            "limits": {"cpu": "250m", "memory": "64Mi"},
        },
    }
    return config_from_mapping(
        "bench",
        {
            "warmstart:cluster": {"mode": "render"},
            "warmstart:services": [
                {"name": f"svc-{index:04d}", **template} for index in range(services)
            ],
        },
    )


def bare_program(reference: ProgramRun) -> Callable[[], None]:
    """Registers exactly the Kubernetes objects `reference` registered, with the bare SDK."""
    objects = [r for r in reference.resources if r.type in RESOURCE_CLASSES]

    def program() -> None:
        provider = k8s.Provider("kubernetes", render_yaml_to_directory="rendered/bench")
        options = pulumi.ResourceOptions(provider=provider)
        for resource in objects:
            fields: dict[str, Any] = {
                key: value
                for key, value in resource.inputs.items()
                if key not in ("apiVersion", "kind")
            }
            RESOURCE_CLASSES[resource.type](resource.name, **_snake(fields), opts=options)

    return program


def _snake(fields: dict[str, Any]) -> dict[str, Any]:
    renames = {"automountServiceAccountToken": "automount_service_account_token"}
    return {renames.get(key, key): value for key, value in fields.items()}


def timed(action: Callable[[], object]) -> float:
    """One run, with garbage collected beforehand and off during it, so its pauses land in
    neither side at random."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start
    finally:
        gc.enable()


def measure(services: int, repeats: int) -> dict[str, float]:
    config = stack_with(services)
    reference = run_stack(config)
    bare = bare_program(reference)
    empty = StackConfig(stack="bench", values={}, secret_keys=frozenset())
    warm, base = [], []
    for _ in range(repeats):
        warm.append(timed(lambda: run_stack(config)))
        base.append(timed(lambda: run_program(bare, empty)))
    warm_median, base_median = statistics.median(warm), statistics.median(base)
    return {
        "services": services,
        "resources": len(reference.resources),
        "warmstart_s": warm_median,
        "bare_s": base_median,
        "ratio": warm_median / base_median,
        "ms_per_service": 1000 * warm_median / services,
        "bare_ms_per_service": 1000 * base_median / services,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, help="runs per size (default: by size)")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    print(
        "| services | resources | warmstart (s) | bare SDK (s) | ratio "
        "| ms / service | bare ms / service |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        row = measure(size, args.repeats or REPEATS.get(size, 5))
        print(
            f"| {row['services']} | {row['resources']} | {row['warmstart_s']:.3f} | "
            f"{row['bare_s']:.3f} | {row['ratio']:.2f} | {row['ms_per_service']:.2f} | "
            f"{row['bare_ms_per_service']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
