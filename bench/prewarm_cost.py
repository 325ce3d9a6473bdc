"""What prewarming costs per node, computed from each stack's rendered DaemonSets.

A pod's effective request is max(sum of its containers, largest init container), as the
scheduler counts it; every prewarm DaemonSet puts one pod on every node it targets. Each
stack that prewarms is rendered twice: in its own mode and in the other one (`sleep`: one
holder process per image; `image-volume`: one pause process whatever the image count), so
the two modes' requests stand side by side. Processes are the pods' running containers,
plus one sandbox (pause) process per pod. What the processes really use on a node is
measured by tests/e2e/test_prewarm_image_volume.py (sandbox cluster).
Run: `.venv/bin/python -m bench.prewarm_cost` (no cloud, no cluster).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from warmstart.components.quantities import MEBIBYTE, parse_cpu, parse_memory
from warmstart.harness import run_stack
from warmstart.render import kubernetes_objects
from warmstart.stackfile import (
    StackConfig,
    available_stacks,
    config_from_mapping,
    load_document,
    read_stack_config,
    stack_file,
)

MODES = ("sleep", "image-volume")


def _requests(containers: list[dict[str, Any]]) -> tuple[Fraction, int]:
    cpu = sum((parse_cpu(c["resources"]["requests"]["cpu"]) for c in containers), Fraction(0))
    memory = sum(parse_memory(c["resources"]["requests"]["memory"]) for c in containers)
    return cpu, memory


def is_image_volume(pod: dict[str, Any]) -> bool:
    return any("image" in volume for volume in pod.get("volumes", []))


def pod_requests(pod: dict[str, Any]) -> tuple[Fraction, int, int]:
    """(CPU cores, memory bytes, images held) the scheduler reserves for one pod."""
    cpu, memory = _requests(pod["containers"])
    for init in pod.get("initContainers", []):
        init_cpu, init_memory = _requests([init])
        cpu, memory = max(cpu, init_cpu), max(memory, init_memory)
    images = len(pod["volumes"]) if is_image_volume(pod) else len(pod["containers"])
    return cpu, memory, images


def stack_in_mode(stack: str, mode: str) -> StackConfig:
    """The stack file as written, but for `warmstart:prewarm.mode`."""
    config = dict(load_document(stack_file(stack))["config"])
    config["warmstart:prewarm"] = {**config["warmstart:prewarm"], "mode": mode}
    return config_from_mapping(stack, config)


def prewarm_pods(config: StackConfig) -> list[dict[str, Any]]:
    objects = kubernetes_objects(run_stack(config))
    return [o["spec"]["template"]["spec"] for o in objects if o["kind"] == "DaemonSet"]


def row(stack: str, mode: str, pods: list[dict[str, Any]]) -> str:
    totals = [pod_requests(pod) for pod in pods]
    cpu = sum((t[0] for t in totals), Fraction(0))
    memory = sum(t[1] for t in totals)
    images = sum(t[2] for t in totals)
    processes = sum(len(pod["containers"]) + 1 for pod in pods)
    return (
        f"| {stack} | {mode} | {len(pods)} | {images} | {processes} | {float(cpu * 1000):.0f}m | "
        f"{memory / MEBIBYTE:.0f} MiB | "
        f"{float(cpu * 1000 / images):.1f}m, {memory / MEBIBYTE / images:.1f} MiB |"
    )


def main() -> None:
    print(
        "| stack | mode | DaemonSets | images per node | processes per node "
        "| CPU requested per node | memory requested per node | per image |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for stack in available_stacks():
        written = prewarm_pods(read_stack_config(stack))
        if not written:
            print(f"| {stack} | off | 0 | 0 | 0 | 0 | 0 | - |")
            continue
        own = "image-volume" if is_image_volume(written[0]) else "sleep"
        print(row(stack, own, written))
        other = MODES[1 - MODES.index(own)]
        print(row(stack, f"{other} (if switched)", prewarm_pods(stack_in_mode(stack, other))))


if __name__ == "__main__":
    main()
