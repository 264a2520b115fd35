"""Time a task for the benchmarks: the median wall time of several runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(task: Callable[[], object], runs: int, *, warm_up: bool = False) -> float:
    """Return the median wall time of `runs` calls of `task` (after one untimed call if
    `warm_up`)."""
    if warm_up:
        task()
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        task()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)
