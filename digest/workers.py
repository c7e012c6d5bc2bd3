"""Run a function over many items on both cores, without slowing down small builds.

Workers are forked, so they inherit the whole loaded site instead of receiving it pickled;
they are sent nothing but take chunk numbers from a counter in shared memory, and this process
works alongside them. The items are cut into many small chunks that whoever is free takes next,
so that no one waits idle for a slower one: this process from the front, the workers from the
back. So when items that share work a process does once and remembers (a card shown on many
listings, say) are put together at one end, with `contiguous` chunks, one process does most of
them, and that work once, rather than every process doing it for its own share. A worker sends
each chunk's results as soon as it has them, while it goes on: sending everything at the end
kept this process waiting for the pickling, the pipe and the unpickling of half the results
(0.1–0.16 s per stage at N = 5,000).
Below `PARALLEL_MIN` items, or where fork is unavailable, everything runs in this process.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
import threading
import traceback
from typing import Callable, Sequence

PARALLEL_MIN = 400
# Chunks per process: enough that the last one taken is short (a forked worker runs the same
# work 10–20 % slower than this process, and one share each left this process idle for 0.3 s of a
# 3 s stage), few enough that taking one costs nothing.
CHUNKS_EACH = 16
_FRAME = struct.Struct("<q")  # a message's length before it; a negative length: an error follows
PIPE_BYTES = 1 << 20


def worker_count() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def parallel_map(task: Callable[[int], object], count: int, minimum: int = PARALLEL_MIN,
                 contiguous: bool = False) -> list:
    """[task(0), …, task(count - 1)], in order, spread over forked workers when worth it; in
    chunks of neighbouring items if `contiguous`, else of items spread over the whole range."""
    workers = worker_count()
    if count < max(minimum, 2) or workers < 2 or not _can_fork():
        return [task(index) for index in range(count)]
    chunks = _chunks(count, workers * CHUNKS_EACH, contiguous)
    import multiprocessing  # here: a build that forks no workers (a patch) need not import it

    counter = multiprocessing.get_context("fork").Array("i", [0, len(chunks)])  # the next from the front, the last from the back
    # This process takes chunks too, so only workers − 1 are forked: each forked worker
    # copies, page by page, whatever inherited memory it touches (reference counts change
    # on every read), and fresh memory is the dearest thing on a virtual machine.
    first = _take(counter, len(chunks))  # this process's, whoever is quicker to start: it always takes part
    streams = _fork_workers(workers - 1, lambda out: _send_chunks(task, chunks, counter, out))
    done: dict[int, list] = {}
    try:
        _take_chunks(task, chunks, counter, done, first)
    except BaseException:
        # Let the workers finish the chunks they hold and end before this is raised: none is
        # left behind, blocked on a pipe nobody reads.
        _stop(counter)
        _end_all(streams)
        raise
    for stream, status in zip(streams, _end_all(streams)):  # all ended before an error is raised
        done.update(stream.results_or_error(status))
    results: list = [None] * count
    for number, part in done.items():
        chunk = chunks[number]
        results[chunk.start:chunk.stop:chunk.step] = part
    return results


def _can_fork() -> bool:
    return hasattr(os, "fork")


def _chunks(count: int, pieces: int, contiguous: bool = False) -> Sequence[range]:
    """Contiguous, or strided: neighbouring items (pages of one kind, say) cost alike, so each
    strided chunk gets a share of every kind and costs about the same as the others."""
    pieces = min(pieces, count)
    if contiguous:
        bounds = [count * piece // pieces for piece in range(pieces + 1)]
        return [range(bounds[piece], bounds[piece + 1]) for piece in range(pieces)]
    return [range(start, count, pieces) for start in range(pieces)]


def _take_chunks(task: Callable, chunks: Sequence[range], counter, done: dict, number: int) -> None:
    """Run chunk `number`, taken already, then take the next one nobody has taken and run it, until
    none is left (done: chunk number → results)."""
    while number < len(chunks):
        done[number] = [task(index) for index in chunks[number]]
        number = _take(counter, len(chunks))


def _send_chunks(task: Callable, chunks: Sequence[range], counter, out) -> None:
    """A worker's loop: each chunk it takes, run and sent at once; an error sent, then raised."""
    try:
        while (number := _take(counter, len(chunks), back=True)) < len(chunks):
            _send(out, pickle.dumps((number, [task(index) for index in chunks[number]]), pickle.HIGHEST_PROTOCOL), 1)
    except BaseException as error:
        _send(out, _pickled_error(error), -1)
        raise


def _pickled_error(error: BaseException) -> bytes:
    """The error as the waiting process will raise it, with this worker's traceback as a note;
    told in words if it does not survive pickling both ways (an error holding something
    unpicklable, or one whose arguments do not make it again)."""
    error.add_note("".join(traceback.format_exception(error)).rstrip())
    try:
        data = pickle.dumps(error, pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)
        return data
    except Exception:
        told = RuntimeError(f"a worker failed: {error!r}")
        told.add_note(error.__notes__[-1])
        return pickle.dumps(told, pickle.HIGHEST_PROTOCOL)


def _send(out, data: bytes, sign: int) -> None:
    out.write(_FRAME.pack(sign * len(data)))
    out.write(data)
    out.flush()


