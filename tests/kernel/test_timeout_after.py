"""timeout_after: as a block, around a coroutine, around a function and its arguments."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import (
    TaskTimeout,
    clock,
    run,
    sleep,
    spawn,
    timeout_after,
)
from curio_traps import _wait_on_queue


async def slow(value: str, seconds: float = 10.0) -> str:
    await sleep(seconds)
    return value


async def fast(value: str) -> str:
    await sleep(0)
    return value


def test_block_expires_with_task_timeout() -> None:
    reached: list[str] = []

    async def main() -> float:
        start = await clock()
        try:
            async with timeout_after(0.02):
                await sleep(10)
                reached.append("after sleep")
        except TaskTimeout:
            reached.append("timed out")
        return await clock() - start

    elapsed = run(main)
    assert 0.015 <= elapsed < 2
    assert reached == ["timed out"]


def test_block_sets_expired() -> None:
    async def main() -> tuple[bool, bool]:
        fine = timeout_after(1)
        async with fine:
            await sleep(0)
        late = timeout_after(0.01)
        try:
            async with late:
                await sleep(10)
        except TaskTimeout:
            pass
        return fine.expired, late.expired

    assert run(main) == (False, True)


def test_block_that_ends_in_time() -> None:
    async def main() -> str:
        async with timeout_after(5):
            result = await fast("quick")
        return result

    assert run(main) == "quick"


def test_around_a_coroutine() -> None:
    async def main() -> tuple[str, str]:
        ok = await timeout_after(5, fast("in time"))
        try:
            await timeout_after(0.01, slow("late"))
        except TaskTimeout:
            return ok, "timed out"
        return ok, "not timed out"

    assert run(main) == ("in time", "timed out")


def test_around_a_coroutine_function_and_arguments() -> None:
    async def main() -> tuple[str, str]:
        ok = await timeout_after(5, slow, "in time", 0.001)
        try:
            await timeout_after(0.01, slow, "late", 10.0)
        except TaskTimeout:
            return ok, "timed out"
        return ok, "not timed out"

    assert run(main) == ("in time", "timed out")


def test_exception_inside_the_block_passes_through() -> None:
    async def main() -> None:
        async with timeout_after(5):
            await sleep(0)
            raise KeyError("inner")

    with pytest.raises(KeyError, match="inner"):
        run(main)


def test_no_spurious_cancellation_after_the_block() -> None:
    async def main() -> str:
        async with timeout_after(0.02):
            await sleep(0)
        # The block's deadline passes during this sleep: nothing may fire.
        await sleep(0.05)
        return "uninterrupted"

    assert run(main) == "uninterrupted"


def test_deadline_passing_while_the_task_is_busy_does_not_leak_out_of_the_block() -> None:
    import time

    async def main() -> str:
        async with timeout_after(0.01):
            time.sleep(0.03)  # busy past the deadline: the timeout is now pending
            await sleep(0)  # not blocking: the block ends without the timeout raising
        await sleep(0)
        await sleep(0.01)
        return "no stray timeout"

    assert run(main) == "no stray timeout"


def test_none_means_no_limit() -> None:
    async def main() -> str:
        async with timeout_after(None):
            await sleep(0.02)
        return await timeout_after(None, slow("unbounded", 0.01))

    assert run(main) == "unbounded"


def test_a_zero_timeout_expires_at_the_first_wait() -> None:
    async def main() -> str:
        try:
            async with timeout_after(0):
                await sleep(10)
        except TaskTimeout:
            return "expired"
        return "not expired"

    assert run(main) == "expired"


def test_a_negative_timeout_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"timeout_after\(\) needs a non-negative"):
        timeout_after(-1)


def test_timeout_while_waiting_on_a_queue_removes_the_task() -> None:
    kqueue: deque[Any] = deque()

    async def main() -> int:
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await _wait_on_queue(kqueue, "Q")
        return len(kqueue)

    assert run(main) == 0


def test_timeout_while_joining(flag: Callable[[], Any]) -> None:
    gate = flag()

    async def main() -> str:
        task = await spawn(gate.wait())
        with pytest.raises(TaskTimeout):
            await timeout_after(0.01, task.join())
        # The task itself is unaffected by its joiner's timeout.
        assert not task.terminated
        await gate.set()
        await task.join()
        return "joined later"

    assert run(main) == "joined later"


def test_timeouts_of_one_task_do_not_touch_another() -> None:
    async def other() -> str:
        await sleep(0.05)
        return "other finished"

    async def main() -> str:
        task = await spawn(other())
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await sleep(10)
        result: str = await task.join()
        return result

    assert run(main) == "other finished"


def test_many_blocks_that_never_fire_then_one_that_does() -> None:
    async def main() -> str:
        for _ in range(3000):
            async with timeout_after(10):
                await sleep(0)
        try:
            async with timeout_after(0.01):
                await sleep(10)
        except TaskTimeout:
            pass
        await sleep(0.02)
        return "ok"

    assert run(main) == "ok"


def test_a_timed_out_task_can_be_joined_by_others() -> None:
    async def child() -> str:
        return await timeout_after(0.01, slow("late"))

    async def main() -> BaseException | None:
        task = await spawn(child())
        try:
            await task.join()
        except Exception as exc:
            return exc.__cause__
        return None

    assert isinstance(run(main), TaskTimeout)


def test_bad_timeout_values() -> None:
    with pytest.raises(TypeError):
        timeout_after("1")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="NaN"):
        timeout_after(float("nan"))
