"""Both cores: forked workers give exactly what one process gives, in order, errors included."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from digest import workers
from digest import related
from tests.conftest import REPO, build, living_children, messages, site_files


def test_results_come_back_in_order_and_equal_to_one_process():
    values = [(index * 7919) % 1000 for index in range(1234)]

    def task(index):
        return index, os.getpid(), sum(range(values[index]))  # uneven work

    results = workers.parallel_map(task, len(values))
    assert [(i, s) for i, _, s in results] == [(i, sum(range(v))) for i, v in enumerate(values)]
    pids = {pid for _, pid, _ in results}
    assert os.getpid() in pids  # this process took its share
    assert len(pids) >= 2 or workers.worker_count() == 1


def test_small_counts_stay_in_this_process():
    assert {workers.parallel_map(lambda index: os.getpid(), 10)[i] for i in range(10)} == {os.getpid()}


@pytest.mark.parametrize("where", [0, 1, 499])  # in whichever process takes its chunk
def test_an_error_in_any_task_is_raised_here(where):
    def task(index):
        if index == where:
            raise ValueError(f"task {index} failed")
        return index

    with pytest.raises(ValueError, match=f"task {where} failed"):
        workers.parallel_map(task, 500)


def test_a_free_process_takes_the_chunks_a_busy_one_has_not_reached(monkeypatch):
    monkeypatch.setattr(workers, "worker_count", lambda: 2)
    here = os.getpid()

    def task(index):
        if os.getpid() == here:
            time.sleep(0.1)  # this process is slow; the worker is not
        return os.getpid()

    results = workers.parallel_map(task, 64, minimum=0)
    # One share each would leave 32 tasks here; with small chunks the worker takes nearly all.
    assert 0 < results.count(here) <= 8
    assert len(set(results) - {here}) == 1


@pytest.mark.skipif(not workers._can_fork(), reason="no workers to fork here")
def test_this_process_takes_chunks_from_the_front_and_the_workers_from_the_back(monkeypatch):
    """So items put together at one end are mostly done by one process (contiguous chunks)."""
    monkeypatch.setattr(workers, "worker_count", lambda: 2)
    here = os.getpid()

    def task(index):
        time.sleep(0.002)
        return os.getpid()

    results = workers.parallel_map(task, 64, minimum=0, contiguous=True)
    switch = results.index(next(pid for pid in results if pid != here))
    assert 0 < switch < 64 and results[:switch] == [here] * switch
    assert len(set(results[switch:])) == 1 and here not in results[switch:]


def test_a_background_task_runs_in_another_process_and_its_failure_is_told(tmp_path):
    marker = tmp_path / "pid"
    done = workers.Background(lambda: marker.write_text(str(os.getpid())))
    assert done.wait() and done.wait()  # asked twice, the same answer
    assert marker.read_text() != str(os.getpid())

    def fails():
        raise OSError("disk full")

    assert not workers.Background(fails).wait()


def test_a_task_awaiting_a_value_gets_it_in_another_process_and_fails_without_it(tmp_path):
    marker = tmp_path / "got"
    with workers.Awaiting(lambda receive: marker.write_text(f"{os.getpid()} {receive()}")) as task:
        task.give("files")
        assert task.wait() and task.wait()  # asked twice, the same answer
    pid, value = marker.read_text().split()
    assert value == "files" and (int(pid) != os.getpid() or not workers._can_fork())
    with workers.Awaiting(lambda receive: marker.write_text(receive())) as never:
        pid = never.pid
    assert not never.wait()  # given nothing: it failed, and did not wait for ever
    if pid is not None:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, 0)  # and was waited for on leaving the block


def test_giving_to_a_task_that_failed_first_is_no_error_here():
    def fails(receive):
        raise OSError("disk full")  # before it needs the value

    task = workers.Awaiting(fails)
    task.give("x" * 1_000_000)  # far more than a pipe holds: written until the copy is gone
    assert not task.wait()


def test_without_fork_an_awaiting_task_runs_here_when_given(monkeypatch):
    monkeypatch.setattr(workers, "_can_fork", lambda: False)
    got = []
    task = workers.Awaiting(lambda receive: got.append(receive()))
    assert got == []
    task.give(7)
    assert got == [7] and task.wait()
    assert not workers.Awaiting(lambda receive: got.append(receive())).wait() and got == [7]


def test_a_large_site_builds_the_same_bytes_and_problems_on_one_core_and_on_all(project, tmp_path, monkeypatch):
    files = "".join(
        f"-- content/articles/a{i:03d}.md --\n---\ntitle: Article {i}\n"
        + ("" if i % 50 == 7 else f"date: 2021-{1 + i % 12:02d}-{1 + i % 28:02d}\n") +  # a warning
        f"tags: [topic {i % 9}, topic {i % 4}]\nentities: [{['nato', 'russia', 'belgium'][i % 3]}]\n---\n"
        f"Russia and NATO, item {i}. See [the first](article:a000).\n" for i in range(450))
    entities = ("-- content/entities.yaml --\nnato:\n  name: NATO\n  type: organization\nrussia:\n  name: Russia\n"
                "  type: country\nbelgium:\n  name: Belgium\n  type: country\n")
    root = project(entities + files)
    monkeypatch.setattr(related, "MATRIX_MIN", 0)  # related items by the matrix method, in blocks on all cores
    outcome = build(root)
    assert outcome.written and len(outcome.report.warnings) >= 9
    everywhere, warnings = site_files(root), messages(outcome)
    copy = tmp_path / "one-core"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.*"))
    monkeypatch.setattr(workers, "worker_count", lambda: 1)
    outcome = build(copy)
    assert outcome.written
    assert site_files(copy) == everywhere
    assert messages(outcome) == [warning.replace(str(root), str(copy)) for warning in warnings]


def test_a_forked_value_comes_from_another_process_or_is_computed_here():
    with workers.Forked(lambda: (os.getpid(), list(range(100_000)))) as later:
        pid, numbers = later.value()
    assert numbers == list(range(100_000)) and (pid != os.getpid() or not workers._can_fork())

    main = os.getpid()

    def only_here():
        if os.getpid() != main:
            raise RuntimeError("the copy fails")
        return "here"

    with workers.Forked(only_here) as later:
        assert later.value() == "here"


def test_a_forked_value_not_asked_for_leaves_no_process_behind():
    with workers.Forked(lambda: "x" * 10_000_000) as later:  # far more than a pipe holds: the copy blocks
        pid = later.pid
    if pid is not None:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, 0)


@pytest.mark.skipif(not workers._can_fork() or workers.worker_count() < 2, reason="no workers to fork here")
def test_a_worker_that_dies_is_an_error_here_not_a_hang(monkeypatch):
    monkeypatch.setattr(workers, "worker_count", lambda: 3)  # two workers: both are waited for
    here = os.getpid()

    def task(index):
        if os.getpid() == here:
            time.sleep(0.0005)  # slow here: the workers surely take chunks
        elif index % 50 == 3:
            os.kill(os.getpid(), signal.SIGKILL)  # the out-of-memory killer, say
        return "x" * 10_000

    before = living_children()
    with pytest.raises(RuntimeError, match="ended abnormally"):
        workers.parallel_map(task, 2000)
    assert living_children() <= before


@pytest.mark.skipif(not workers._can_fork() or workers.worker_count() < 2, reason="no workers to fork here")
def test_results_a_worker_cannot_send_are_an_error_here():
    here = os.getpid()

    def task(index):
        if os.getpid() == here:
            time.sleep(0.001)  # slow here: the worker surely takes chunks
            return index
        return lambda: index  # a lambda does not pickle

    before = living_children()
    with pytest.raises(Exception, match="pickle|lambda"):
        workers.parallel_map(task, 2000)
    assert living_children() <= before


def test_an_error_here_waits_for_workers_sending_large_results():
    here = os.getpid()

    def task(index):
        if os.getpid() == here and index > 100:
            raise KeyError("stopped here")
        return "y" * 200_000  # far more than a pipe holds, chunk after chunk

    before = living_children()
    with pytest.raises(KeyError, match="stopped here"):
        workers.parallel_map(task, 2000)
    assert living_children() <= before


class _NeedsTwo(Exception):
    def __init__(self, first, second):  # made again from its args alone, it fails: pickles one way only
        super().__init__(f"{first} and {second}")


@pytest.mark.skipif(not workers._can_fork(), reason="no workers to fork here")
def test_a_workers_error_that_cannot_be_made_again_is_told_in_words_with_its_traceback(monkeypatch):
    monkeypatch.setattr(workers, "worker_count", lambda: 2)
    here = os.getpid()

    def task(index):
        if os.getpid() != here:
            raise _NeedsTwo("this", "that")
        time.sleep(0.001)
        return index

    with pytest.raises(RuntimeError, match="this and that") as raised:
        workers.parallel_map(task, 500, minimum=0)
    assert "_NeedsTwo" in str(raised.value) and "in task" in "".join(raised.value.__notes__)


@pytest.mark.skipif(not workers._can_fork(), reason="no workers to fork here")
@pytest.mark.parametrize("forks_allowed", [0, 1])
def test_workers_that_cannot_all_be_forked_leave_the_work_to_those_that_were(monkeypatch, forks_allowed):
    monkeypatch.setattr(workers, "worker_count", lambda: 3)  # two workers wanted
    forked, fork = [], os.fork

    def fork_until_out_of_memory():
        if len(forked) == forks_allowed:
            raise OSError(12, "Cannot allocate memory")
        forked.append(True)
        return fork()

    monkeypatch.setattr(os, "fork", fork_until_out_of_memory)
    before, descriptors = living_children(), len(os.listdir("/proc/self/fd"))
    values = [index * 3 for index in range(600)]
    assert workers.parallel_map(lambda index: values[index], 600, minimum=0) == values
    assert living_children() <= before and len(os.listdir("/proc/self/fd")) == descriptors


def test_ctrl_c_while_a_worker_is_forked_is_not_lost():
    """Python drops a KeyboardInterrupt raised in the handlers fork runs: Ctrl-C is held back
    until the fork has returned, then stops the work as anywhere else."""
    script = (
        "import os, signal\n"
        "from digest import workers\n"
        "os.register_at_fork(before=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
        "try:\n"
        "    workers.parallel_map(lambda index: sum(range(20000)), 2000)\n"
        "    print('finished')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert result.stdout.strip() == "interrupted", result.stderr
    assert "Exception ignored" not in result.stderr
