"""Go runtime settings derived from a container's limits.

A Go process does not see its cgroup memory limit: without GOMEMLIMIT the heap grows until
the kernel OOM-kills the pod. Setting the soft limit a little under the hard one makes the
GC work harder before that happens instead. GOMAXPROCS matched to the CPU limit stops the
scheduler from running more threads than the CFS quota pays for, which shows up as
throttling in tail latency.
"""

from __future__ import annotations

import math
from fractions import Fraction

from warmstart.components.quantities import MEBIBYTE, parse_cpu, parse_memory

# Headroom for what the Go GC does not count (goroutine stacks are counted; cgo, mmap'd
# files and the binary's own text are not) so the soft limit trips before the OOM killer.
MEMORY_LIMIT_SHARE = Fraction(9, 10)


def gomemlimit(memory_limit: str) -> str:
    """GOMEMLIMIT as about 90% of the container's memory limit, in whole MiB, rounded down.

    Limits start at 16Mi (config rejects less: see components/config/limits.py), so whole
    MiB (readable in `kubectl describe`) lose less than 7% of the soft limit.
    """
    soft_bytes = math.floor(parse_memory(memory_limit) * MEMORY_LIMIT_SHARE)
    return f"{soft_bytes // MEBIBYTE}MiB"


def gomaxprocs(cpu_limit: str) -> int:
    """GOMAXPROCS from the CPU limit: rounded up, never below 1.

    Rounding up keeps a 1.5-core limit from idling half a core; the quota still caps use.
    """
    return max(1, math.ceil(parse_cpu(cpu_limit)))


def go_runtime_env(cpu_limit: str, memory_limit: str) -> dict[str, str]:
    """The environment variables the Go runtime reads, for these limits."""
    return {
        "GOMAXPROCS": str(gomaxprocs(cpu_limit)),
        "GOMEMLIMIT": gomemlimit(memory_limit),
    }
