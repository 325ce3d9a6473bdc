"""A bounded, steady load on one HTTP address: a fixed request rate, each on a new connection.

A new connection per request is what a rollout makes hard: every request is routed afresh
by kube-proxy, so one that reaches a pod after it stopped accepting fails visibly. Every
request is counted, and every way one can fail counts as a failure: a response cut short
(IncompleteRead), a connection closed or reset, a timeout; tests/e2e/test_load.py checks it
against a local server that does each.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    sent: int = 0
    failures: list[str] = field(default_factory=list)


class SteadyLoad:
    """`rate` requests per second to http://host:port/path until stopped or `limit_s` passes."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        rate: float,
        limit_s: float,
        *,
        timeout_s: float = 5,
    ) -> None:
        self.host, self.port, self.path, self.timeout_s = host, port, path, timeout_s
        self.interval, self.limit_s = 1 / rate, limit_s
        self.result = LoadResult()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SteadyLoad:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        start = time.monotonic()
        workers: list[threading.Thread] = []
        while not self._stop.is_set() and time.monotonic() - start < self.limit_s:
            worker = threading.Thread(target=self._request, daemon=True)
            worker.start()
            workers.append(worker)
            self._stop.wait(self.interval)
        for worker in workers:
            worker.join()

    def _request(self) -> None:
        """One request, counted as sent and, unless it ends in a whole 200, as failed; the
        count happens whatever is raised (an HTTPException such as IncompleteRead is no
        OSError, and used to end the thread uncounted)."""
        error: str | None = "unexpected error"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            connection.request("GET", self.path)
            response = connection.getresponse()
            response.read()
            error = None if response.status == 200 else f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as failure:  # timeouts are OSErrors
            error = f"{type(failure).__name__}: {failure}"
        finally:
            connection.close()
            with self._lock:
                self.result.sent += 1
                if error is not None:
                    self.result.failures.append(error)
