"""run_in_executor: a user's concurrent.futures executor."""

from __future__ import annotations

import multiprocessing
import operator
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from curio_kernel import run, run_in_executor, spawn


def test_thread_pool_result_and_kwargs(no_thread_leak: None) -> None:
    async def main() -> tuple[int, int]:
        with ThreadPoolExecutor(2) as pool:
            a = await run_in_executor(pool, operator.mul, 6, 7)
            b = await run_in_executor(pool, int, "ff", base=16)
        return a, b

    assert run(main) == (42, 255)


def test_thread_pool_exception(no_thread_leak: None) -> None:
    async def main() -> None:
        with ThreadPoolExecutor(1) as pool:
            await run_in_executor(pool, operator.truediv, 1, 0)

    with pytest.raises(ZeroDivisionError):
        run(main)


def test_process_pool_result() -> None:
    async def main() -> int:
        # forkserver: forking a process that has threads is deprecated (3.12+).
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            return await run_in_executor(pool, pow, 3, 4)

    assert run(main) == 81


def test_cancel_a_task_waiting_on_the_executor(no_thread_leak: None) -> None:
    release = threading.Event()

    async def main() -> bool:
        with ThreadPoolExecutor(1) as pool:
            task = await spawn(run_in_executor(pool, release.wait, 5))
            cancelled = await task.cancel()
            release.set()
        return cancelled

    assert run(main) is True


def test_cancel_a_queued_executor_call_cancels_its_future(no_thread_leak: None) -> None:
    release = threading.Event()
    ran: list[str] = []

    def queued() -> None:
        ran.append("queued call ran")

    async def main() -> None:
        with ThreadPoolExecutor(1) as pool:
            busy = await spawn(run_in_executor(pool, release.wait, 5))
            waiting = await spawn(run_in_executor(pool, queued))
            await waiting.cancel()
            release.set()
            await busy.join()

    run(main)
    assert ran == []


def test_not_an_executor_is_a_type_error() -> None:
    async def main() -> None:
        await run_in_executor(object(), abs, 1)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="Executor"):
        run(main)
