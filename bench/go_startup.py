"""Benchmark: the reference service's binary size and its process start -> first 200 on /readyz.

Each launch picks a free loopback port, starts the binary, and polls /readyz over raw
sockets until it answers 200; the clock runs from just before the process is spawned to
that answer, so it includes exec, Go runtime start, listen and the first request. Only
127.0.0.1 is contacted. Reported, not asserted: `make bench` or
`.venv/bin/python -m bench.go_startup build/hello`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from bench.stats import percentile

REQUEST = b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
POLL_INTERVAL_S = 0.0002
LAUNCH_TIMEOUT_S = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(REQUEST)
            return connection.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def launch(binary: Path) -> float:
    """Seconds from spawn to the first 200 from /readyz; the process is then stopped."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "SHUTDOWN_TIMEOUT": "1s"}
    start = time.perf_counter()
    process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL)
    try:
        while not ready(port):
            if time.perf_counter() - start > LAUNCH_TIMEOUT_S:
                raise RuntimeError(f"{binary} not ready on port {port} within {LAUNCH_TIMEOUT_S}s")
            time.sleep(POLL_INTERVAL_S)
        return time.perf_counter() - start
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("binary", type=Path)
    parser.add_argument("--launches", type=int, default=50)
    args = parser.parse_args()
    launch(args.binary)  # page the binary in once, as a node that pulled it would have
    samples = [launch(args.binary) for _ in range(args.launches)]
    size = args.binary.stat().st_size
    print("| binary | size (bytes) | size (MB) | launches | start->ready p50 (ms) | p99 (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| {args.binary.name} | {size} | {size / 1e6:.2f} | {len(samples)} | "
        f"{1000 * percentile(samples, 0.50):.2f} | {1000 * percentile(samples, 0.99):.2f} |"
    )


if __name__ == "__main__":
    main()
