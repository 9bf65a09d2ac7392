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
from curio_kernel.testing import MockClock
from curio_traps import _wait_on_queue


async def slow(value: str, seconds: float = 10.0) -> str:
    await sleep(seconds)
    return value


async def fast(value: str) -> str:
    await sleep(0)
    return value


def test_block_expires_with_task_timeout(virtual_clock: MockClock) -> None:
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

    assert run(main, clock=virtual_clock) == 0.02
    assert reached == ["timed out"]


def test_block_sets_expired(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, bool, float]:
        fine = timeout_after(1)
        async with fine:
            await sleep(0)
        late = timeout_after(0.01)
        try:
            async with late:
                await sleep(10)
        except TaskTimeout:
            pass
        return fine.expired, late.expired, await clock()

    assert run(main, clock=virtual_clock) == (False, True, 0.01)


def test_block_that_ends_in_time() -> None:
    async def main() -> str:
        async with timeout_after(5):
            result = await fast("quick")
        return result

    assert run(main) == "quick"


def test_around_a_coroutine(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, str, float]:
        ok = await timeout_after(5, fast("in time"))
        try:
            await timeout_after(0.01, slow("late"))
        except TaskTimeout:
            return ok, "timed out", await clock()
        return ok, "not timed out", await clock()

    assert run(main, clock=virtual_clock) == ("in time", "timed out", 0.01)


def test_around_a_coroutine_function_and_arguments(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float, str, float]:
        ok = await timeout_after(5, slow, "in time", 4.0)
        in_time = await clock()
        try:
            await timeout_after(0.5, slow, "late", 10.0)
        except TaskTimeout:
            return ok, in_time, "timed out", await clock()
        return ok, in_time, "not timed out", await clock()

    assert run(main, clock=virtual_clock) == ("in time", 4.0, "timed out", 4.5)


def test_exception_inside_the_block_passes_through() -> None:
    async def main() -> None:
        async with timeout_after(5):
            await sleep(0)
            raise KeyError("inner")

    with pytest.raises(KeyError, match="inner"):
        run(main)


def test_no_spurious_cancellation_after_the_block(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        async with timeout_after(0.02):
            await sleep(0)
        # The block's deadline passes during this sleep: nothing may fire.
        await sleep(0.05)
        return "uninterrupted", await clock()

    assert run(main, clock=virtual_clock) == ("uninterrupted", 0.05)


def test_deadline_passing_while_the_task_is_busy_does_not_leak_out_of_the_block(
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[str, float]:
        async with timeout_after(0.01):
            virtual_clock.jump(0.03)  # busy past the deadline: the timeout is now pending
            await sleep(0)  # not blocking: the block ends without the timeout raising
        await sleep(0)
        await sleep(0.01)
        return "no stray timeout", await clock()

    assert run(main, clock=virtual_clock) == ("no stray timeout", 0.04)


def test_none_means_no_limit(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        async with timeout_after(None):
            await sleep(3600)
        return await timeout_after(None, slow("unbounded", 7200)), await clock()

    assert run(main, clock=virtual_clock) == ("unbounded", 10800.0)


def test_a_zero_timeout_expires_at_the_first_wait(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        try:
            async with timeout_after(0):
                await sleep(10)
        except TaskTimeout:
            return "expired", await clock()
        return "not expired", await clock()

    assert run(main, clock=virtual_clock) == ("expired", 0.0)


def test_a_negative_timeout_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"timeout_after\(\) needs a non-negative"):
        timeout_after(-1)


def test_timeout_while_waiting_on_a_queue_removes_the_task(virtual_clock: MockClock) -> None:
    kqueue: deque[Any] = deque()

    async def main() -> tuple[int, float]:
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await _wait_on_queue(kqueue, "Q")
        return len(kqueue), await clock()

    assert run(main, clock=virtual_clock) == (0, 0.01)


def test_timeout_while_joining(flag: Callable[[], Any], virtual_clock: MockClock) -> None:
    gate = flag()

    async def main() -> tuple[str, float]:
        task = await spawn(gate.wait())
        with pytest.raises(TaskTimeout):
            await timeout_after(0.01, task.join())
        # The task itself is unaffected by its joiner's timeout.
        assert not task.terminated
        await gate.set()
        await task.join()
        return "joined later", await clock()

    assert run(main, clock=virtual_clock) == ("joined later", 0.01)


def test_timeouts_of_one_task_do_not_touch_another(virtual_clock: MockClock) -> None:
    async def other() -> tuple[str, float]:
        await sleep(0.05)
        return "other finished", await clock()

    async def main() -> tuple[tuple[str, float], float]:
        task = await spawn(other())
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await sleep(10)
        timed_out = await clock()
        result: tuple[str, float] = await task.join()
        return result, timed_out

    assert run(main, clock=virtual_clock) == (("other finished", 0.05), 0.01)


def test_many_blocks_that_never_fire_then_one_that_does(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        for _ in range(3000):
            async with timeout_after(10):
                await sleep(0)
        try:
            async with timeout_after(0.01):
                await sleep(10)
        except TaskTimeout:
            pass
        fired = await clock()
        # None of the 3000 deadlines (at 10.0) may fire later either.
        await sleep(20)
        return "ok", fired

    assert run(main, clock=virtual_clock) == ("ok", 0.01)
    assert virtual_clock.now() == 20.01


def test_a_timed_out_task_can_be_joined_by_others(virtual_clock: MockClock) -> None:
    async def child() -> str:
        return await timeout_after(0.01, slow("late"))

    async def main() -> tuple[BaseException | None, float]:
        task = await spawn(child())
        try:
            await task.join()
        except Exception as exc:
            return exc.__cause__, await clock()
        return None, await clock()

    cause, joined = run(main, clock=virtual_clock)
    assert isinstance(cause, TaskTimeout)
    assert joined == 0.01


def test_bad_timeout_values() -> None:
    with pytest.raises(TypeError):
        timeout_after("1")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="NaN"):
        timeout_after(float("nan"))
