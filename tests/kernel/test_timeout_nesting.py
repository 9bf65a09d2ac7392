"""Nested timeouts: an outer timeout is never mistaken for an inner one."""

from __future__ import annotations

import pytest

from curio_kernel import (
    TaskTimeout,
    TimeoutCancellationError,
    UncaughtTimeoutError,
    clock,
    ignore_after,
    run,
    sleep,
    timeout_after,
)
from curio_kernel.testing import MockClock


def test_outer_expiring_inside_inner(virtual_clock: MockClock) -> None:
    seen_inside: list[type[BaseException]] = []
    left_inner: list[type[BaseException]] = []

    async def main() -> tuple[str, float]:
        try:
            async with timeout_after(0.01):  # outer: expires first
                try:
                    async with timeout_after(5):  # inner
                        try:
                            await sleep(10)
                        except BaseException as exc:
                            seen_inside.append(type(exc))
                            raise
                except BaseException as exc:
                    left_inner.append(type(exc))
                    raise
        except TaskTimeout:
            return "outer raised TaskTimeout", await clock()
        return "no timeout", await clock()

    assert run(main, clock=virtual_clock) == ("outer raised TaskTimeout", 0.01)
    assert seen_inside == [TimeoutCancellationError]
    assert left_inner == [TimeoutCancellationError]


def test_inner_expiring_is_caught_by_the_inner_block(virtual_clock: MockClock) -> None:
    async def main() -> list[tuple[str, float]]:
        log = []
        async with timeout_after(5):
            try:
                async with timeout_after(0.01):
                    await sleep(10)
            except TaskTimeout:
                log.append(("inner timed out", await clock()))
            await sleep(4)  # the outer block is still in force, 0.99 s away after this
            log.append(("outer body went on", await clock()))
        return log

    assert run(main, clock=virtual_clock) == [
        ("inner timed out", 0.01),
        ("outer body went on", 4.01),
    ]


def test_inner_timeout_escaping_an_outer_block_is_uncaught_timeout_error(
    virtual_clock: MockClock,
) -> None:
    async def main() -> None:
        async with timeout_after(5), timeout_after(0.01):
            await sleep(10)

    with pytest.raises(UncaughtTimeoutError) as info:
        run(main, clock=virtual_clock)
    assert isinstance(info.value.__cause__, TaskTimeout)
    assert virtual_clock.now() == 0.01


def test_inner_timeout_escaping_an_outer_ignore_after_block(virtual_clock: MockClock) -> None:
    async def main() -> None:
        async with ignore_after(5), timeout_after(0.01):
            await sleep(10)

    with pytest.raises(UncaughtTimeoutError):
        run(main, clock=virtual_clock)
    assert virtual_clock.now() == 0.01


def test_outer_timeout_is_not_swallowed_by_an_inner_ignore_after(
    virtual_clock: MockClock,
) -> None:
    reached: list[str] = []

    async def main() -> tuple[str, float]:
        try:
            async with timeout_after(0.01):
                async with ignore_after(5):
                    await sleep(10)
                reached.append("after the inner block")
        except TaskTimeout:
            return "outer timed out", await clock()
        return "no timeout", await clock()

    assert run(main, clock=virtual_clock) == ("outer timed out", 0.01)
    assert reached == []


def test_outer_ignore_after_around_inner_timeout_after(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, str, float]:
        async with ignore_after(0.01) as outer, timeout_after(5):
            await sleep(10)
        return outer.expired, "continued", await clock()

    assert run(main, clock=virtual_clock) == (True, "continued", 0.01)


def test_inner_ignore_after_expiring_inside_outer_timeout(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, bool, float]:
        async with timeout_after(5) as outer:
            async with ignore_after(0.01) as inner:
                await sleep(10)
            await sleep(0)
        return inner.expired, outer.expired, await clock()

    assert run(main, clock=virtual_clock) == (True, False, 0.01)


def test_inner_with_a_later_deadline_than_the_outer(virtual_clock: MockClock) -> None:
    # The inner block asks for more time than the outer allows: the outer wins.
    async def main() -> tuple[str, float]:
        try:
            async with timeout_after(0.01):
                try:
                    async with timeout_after(60):
                        await sleep(10)
                except TaskTimeout:
                    return "inner wrongly reported a timeout", await clock()
        except TaskTimeout:
            return "outer timed out", await clock()
        return "no timeout", await clock()

    assert run(main, clock=virtual_clock) == ("outer timed out", 0.01)


def test_none_inside_an_outer_timeout_does_not_lift_it(virtual_clock: MockClock) -> None:
    async def main() -> list[type[BaseException]]:
        seen: list[type[BaseException]] = []
        try:
            async with timeout_after(0.01), timeout_after(None):
                try:
                    await sleep(10)
                except BaseException as exc:
                    seen.append(type(exc))
                    raise
        except TaskTimeout:
            seen.append(TaskTimeout)
        return seen

    assert run(main, clock=virtual_clock) == [TimeoutCancellationError, TaskTimeout]
    assert virtual_clock.now() == 0.01


def test_three_levels_middle_expires(virtual_clock: MockClock) -> None:
    async def main() -> list[str]:
        log = []
        async with timeout_after(5):
            try:
                async with timeout_after(0.01):  # middle
                    try:
                        async with timeout_after(2):  # innermost
                            await sleep(10)
                    except TimeoutCancellationError:
                        log.append("innermost saw a cancellation from outside")
                        raise
            except TaskTimeout:
                log.append(f"middle timed out at {await clock()}")
            await sleep(0)
            log.append("outermost still fine")
        return log

    assert run(main, clock=virtual_clock) == [
        "innermost saw a cancellation from outside",
        "middle timed out at 0.01",
        "outermost still fine",
    ]


def test_sequential_inner_blocks_inside_one_outer(virtual_clock: MockClock) -> None:
    async def main() -> list[float]:
        timeouts = []
        async with timeout_after(5):
            for _ in range(3):
                try:
                    async with timeout_after(1):
                        await sleep(10)
                except TaskTimeout:
                    timeouts.append(await clock())
            await sleep(1.5)
        return timeouts

    assert run(main, clock=virtual_clock) == [1.0, 2.0, 3.0]
    assert virtual_clock.now() == 4.5


def test_outer_expiring_while_inner_coroutine_form_waits(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        try:
            async with timeout_after(0.01):
                await timeout_after(5, sleep(10))
        except TaskTimeout:
            return "outer", await clock()
        return "none", await clock()

    assert run(main, clock=virtual_clock) == ("outer", 0.01)
