"""Benchmark: cold starts of the Lambda fallback's `bootstrap` under a local Runtime API.

The AWS Lambda Runtime Interface Emulator's Go module is not served by the module proxy
this machine reaches, so this script is the emulator: a loopback HTTP server speaking the
Runtime API's `next`, `response` and `error` calls. Each cold start spawns a fresh
`bootstrap`, hands it one ALB event, and records:

- init: spawn -> the first `GET .../invocation/next` (Lambda's "Init Duration": the
  runtime is up and asks for work);
- first response: spawn -> the handler's response for that event.

It measures the process, not AWS: no Firecracker VM, no code download, and this machine's
x86_64 CPU (the bootstrap is built for the host: `make lambda-host`). Reported, not
asserted: `.venv/bin/python -m bench.lambda_coldstart build/lambda-host/bootstrap`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.stats import percentile

API = "/2018-06-01/runtime"
EVENT = {
    "requestContext": {
        "elb": {
            "targetGroupArn": (
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/hello-fn/0123"
            )
        }
    },
    "httpMethod": "GET",
    "path": "/v1/hello",
    "queryStringParameters": {"name": "bench"},
    "headers": {"host": "hello.example.com", "x-forwarded-for": "203.0.113.7"},
    "body": "",
    "isBase64Encoded": False,
}


class RuntimeApi(ThreadingHTTPServer):
    """Serves one event to one process, on a port of its own, and notes when steps happen.

    A fresh server per cold start keeps a dying process's retries out of the next run.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.marks: dict[str, float] = {}
        self.response: dict[str, Any] | None = None
        self.done = threading.Event()
        self.served = False


class _Handler(BaseHTTPRequestHandler):
    server: RuntimeApi

    def log_message(self, *_: object) -> None:
        """Quiet: the timings are the output."""

    def do_GET(self) -> None:
        if self.path != f"{API}/invocation/next":
            self.send_error(404)
            return
        self.server.marks.setdefault("next", time.perf_counter())
        if self.server.served:
            self.server.done.wait(10)  # a second `next`: the real API blocks until an event
            return
        self.server.served = True
        body = json.dumps(EVENT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Lambda-Runtime-Aws-Request-Id", "bench-request")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30_000))
        self.send_header(
            "Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:eu-west-1:123456789012:function:hello:live",
        )
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        payload = json.loads(self._body() or b"{}")
        self.server.marks.setdefault("response", time.perf_counter())
        self.server.response = {"path": self.path, "payload": payload}
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.done.set()

    def _body(self) -> bytes:
        """The request body, whether sized or chunked (the Go runtime client streams it)."""
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b""
        while (size := int(self.rfile.readline().split(b";")[0], 16)) > 0:
            body += self.rfile.read(size)
            self.rfile.readline()
        self.rfile.readline()
        return body


def cold_start(binary: Path) -> tuple[float, float]:
    api = RuntimeApi()
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "hello",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_REGION": "eu-west-1",
        "GOMEMLIMIT": "230MiB",
        "GOMAXPROCS": "1",
    }
    start = time.perf_counter()
    process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL)
    try:
        if not api.done.wait(10):
            raise RuntimeError("bootstrap produced no response within 10 s")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=5)
        api.shutdown()
        api.server_close()
    response = api.response or {}
    if not str(response.get("path", "")).endswith("/invocation/bench-request/response"):
        raise RuntimeError(f"bootstrap reported an error: {response}")
    if response["payload"].get("statusCode") != 200:
        raise RuntimeError(f"unexpected response: {response['payload']}")
    return api.marks["next"] - start, api.marks["response"] - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("binary", type=Path)
    parser.add_argument("--starts", type=int, default=30)
    parser.add_argument("--zip", type=Path, default=Path("build/lambda/hello.zip"))
    args = parser.parse_args()
    cold_start(args.binary)  # page the binary in once, as a warm host cache would
    samples = [cold_start(args.binary) for _ in range(args.starts)]
    init = [s[0] * 1000 for s in samples]
    first = [s[1] * 1000 for s in samples]
    zip_size = args.zip.stat().st_size if args.zip.exists() else None
    print(
        "| cold starts | init p50 (ms) | init p99 (ms) | first response p50 (ms) "
        "| p99 (ms) | zip (bytes) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(samples)} | {percentile(init, 0.5):.2f} | {percentile(init, 0.99):.2f} | "
        f"{percentile(first, 0.5):.2f} | {percentile(first, 0.99):.2f} | {zip_size} |"
    )


if __name__ == "__main__":
    main()
