"""curio 1.6's time and timeouts: the "Time" and "Timeouts" sections of the 1.6 reference.

``sleep``, ``clock`` and ``wake_at``; ``timeout_after`` / ``ignore_after`` in their
three forms (a block, around a coroutine, around a coroutine function and its
arguments); ``timeout_at`` / ``ignore_at`` with absolute deadlines; how nested
timeouts are told apart; and the values refused.  The differences curio-kernel
documents: ``sleep(0)`` returns ``None``, and a negative ``timeout_after`` /
``ignore_after`` raises ``ValueError``.

Every sleep here is the thing timed or outlasts a short timeout; none synchronizes tasks.
The tests that wait run on the virtual clock, where each wait ends exactly at its
deadline and takes no real time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from curio_kernel import (
    IgnoreAfter,
    TaskTimeout,
    TimeoutAfter,
    TimeoutCancellationError,
    UncaughtTimeoutError,
    clock,
    ignore_after,
    ignore_at,
    run,
    sleep,
    spawn,
    timeout_after,
    timeout_at,
    wake_at,
)
from curio_kernel.testing import MockClock

pytestmark = pytest.mark.timeout(20)

#: A timeout that expires at once, and a wait that outlasts it by far.
SHORT = 0.01
LONG = 10.0
#: A timeout that never expires in a test.
GENEROUS = 60.0

FORMS = ["block", "coroutine", "corofunc"]


async def slow(seconds: float, value: str) -> str:
    """*value*, after sleeping *seconds*."""
    await sleep(seconds)
    return value


async def bounded(form: str, seconds: float, wait: float) -> str:
    """``slow(wait, "in time")`` under ``timeout_after(seconds)`` used as *form*."""
    if form == "block":
        async with timeout_after(seconds):
            return await slow(wait, "in time")
    if form == "coroutine":
        return await timeout_after(seconds, slow(wait, "in time"))
    return await timeout_after(seconds, slow, wait, "in time")


async def ignoring(form: str, seconds: float, wait: float, **kwargs: Any) -> object:
    """``slow(wait, "in time")`` under ``ignore_after(seconds, **kwargs)`` used as *form*.

    The block form returns what the block computed, or the manager's ``result`` on expiry.
    """
    if form == "block":
        async with ignore_after(seconds, **kwargs) as block:
            return await slow(wait, "in time")
        return block.result
    if form == "coroutine":
        return await ignore_after(seconds, slow(wait, "in time"), **kwargs)
    return await ignore_after(seconds, slow, wait, "in time", **kwargs)


# ---------------------------------------------------------------------- sleep, clock, wake_at


def test_sleep_returns_the_kernel_clock_after_the_wait(virtual_clock: MockClock) -> None:
    async def main() -> tuple[float, object, float]:
        before = await clock()
        woke = await sleep(SHORT)
        return before, woke, await clock()

    before, woke, after = run(main, clock=virtual_clock)
    assert isinstance(woke, float)
    assert (before, woke, after) == (0.0, SHORT, SHORT)


def test_sleep_zero_returns_none_a_documented_difference_from_1x() -> None:
    async def main() -> object:
        return await sleep(0)

    assert run(main) is None


def test_sleep_zero_switches_to_the_next_ready_task() -> None:
    order: list[str] = []

    async def other() -> None:
        await sleep(0)  # ready again at once, queued behind main
        order.append("other ran")

    async def main() -> None:
        task = await spawn(other)
        await sleep(0)
        order.append("main resumed")
        await task.join()

    run(main)
    assert order == ["other ran", "main resumed"]


def test_clock_is_monotonic(virtual_clock: MockClock) -> None:
    async def main() -> list[float]:
        readings = [await clock()]
        for _ in range(5):
            await sleep(0.001)
            readings.append(await clock())
        return readings

    readings = run(main, clock=virtual_clock)
    assert all(isinstance(value, float) for value in readings)
    assert readings == sorted(readings)
    assert readings == pytest.approx([0.001 * step for step in range(6)], abs=1e-12)


def test_clock_reads_time_monotonic() -> None:
    async def main() -> tuple[float, float, float]:
        low = time.monotonic()
        value = await clock()
        return low, value, time.monotonic()

    low, value, high = run(main)
    assert low <= value <= high


def test_wake_at_sleeps_until_the_deadline_and_returns_the_clock_then(
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[float, float]:
        deadline = await clock() + SHORT
        return deadline, await wake_at(deadline)

    deadline, woke = run(main, clock=virtual_clock)
    assert isinstance(woke, float)
    assert woke == deadline == SHORT


def test_wake_at_a_deadline_already_past_only_lets_the_ready_tasks_run() -> None:
    order: list[str] = []

    async def other() -> None:
        await sleep(0)
        order.append("other ran")

    async def main() -> tuple[float, float]:
        task = await spawn(other)
        deadline = await clock() - 1.0
        woke = await wake_at(deadline)
        order.append("main woke")
        await task.join()
        return deadline, woke

    deadline, woke = run(main)
    assert woke >= deadline
    assert order == ["other ran", "main woke"]


# ---------------------------------------------------------------------- timeout_after


@pytest.mark.parametrize("form", FORMS)
def test_timeout_after_returns_the_result_when_it_comes_in_time(
    form: str, virtual_clock: MockClock
) -> None:
    async def main() -> tuple[str, float]:
        return await bounded(form, GENEROUS, 0.001), await clock()

    assert run(main, clock=virtual_clock) == ("in time", 0.001)


@pytest.mark.parametrize("form", FORMS)
def test_timeout_after_raises_task_timeout_when_the_time_is_up(
    form: str, virtual_clock: MockClock
) -> None:
    async def main() -> None:
        with pytest.raises(TaskTimeout) as info:
            await bounded(form, SHORT, LONG)
        assert type(info.value) is TaskTimeout  # not an outer block's TimeoutCancellationError
        assert await clock() == SHORT

    run(main, clock=virtual_clock)


def test_timeout_after_block_sets_expired(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, bool]:
        in_time = timeout_after(GENEROUS)
        async with in_time:
            await sleep(0)
        late = timeout_after(SHORT)
        with pytest.raises(TaskTimeout):
            async with late:
                await sleep(LONG)
        return in_time.expired, late.expired

    assert run(main, clock=virtual_clock) == (False, True)


def test_timeout_after_none_is_no_limit(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, str, bool]:
        async with timeout_after(None) as block:
            await sleep(SHORT)
        around = await timeout_after(None, slow, SHORT, "no limit")
        return "block ended", around, block.expired

    assert run(main, clock=virtual_clock) == ("block ended", "no limit", False)


# ---------------------------------------------------------------------- ignore_after


@pytest.mark.parametrize("form", FORMS)
def test_ignore_after_returns_the_result_when_it_comes_in_time(
    form: str, virtual_clock: MockClock
) -> None:
    async def main() -> object:
        return await ignoring(form, GENEROUS, 0.001, timeout_result="late")

    assert run(main, clock=virtual_clock) == "in time"


@pytest.mark.parametrize("form", FORMS)
def test_ignore_after_gives_none_when_the_time_is_up(form: str, virtual_clock: MockClock) -> None:
    async def main() -> tuple[object, float]:
        return await ignoring(form, SHORT, LONG), await clock()

    assert run(main, clock=virtual_clock) == (None, SHORT)


@pytest.mark.parametrize("form", FORMS)
def test_ignore_after_gives_timeout_result_when_the_time_is_up(
    form: str, virtual_clock: MockClock
) -> None:
    async def main() -> object:
        return await ignoring(form, SHORT, LONG, timeout_result="late")

    assert run(main, clock=virtual_clock) == "late"


def test_ignore_after_block_has_expired_and_result_once_the_time_is_up(
    virtual_clock: MockClock,
) -> None:
    async def main() -> IgnoreAfter[str]:
        async with ignore_after(SHORT, timeout_result="late") as block:
            await sleep(LONG)
        return block

    block = run(main, clock=virtual_clock)
    assert block.expired is True
    assert block.result == "late"


def test_ignore_after_block_in_time_is_not_expired_and_has_no_result(
    virtual_clock: MockClock,
) -> None:
    async def main() -> IgnoreAfter[str]:
        async with ignore_after(GENEROUS, timeout_result="late") as block:
            await sleep(0.001)
        return block

    block = run(main, clock=virtual_clock)
    assert block.expired is False
    assert block.result is None


# ---------------------------------------------------------------------- timeout_at, ignore_at


def test_timeout_at_raises_task_timeout_at_the_absolute_deadline(virtual_clock: MockClock) -> None:
    async def main() -> tuple[float, float, object]:
        deadline = await clock() + SHORT
        try:
            async with timeout_at(deadline):
                await sleep(LONG)
        except TaskTimeout as exc:
            return deadline, await clock(), exc.args[0]
        raise AssertionError("no timeout")

    deadline, now, reported = run(main, clock=virtual_clock)
    assert now == deadline == SHORT
    assert reported == deadline


def test_timeout_at_returns_the_result_before_the_deadline(virtual_clock: MockClock) -> None:
    async def main() -> list[str]:
        deadline = await clock() + GENEROUS
        return [
            await timeout_at(deadline, slow(0.001, "coroutine")),
            await timeout_at(deadline, slow, 0.001, "corofunc"),
        ]

    assert run(main, clock=virtual_clock) == ["coroutine", "corofunc"]


def test_timeout_at_a_deadline_already_past_expires_at_the_first_blocking_call(
    virtual_clock: MockClock,
) -> None:
    log: list[str] = []

    async def block(deadline: float) -> None:
        async with timeout_at(deadline):
            log.append("the block starts")
            await sleep(LONG)
            log.append("never reached")

    async def main() -> None:
        with pytest.raises(TaskTimeout):
            await block(await clock() - 1.0)

    run(main, clock=virtual_clock)
    assert log == ["the block starts"]


def test_ignore_at_gives_timeout_result_at_the_absolute_deadline(virtual_clock: MockClock) -> None:
    async def main() -> list[object]:
        deadline = await clock() + SHORT
        return [
            await ignore_at(deadline, slow(LONG, "coroutine"), timeout_result="late"),
            await ignore_at(deadline, slow, LONG, "corofunc", timeout_result="later"),
            await clock(),
        ]

    assert run(main, clock=virtual_clock) == ["late", "later", SHORT]


def test_ignore_at_a_deadline_already_past_ends_the_block_quietly(virtual_clock: MockClock) -> None:
    async def main() -> IgnoreAfter[str]:
        async with ignore_at(await clock() - 1.0, timeout_result="past") as block:
            await sleep(LONG)
        return block

    block = run(main, clock=virtual_clock)
    assert block.expired is True
    assert block.result == "past"


# ---------------------------------------------------------------------- nested timeouts


def test_the_outer_timeout_handler_matches_when_the_outer_timeout_expires(
    virtual_clock: MockClock,
) -> None:
    printed: list[str] = []

    async def main() -> None:
        try:
            async with timeout_after(SHORT):  # expires first
                try:
                    async with timeout_after(GENEROUS):
                        await sleep(1000)
                except TaskTimeout:  # (a) does not match
                    printed.append("Inner timeout")
        except TaskTimeout:  # (b) matches
            printed.append("Outer timeout")
        printed.append(f"at {await clock()}")

    run(main, clock=virtual_clock)
    assert printed == ["Outer timeout", f"at {SHORT}"]


def test_the_inner_block_sees_timeout_cancellation_error_when_the_outer_one_expires(
    virtual_clock: MockClock,
) -> None:
    seen: list[BaseException] = []
    outer, inner = timeout_after(SHORT), timeout_after(GENEROUS)

    async def nested() -> None:
        async with outer:
            try:
                async with inner:
                    await sleep(1000)
            except BaseException as exc:
                seen.append(exc)
                raise

    async def main() -> tuple[type[BaseException], bool]:
        with pytest.raises(TaskTimeout):
            await nested()
        assert outer.expired
        return type(seen[0]), inner.expired

    assert run(main, clock=virtual_clock) == (TimeoutCancellationError, False)


def test_an_inner_task_timeout_escaping_an_outer_block_becomes_uncaught_timeout_error(
    virtual_clock: MockClock,
) -> None:
    async def nested() -> None:
        # The inner block has no handler for its TaskTimeout.
        async with timeout_after(GENEROUS), timeout_after(SHORT):
            await sleep(LONG)

    async def main() -> None:
        with pytest.raises(UncaughtTimeoutError) as info:
            await nested()
        assert isinstance(info.value.__cause__, TaskTimeout)

    run(main, clock=virtual_clock)


# ---------------------------------------------------------------------- values refused


@pytest.mark.parametrize(
    ("make", "name"),
    [(timeout_after, "timeout_after"), (ignore_after, "ignore_after")],
    ids=["timeout_after", "ignore_after"],
)
def test_a_negative_timeout_raises_value_error_naming_the_function(
    make: Callable[[float], TimeoutAfter | IgnoreAfter[None] | Awaitable[Any]], name: str
) -> None:
    with pytest.raises(ValueError, match=rf"{name}\(\)"):
        make(-1)


def test_a_nan_timeout_raises_value_error() -> None:
    with pytest.raises(ValueError):
        timeout_after(math.nan)


def test_a_timeout_that_is_not_a_number_raises_type_error() -> None:
    with pytest.raises(TypeError):
        timeout_after("1")  # type: ignore[call-overload]


def test_a_negative_sleep_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"sleep\(\)"):
        sleep(-1)  # type: ignore[unused-coroutine]