def _take(counter, count: int, back: bool = False) -> int:
    """The next chunk nobody has taken, from the front or the back; `count` when none is left."""
    with counter.get_lock():
        front, end = counter[0], counter[1]
        if front >= end:
            return count
        if back:
            counter[1] = end - 1
            return end - 1
        counter[0] = front + 1
        return front


def _stop(counter) -> None:
    """Leave no chunk to take: the workers finish the ones they hold and stop."""
    with counter.get_lock():
        counter[0] = counter[1]


def _fork_workers(count: int, work: Callable) -> list["_Stream"]:
    """Fork up to count workers, each running work(its pipe's writing end); their streams, being
    read. Fewer, or none, if the system cannot make more (no memory, too many processes): this
    process takes whatever chunks they leave."""
    streams = []
    for _ in range(count):
        try:
            reading, writing = os.pipe()
        except OSError:
            break
        _widen(reading)

        def run(reading=reading, writing=writing) -> None:
            for fd in [stream.reading for stream in streams] + [reading]:
                os.close(fd)  # another worker's pipe held open here would never reach its end
            with os.fdopen(writing, "wb") as out:
                work(out)

        try:
            pid = _fork_running(run, collect=True)  # the build's collector as it is: a worker works at length
        except OSError:
            os.close(reading)
            os.close(writing)
            break
        os.close(writing)
        streams.append(_Stream(pid, reading))
    for stream in streams:  # once every worker is forked: none inherits a thread of this process
        stream.start()
    return streams


def _end_all(streams: list["_Stream"]) -> list[int]:
    """Wait for every worker to end, their results all read: their exit statuses."""
    return [stream.end() for stream in streams]


def _widen(pipe: int) -> None:
    """Let the pipe hold a whole chunk's results where the system allows (Linux: up to 1 MiB
    unprivileged; 64 KiB by default), so that a worker seldom waits for this process to read."""
    try:
        import fcntl
        fcntl.fcntl(pipe, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass


class _Stream:
    """A worker's results, read and unpickled by a thread of this process as they come."""

    def __init__(self, pid: int, reading: int):
        self.pid, self.reading = pid, reading
        self.results: dict[int, list] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _read(self) -> None:
        with os.fdopen(self.reading, "rb") as pipe:
            try:
                while header := pipe.read(_FRAME.size):
                    length = _FRAME.unpack(header)[0]
                    value = pickle.loads(pipe.read(abs(length)))
                    if length < 0:
                        self.error = value
                    else:
                        self.results[value[0]] = value[1]
            except Exception as error:  # a message cut short: the worker ended half-way through it
                self.error = self.error or RuntimeError(f"a worker's results could not be read: {error}")
                while pipe.read(PIPE_BYTES):
                    pass  # read to the end all the same: a worker blocked on a full pipe would never end

    def end(self) -> int:
        """Wait for the worker to end, its results all read; its exit status."""
        self.thread.join()
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def results_or_error(self, status: int) -> dict[int, list]:
        """The ended worker's results, or its error raised here."""
        if self.error is not None:
            raise self.error
        if status != 0:
            raise RuntimeError(f"a worker process ended abnormally (exit status {status})")
        return self.results


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


class Awaiting(Background):
    """A Background task that needs, at its end, a value this process has only later:
    the task is called with a function that returns that value once `give(value)` has sent
    it. Given nothing, the task fails there. Where fork is unavailable, `give` runs the task.
    Leaving a `with` block waits for the copy to end."""

    def __init__(self, task: Callable[[Callable[[], object]], object]):
        self.task, self.pid, self.ok, self.sending = task, None, False, None
        if not _can_fork():
            return  # run by give(); never given, it did not succeed
        reading, writing = os.pipe()

        def run() -> None:
            os.close(writing)
            with os.fdopen(reading, "rb") as pipe:
                task(lambda: pickle.load(pipe))  # EOFError if this process gave nothing

        self.pid = _fork_running(run)
        os.close(reading)
        self.sending = os.fdopen(writing, "wb")

    def give(self, value) -> None:
        if self.pid is None:
            self.task(lambda: value)
            self.ok = True
            return
        try:
            pickle.dump(value, self.sending, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            pass  # the copy failed before it needed the value: wait() tells
        finally:
            self._close()

    def wait(self) -> bool:
        """Whether the task succeeded (after giving nothing: it failed, or never ran)."""
        self._close()
        return super().wait()

    def __enter__(self) -> "Awaiting":
        return self

    def __exit__(self, *exc) -> None:
        self.wait()  # given nothing, the copy fails and ends

    def _close(self) -> None:
        if self.sending is not None:
            sending, self.sending = self.sending, None
            try:
                sending.close()
            except BrokenPipeError:
                pass


def _fork_running(work: Callable[[], object], collect: bool = False) -> int:
    """Fork a copy of this process that runs work and leaves by os._exit (never this process's
    exit handlers or buffers), exit code 0 if it succeeded; the copy's pid. Unless `collect`,
    the copy's garbage collector is turned off: in a copy that leaves right after one task it
    would only walk the inherited heap."""
    pid = _fork()
    if pid == 0:
        if not collect:
            gc.disable()
        code = 1
        try:
            work()
            code = 0
        finally:  # an error is the waiting process's to handle: it learns of it by the exit code
            os._exit(code)
    return pid


def _fork() -> int:
    """os.fork, with Ctrl-C held back until it has returned: a KeyboardInterrupt raised inside
    fork (in the handlers it runs around it) is dropped by Python, and the build went on."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return os.fork()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # in the copy too, which never sees this one


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
