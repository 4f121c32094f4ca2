"""Timing shared by the benchmark scripts: a warm-up call, then repeated wall-clock measurements."""

from __future__ import annotations

import statistics
import time


def times_of(fn, repeat: int = 7) -> tuple[list[float], object]:
    """Seconds of each of ``repeat`` calls of ``fn`` after one untimed warm-up, and the last result."""
    out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times, out


def median_time(fn, repeat: int = 7) -> float:
    return statistics.median(times_of(fn, repeat)[0])
