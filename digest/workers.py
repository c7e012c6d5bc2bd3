"""Run a function over many items on both cores, without slowing down small builds.

Workers are forked, so they inherit the whole loaded site instead of receiving it pickled;
they are sent only indexes and send back only small results. Below `PARALLEL_MIN` items, or
where fork is unavailable, everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Sequence

PARALLEL_MIN = 400
_TASK: Callable | None = None


def worker_count() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def parallel_map(task: Callable[[int], object], count: int, minimum: int = PARALLEL_MIN) -> list:
    """[task(0), …, task(count - 1)], in order, spread over forked workers when worth it."""
    workers = worker_count()
    if count < max(minimum, 2) or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [task(index) for index in range(count)]
    global _TASK
    _TASK = task
    try:
        chunks = _chunks(count, workers * 4)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_run_chunk, chunks)
    finally:
        _TASK = None
    return [result for part in parts for result in part]


def _chunks(count: int, pieces: int) -> Sequence[range]:
    size = max(1, -(-count // pieces))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _run_chunk(indexes: range) -> list:
    return [_TASK(index) for index in indexes]
