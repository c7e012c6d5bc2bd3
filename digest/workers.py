"""Run a function over many items on both cores, without slowing down small builds.

Workers are forked, so they inherit the whole loaded site instead of receiving it pickled;
they are sent only indexes and send back only small results, and this process works alongside
them. The items are cut into many small chunks that whoever is free takes next, so that no one
waits idle for a slower one. Below `PARALLEL_MIN` items, or where fork is unavailable,
everything runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
from typing import Callable, Sequence

PARALLEL_MIN = 400
# Chunks per process: enough that the last one taken is short (a forked worker runs the same
# work 10–20 % slower than this process, and one share each left this process idle for 0.3 s of a
# 3 s stage), few enough that taking one costs nothing.
CHUNKS_EACH = 16
_TASK: Callable | None = None
_NEXT = None  # the next chunk to take: a counter in shared memory, inherited by the workers


def worker_count() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def parallel_map(task: Callable[[int], object], count: int, minimum: int = PARALLEL_MIN) -> list:
    """[task(0), …, task(count - 1)], in order, spread over forked workers when worth it."""
    workers = worker_count()
    if count < max(minimum, 2) or workers < 2 or not _can_fork():
        return [task(index) for index in range(count)]
    global _TASK, _NEXT
    context = multiprocessing.get_context("fork")
    chunks = _chunks(count, workers * CHUNKS_EACH)
    _TASK, _NEXT = task, context.Value("i", 0)
    try:
        # This process takes chunks too, so only workers − 1 are forked: each forked worker
        # copies, page by page, whatever inherited memory it touches (reference counts change
        # on every read), and fresh memory is the dearest thing on a virtual machine.
        with context.Pool(workers - 1) as pool:
            theirs = pool.map_async(_take_chunks, [chunks] * (workers - 1))
            try:
                done = _take_chunks(chunks)
            except BaseException:
                # Let the workers finish before the pool is torn down: one killed while it
                # writes its result holds the results queue's lock forever, and the pool's
                # shutdown then waits on that lock (a hang, not an error).
                _stop(len(chunks))
                theirs.wait()
                raise
            for part in theirs.get():
                done.update(part)
    finally:
        _TASK = _NEXT = None
    results: list = [None] * count
    for number, part in done.items():
        chunk = chunks[number]
        results[chunk.start:chunk.stop:chunk.step] = part
    return results


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _chunks(count: int, pieces: int) -> Sequence[range]:
    """Strided, not contiguous: neighbouring items (pages of one kind, say) cost alike, so each
    chunk gets a share of every kind and costs about the same as the others."""
    pieces = min(pieces, count)
    return [range(start, count, pieces) for start in range(pieces)]


def _take_chunks(chunks: Sequence[range]) -> dict[int, list]:
    """Take the next chunk nobody has taken and run it, until none is left: {chunk number: results}."""
    done = {}
    while (number := _take()) < len(chunks):
        done[number] = [_TASK(index) for index in chunks[number]]
    return done


def _take() -> int:
    with _NEXT.get_lock():
        number = _NEXT.value
        _NEXT.value = number + 1
    return number


def _stop(count: int) -> None:
    """Leave no chunk to take: the workers finish the ones they hold and stop."""
    with _NEXT.get_lock():
        _NEXT.value = count


class Background:
    """A task run by a forked copy of this process while this one goes on (inline where fork is
    unavailable); `wait()` says whether it succeeded. The copy leaves by os._exit: it never
    runs this process's exit handlers or flushes its buffers."""

    def __init__(self, task: Callable[[], object]):
        self.pid, self.ok = None, True
        if not _can_fork():
            task()
            return
        self.pid = _fork_running(task)

    def wait(self) -> bool:
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid, self.ok = None, os.waitstatus_to_exitcode(status) == 0
        return self.ok


def _fork_running(work: Callable[[], object]) -> int:
    """Fork a copy of this process that runs work and leaves by os._exit (never this process's
    exit handlers or buffers), exit code 0 if it succeeded; the copy's pid."""
    pid = os.fork()
    if pid == 0:
        # The copy leaves right after: the collector would only walk the inherited heap.
        gc.disable()
        code = 1
        try:
            work()
            code = 0
        finally:  # an error is the waiting process's to handle: it learns of it by the exit code
            os._exit(code)
    return pid


class Forked:
    """A function's value, computed by a forked copy of this process while this one goes on
    (`with Forked(task) as later: … later.value()`). Where fork is unavailable, or the copy
    fails, the value is computed here when asked. Leaving the block without asking stops the copy."""

    def __init__(self, task: Callable[[], object]):
        self.task, self.pid = task, None
        if not _can_fork():
            return
        reading, writing = os.pipe()

        def send() -> None:
            os.close(reading)
            with os.fdopen(writing, "wb") as out:
                pickle.dump(task(), out, protocol=pickle.HIGHEST_PROTOCOL)

        self.pid = _fork_running(send)
        os.close(writing)
        self.reading = os.fdopen(reading, "rb")

    def value(self):
        """The task's value: the copy's, or computed here if there is no copy or it failed."""
        if self.pid is None:
            return self.task()
        data = self.reading.read()
        return pickle.loads(data) if self._reap() else self.task()

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *exc) -> None:
        if self.pid is not None:  # a value not asked for: the copy may be blocked writing it
            os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> bool:
        """Close the pipe and wait for the copy to end; whether it succeeded."""
        self.reading.close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return os.waitstatus_to_exitcode(status) == 0
