"""Pod create -> Ready, timed from the client's Create call to the watch event that shows it.

A watch on the benchmark's namespace runs for the whole measurement; each pod's clock
starts just before its Create request and stops when the watch delivers the first version
of the pod whose Ready condition is True. That is what a Deployment's rollout, an HPA
scale-up or a `pulumi up` await experiences. Pods are deleted (grace 0) and gone before the
next round starts, so rounds do not overlap.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client, watch

BENCH_LABEL = "warmstart.dev/bench"
READY_TIMEOUT_S = 180.0


@dataclass
class PodClock:
    """When each pod was asked for, first seen Running, and first seen Ready (monotonic s)."""

    created: dict[str, float] = field(default_factory=dict)
    running: dict[str, float] = field(default_factory=dict)
    ready: dict[str, float] = field(default_factory=dict)
    condition: threading.Condition = field(default_factory=threading.Condition)

    def record(self, pod: Any) -> None:
        name, now = pod.metadata.name, time.monotonic()
        statuses = pod.status.container_statuses or []
        with self.condition:
            if statuses and all(s.state.running for s in statuses):
                self.running.setdefault(name, now)
            conditions = pod.status.conditions or []
            if any(c.type == "Ready" and c.status == "True" for c in conditions):
                self.ready.setdefault(name, now)
                self.condition.notify_all()

    def wait_ready(self, names: list[str], timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        with self.condition:
            while not all(n in self.ready for n in names):
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = [n for n in names if n not in self.ready]
                    raise TimeoutError(f"not Ready after {timeout:.0f} s: {', '.join(missing)}")
                self.condition.wait(left)

    def seconds_to_ready(self, names: list[str]) -> list[float]:
        return [self.ready[n] - self.created[n] for n in names]

    def seconds_to_running(self, names: list[str]) -> list[float]:
        return [self.running[n] - self.created[n] for n in names if n in self.running]


class PodRunner:
    """Creates benchmark pods from one template in one namespace and times them."""

    def __init__(self, api: client.CoreV1Api, namespace: str, run_id: str) -> None:
        self.api, self.namespace, self.run_id = api, namespace, run_id
        self.clock = PodClock()
        self._serial = 0
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watching = threading.Event()

    def __enter__(self) -> PodRunner:
        self._watcher.start()
        if not self._watching.wait(30):
            raise RuntimeError("the pod watch did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()

    def _watch(self) -> None:
        selector = f"{BENCH_LABEL}={self.run_id}"
        while not self._stop.is_set():
            stream = watch.Watch().stream(
                self.api.list_namespaced_pod,
                self.namespace,
                label_selector=selector,
                timeout_seconds=60,
                _request_timeout=90,
            )
            self._watching.set()
            for event in stream:
                self.clock.record(event["object"])
                if self._stop.is_set():
                    return

    def round(self, templates: list[dict[str, Any]]) -> list[str]:
        """Create one pod per template at once, wait until all are Ready, delete them.

        A deletion completes on the kubelet's 1 s relist, so a round that started right after
        one would be phase-locked to the relist; a random pause of up to 1 s unlocks it.
        """
        time.sleep(random.random())
        names = []
        for template in templates:
            self._serial += 1
            name = f"bench-{self.run_id}-{self._serial}"
            body = pod_body(template, name, self.run_id)
            self.clock.created[name] = time.monotonic()
            self.api.create_namespaced_pod(self.namespace, body)
            names.append(name)
        try:
            self.clock.wait_ready(names)
        finally:
            self._delete(names)
        return names

    def _delete(self, names: list[str]) -> None:
        for name in names:
            self.api.delete_namespaced_pod(name, self.namespace, grace_period_seconds=0)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pods = self.api.list_namespaced_pod(
                self.namespace, label_selector=f"{BENCH_LABEL}={self.run_id}"
            ).items
            if not any(p.metadata.name in names for p in pods):
                return
            time.sleep(0.2)
        raise TimeoutError(f"pods not deleted after 60 s: {', '.join(names)}")


def pod_body(template: dict[str, Any], name: str, run_id: str) -> dict[str, Any]:
    """A bare pod from a Deployment's pod template, labelled so no Service selects it."""
    spec = copy.deepcopy(template["spec"])
    spec.pop("serviceAccountName", None)
    spec.pop("serviceAccount", None)  # the deprecated alias the API still fills in
    spec["automountServiceAccountToken"] = False
    spec["terminationGracePeriodSeconds"] = 0
    for container in spec["containers"]:
        container.pop("lifecycle", None)  # no preStop sleep: deletion is not what is timed
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {BENCH_LABEL: run_id}},
        "spec": spec,
    }


def each_round(
    runner: PodRunner, templates: Callable[[int], list[dict[str, Any]]], pods: int, burst: int
) -> list[str]:
    """`pods` pods in rounds of `burst`; `templates(n)` gives the next n pod templates."""
    names: list[str] = []
    while len(names) < pods:
        names += runner.round(templates(min(burst, pods - len(names))))
    return names
