"""run_in_thread: results, exceptions, arguments, concurrency, no thread left behind."""

from __future__ import annotations

import threading

import pytest

from curio_kernel import TaskError, run, run_in_thread, sleep, spawn


def test_returns_the_result(no_thread_leak: None) -> None:
    async def main() -> int:
        return await run_in_thread(pow, 2, 10)

    assert run(main) == 1024


def test_raises_the_exception(no_thread_leak: None) -> None:
    def fail() -> None:
        raise LookupError("from the thread")

    async def main() -> None:
        await run_in_thread(fail)

    with pytest.raises(LookupError, match="from the thread"):
        run(main)


def test_keyword_arguments_pass_through(no_thread_leak: None) -> None:
    def describe(a: int, b: int = 0, *, c: str = "") -> str:
        return f"{a}-{b}-{c}"

    async def main() -> str:
        return await run_in_thread(describe, 1, b=2, c="three")

    assert run(main) == "1-2-three"


def test_runs_outside_the_kernel_thread(no_thread_leak: None) -> None:
    async def main() -> bool:
        worker = await run_in_thread(threading.current_thread)
        return worker is threading.current_thread()

    assert run(main) is False


def test_calls_run_concurrently(no_thread_leak: None) -> None:
    # Four calls that each wait for the other three: they finish only if
    # the kernel runs them at the same time.
    barrier = threading.Barrier(4, timeout=5)

    async def call() -> int:
        return await run_in_thread(barrier.wait)

    async def main() -> list[int]:
        tasks = [await spawn(call()) for _ in range(4)]
        return sorted([await t.join() for t in tasks])

    assert run(main) == [0, 1, 2, 3]


def test_other_tasks_run_while_a_thread_works(no_thread_leak: None) -> None:
    release = threading.Event()
    log: list[str] = []

    async def ticker() -> None:
        for _ in range(3):
            log.append("tick")
            await sleep(0)
        release.set()

    async def main() -> bool:
        await spawn(ticker())
        return await run_in_thread(release.wait, 5)

    assert run(main) is True
    assert log == ["tick", "tick", "tick"]


def test_crash_in_thread_seen_by_a_joiner(no_thread_leak: None) -> None:
    async def child() -> None:
        await run_in_thread(int, "not a number")

    async def main() -> BaseException | None:
        task = await spawn(child())
        try:
            await task.join()
        except TaskError as exc:
            return exc.__cause__
        return None

    assert isinstance(run(main), ValueError)


def test_no_thread_left_after_many_calls(no_thread_leak: None) -> None:
    async def main() -> int:
        total = 0
        for i in range(50):
            total += await run_in_thread(abs, -i)
        return total

    assert run(main) == sum(range(50))


def test_no_thread_left_after_a_cancelled_call(no_thread_leak: None) -> None:
    release = threading.Event()

    async def main() -> bool:
        task = await spawn(run_in_thread(release.wait, 5))
        cancelled = await task.cancel()
        release.set()
        return cancelled

    assert run(main) is True
