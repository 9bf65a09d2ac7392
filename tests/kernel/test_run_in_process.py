"""run_in_process: results and exceptions from another process; cancellation kills it.

The callables are standard-library functions, which pickle by name.
"""

from __future__ import annotations

import math
import multiprocessing
import operator
import os
import pathlib
import threading
import time

import pytest

from curio_kernel import run, run_in_process, run_in_thread, spawn


def test_returns_the_result(no_thread_leak: None) -> None:
    async def main() -> tuple[int, int, int]:
        return (
            await run_in_process(pow, 2, 16),
            await run_in_process(operator.mul, 6, 7),
            await run_in_process(math.factorial, 10),
        )

    assert run(main) == (65536, 42, 3628800)


def test_runs_in_another_process() -> None:
    async def main() -> int:
        return await run_in_process(os.getpid)

    child = run(main)
    assert isinstance(child, int)
    assert child != os.getpid()


def test_keyword_arguments_pass_through() -> None:
    async def main() -> int:
        return await run_in_process(int, "ff", base=16)

    assert run(main) == 255


def test_exception_comes_back() -> None:
    async def main() -> int:
        return await run_in_process(math.factorial, -1)

    with pytest.raises(ValueError, match="factorial"):
        run(main)


def test_unpicklable_result_is_a_clear_error() -> None:
    async def main() -> object:
        return await run_in_process(threading.Lock)

    with pytest.raises(RuntimeError, match="could not send back"):
        run(main)


def test_unpicklable_callable_is_an_error_and_leaves_no_process() -> None:
    async def main() -> object:
        return await run_in_process(lambda: 1)

    with pytest.raises(Exception, match=r"pickle|local object"):
        run(main)
    assert multiprocessing.active_children() == []


def test_child_that_dies_is_an_error_naming_its_exit_code() -> None:
    async def main() -> object:
        return await run_in_process(os._exit, 3)

    # The pipe's EOF and the exit status arrive separately: try a few times.
    for _ in range(3):
        with pytest.raises(RuntimeError, match="exit code 3"):
            run(main)


def test_several_processes_at_once() -> None:
    async def main() -> list[int]:
        tasks = [await spawn(run_in_process(pow, 2, i)) for i in range(4)]
        return [await t.join() for t in tasks]

    assert run(main) == [1, 2, 4, 8]


def test_cancel_terminates_the_process(tmp_path: pathlib.Path, no_thread_leak: None) -> None:
    # The child blocks reading a FIFO: opening its write end proves that the
    # child is running, and keeping it open keeps the child blocked.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def open_writer() -> int:
        return os.open(fifo, os.O_WRONLY)

    async def main() -> tuple[bool, int, float]:
        task = await spawn(run_in_process(fifo.read_bytes))
        writer = await run_in_thread(open_writer)
        try:
            (child,) = multiprocessing.active_children()
            pid = child.pid
            assert pid is not None
            start = time.monotonic()
            cancelled = await task.cancel()
            return cancelled, pid, time.monotonic() - start
        finally:
            os.close(writer)

    cancelled, pid, elapsed = run(main)
    assert cancelled is True
    assert elapsed < 3
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert multiprocessing.active_children() == []


def test_cancel_while_the_process_starts_leaves_no_process(no_thread_leak: None) -> None:
    # Cancelled at once: the task is still waiting for the process to start.
    async def main() -> bool:
        task = await spawn(run_in_process(time.sleep, 30))
        return await task.cancel()

    try:
        for _ in range(3):  # the start races with the cancellation: try a few times
            assert run(main) is True
            assert multiprocessing.active_children() == []
    finally:
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
