"""Summary statistics shared by the benchmarks."""

from __future__ import annotations

import math


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: with 50 samples, p99 is the slowest one."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
