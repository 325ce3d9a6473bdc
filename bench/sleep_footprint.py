"""The prewarm `sleep` binary's real footprint: size, resident memory, CPU while it waits.

Backs the DaemonSet's per-image request (1m CPU, 4Mi): started 20 times, each process is
measured after 0.5 s of waiting from /proc (VmRSS; utime+stime in clock ticks).
Run: `make build && .venv/bin/python -m bench.sleep_footprint build/sleep`.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import time
from pathlib import Path

WAIT_S = 0.5


def footprint(binary: Path) -> tuple[int, float]:
    """(resident KiB, CPU seconds used) of one sleeping process."""
    process = subprocess.Popen([str(binary)])
    try:
        time.sleep(WAIT_S)
        status = Path(f"/proc/{process.pid}/status").read_text()
        rss_kib = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
        )
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return rss_kib, cpu_s
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("binary", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    samples = [footprint(args.binary) for _ in range(args.runs)]
    rss = sorted(s[0] for s in samples)
    cpu = max(s[1] for s in samples)
    print(
        "| binary | size (bytes) | RSS median (KiB) | RSS max (KiB) | CPU used in 0.5 s, max (s) |"
    )
    print("|---|---:|---:|---:|---:|")
    print(
        f"| {args.binary.name} | {args.binary.stat().st_size} | "
        f"{rss[len(rss) // 2]} | {rss[-1]} | {cpu:.2f} |"
    )


if __name__ == "__main__":
    main()
