"""What prewarming costs per node, computed from each stack's rendered DaemonSets.

A pod's effective request is max(sum of its containers, largest init container), as the
scheduler counts it; every prewarm DaemonSet puts one pod on every node it targets.
Run: `.venv/bin/python -m bench.prewarm_cost` (no cloud, no cluster).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from warmstart.components.quantities import MEBIBYTE, parse_cpu, parse_memory
from warmstart.harness import run_stack
from warmstart.render import kubernetes_objects
from warmstart.stackfile import available_stacks, read_stack_config


def _requests(containers: list[dict[str, Any]]) -> tuple[Fraction, int]:
    cpu = sum((parse_cpu(c["resources"]["requests"]["cpu"]) for c in containers), Fraction(0))
    memory = sum(parse_memory(c["resources"]["requests"]["memory"]) for c in containers)
    return cpu, memory


def pod_requests(pod: dict[str, Any]) -> tuple[Fraction, int, int]:
    """(CPU cores, memory bytes, images held) the scheduler reserves for one pod."""
    cpu, memory = _requests(pod["containers"])
    for init in pod.get("initContainers", []):
        init_cpu, init_memory = _requests([init])
        cpu, memory = max(cpu, init_cpu), max(memory, init_memory)
    images = (
        len(pod["volumes"]) if pod["containers"][0]["name"] == "pause" else len(pod["containers"])
    )
    return cpu, memory, images


def main() -> None:
    print(
        "| stack | mode | DaemonSets | images per node | CPU requested per node "
        "| memory requested per node | per image |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for stack in available_stacks():
        objects = kubernetes_objects(run_stack(read_stack_config(stack)))
        pods = [o["spec"]["template"]["spec"] for o in objects if o["kind"] == "DaemonSet"]
        if not pods:
            print(f"| {stack} | off | 0 | 0 | 0 | 0 | - |")
            continue
        totals = [pod_requests(pod) for pod in pods]
        cpu = sum((t[0] for t in totals), Fraction(0))
        memory = sum(t[1] for t in totals)
        images = sum(t[2] for t in totals)
        mode = "image-volume" if pods[0]["containers"][0]["name"] == "pause" else "sleep"
        print(
            f"| {stack} | {mode} | {len(pods)} | {images} | {float(cpu * 1000):.0f}m | "
            f"{memory / MEBIBYTE:.0f} MiB | "
            f"{float(cpu * 1000 / images):.1f}m, {memory / MEBIBYTE / images:.1f} MiB |"
        )


if __name__ == "__main__":
    main()
