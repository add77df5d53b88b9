"""Web workers pinned each to a CPU of its own: two workers take two places and two different CPUs, all their
threads (those started later too) run there, and a worker that ends gives its place to the next one."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from frenchbot.core.webprocess import is_one_of_several_workers

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="il faut au moins deux processeurs pour attacher deux processus web à deux processeurs différents",
)

# A worker: takes its place and the CPU of that place, starts a thread, prints the CPUs each of its threads may run on, then waits for a
# line on its input before it ends (so that the test decides how long it holds its place).
WORKER = textwrap.dedent(
    """
    import json, os, sys, threading
    from pathlib import Path
    from frenchbot.core.webprocess import pin_worker_to_cpu, take_worker_place

    place = take_worker_place(folder=Path(sys.argv[1]))
    assert take_worker_place(folder=Path(sys.argv[1])) == place  # held for the process's life
    cpu = pin_worker_to_cpu(place=place)
    later = threading.Thread(target=lambda: print(json.dumps(sorted(os.sched_getaffinity(0))), flush=True))
    later.start()
    later.join()
    print(json.dumps([cpu, sorted(os.sched_getaffinity(0))]), flush=True)
    sys.stdin.readline()
    """
)


def _start(folder) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", WORKER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )


def _pinned(worker: subprocess.Popen) -> tuple[int, list[int], list[int]]:
    """The worker's CPU, the CPUs its main thread may use, those of the thread it started afterwards."""
    later = json.loads(worker.stdout.readline())
    cpu, main = json.loads(worker.stdout.readline())
    return cpu, main, later


def _stop(worker: subprocess.Popen) -> None:
    worker.stdin.write("\n")
    worker.stdin.flush()
    worker.wait(timeout=10)


def test_two_workers_take_two_cpus_with_all_their_threads_and_a_new_one_takes_a_freed_place(tmp_path):
    cpus = sorted(os.sched_getaffinity(0))
    first, second = _start(tmp_path), _start(tmp_path)
    try:
        first_cpu, first_threads, first_later = _pinned(first)
        second_cpu, second_threads, second_later = _pinned(second)
        assert {first_cpu, second_cpu} == set(cpus[:2])
        assert first_threads == first_later == [first_cpu]
        assert second_threads == second_later == [second_cpu]

        _stop(first)  # the first worker ends: its place is free again
        third = _start(tmp_path)
        try:
            assert _pinned(third)[0] == first_cpu
        finally:
            _stop(third)
    finally:
        for worker in (first, second):
            if worker.poll() is None:
                _stop(worker)


def test_a_test_or_a_command_is_not_one_of_several_workers():
    # Pinning is only for uvicorn's --workers; this process (pytest) keeps every CPU.
    assert not is_one_of_several_workers()
    assert len(os.sched_getaffinity(0)) >= 2
