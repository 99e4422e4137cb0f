"""Shared by the bench scripts: percentiles and the machine load printed beside every figure."""
from __future__ import annotations

import os


def pct(values: list[float], p: float) -> float:
    """The p-th percentile, interpolated between the nearest ranks."""
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def load() -> str:
    """The 1, 5 and 15 minute load averages, with the core count (the figures' context on a shared machine)."""
    return f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
