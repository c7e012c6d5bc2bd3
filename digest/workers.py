"""Run a function over many items on both cores, without slowing down small builds.

Workers are forked, so they inherit the whole loaded site instead of receiving it pickled;
they are sent only indexes and send back only small results, and this process works alongside
them. Below `PARALLEL_MIN` items, or
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
    chunks = _chunks(count, workers)
    try:
        # This process takes a share too, so only workers − 1 are forked: each forked worker
        # copies, page by page, whatever inherited memory it touches (reference counts change
        # on every read), and fresh memory is the dearest thing on a virtual machine.
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            theirs = pool.map_async(_run_chunk, chunks[1:])
            try:
                mine = _run_chunk(chunks[0])
            except BaseException:
                # Let the workers finish before the pool is torn down: one killed while it
                # writes its result holds the results queue's lock forever, and the pool's
                # shutdown then waits on that lock (a hang, not an error).
                theirs.wait()
                raise
            parts = [mine] + theirs.get()
    finally:
        _TASK = None
    results: list = [None] * count
    for chunk, part in zip(chunks, parts):
        results[chunk.start:chunk.stop:chunk.step] = part
    return results


def _chunks(count: int, pieces: int) -> Sequence[range]:
    """Strided, not contiguous: neighbouring items (pages of one kind, say) cost alike, so each
    chunk gets a share of every kind and the workers finish together."""
    pieces = min(pieces, count)
    return [range(start, count, pieces) for start in range(pieces)]


def _run_chunk(indexes: range) -> list:
    return [_TASK(index) for index in indexes]
