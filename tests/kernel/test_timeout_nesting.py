"""Nested timeouts: an outer timeout is never mistaken for an inner one."""

from __future__ import annotations

import pytest

from curio_kernel import (
    TaskTimeout,
    TimeoutCancellationError,
    UncaughtTimeoutError,
    ignore_after,
    run,
    sleep,
    timeout_after,
)


def test_outer_expiring_inside_inner() -> None:
    seen_inside: list[type[BaseException]] = []
    left_inner: list[type[BaseException]] = []

    async def main() -> str:
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
            return "outer raised TaskTimeout"
        return "no timeout"

    assert run(main) == "outer raised TaskTimeout"
    assert seen_inside == [TimeoutCancellationError]
    assert left_inner == [TimeoutCancellationError]


def test_inner_expiring_is_caught_by_the_inner_block() -> None:
    async def main() -> list[str]:
        log = []
        async with timeout_after(5):
            try:
                async with timeout_after(0.01):
                    await sleep(10)
            except TaskTimeout:
                log.append("inner timed out")
            await sleep(0.02)  # the outer block is still in force and far away
            log.append("outer body went on")
        return log

    assert run(main) == ["inner timed out", "outer body went on"]


def test_inner_timeout_escaping_an_outer_block_is_uncaught_timeout_error() -> None:
    async def main() -> None:
        async with timeout_after(5), timeout_after(0.01):
            await sleep(10)

    with pytest.raises(UncaughtTimeoutError) as info:
        run(main)
    assert isinstance(info.value.__cause__, TaskTimeout)


def test_inner_timeout_escaping_an_outer_ignore_after_block() -> None:
    async def main() -> None:
        async with ignore_after(5), timeout_after(0.01):
            await sleep(10)

    with pytest.raises(UncaughtTimeoutError):
        run(main)


def test_outer_timeout_is_not_swallowed_by_an_inner_ignore_after() -> None:
    reached: list[str] = []

    async def main() -> str:
        try:
            async with timeout_after(0.01):
                async with ignore_after(5):
                    await sleep(10)
                reached.append("after the inner block")
        except TaskTimeout:
            return "outer timed out"
        return "no timeout"

    assert run(main) == "outer timed out"
    assert reached == []


def test_outer_ignore_after_around_inner_timeout_after() -> None:
    async def main() -> tuple[bool, str]:
        async with ignore_after(0.01) as outer, timeout_after(5):
            await sleep(10)
        return outer.expired, "continued"

    assert run(main) == (True, "continued")


def test_inner_ignore_after_expiring_inside_outer_timeout() -> None:
    async def main() -> tuple[bool, bool]:
        async with timeout_after(5) as outer:
            async with ignore_after(0.01) as inner:
                await sleep(10)
            await sleep(0)
        return inner.expired, outer.expired

    assert run(main) == (True, False)


def test_inner_with_a_later_deadline_than_the_outer() -> None:
    # The inner block asks for more time than the outer allows: the outer wins.
    async def main() -> str:
        try:
            async with timeout_after(0.01):
                try:
                    async with timeout_after(60):
                        await sleep(10)
                except TaskTimeout:
                    return "inner wrongly reported a timeout"
        except TaskTimeout:
            return "outer timed out"
        return "no timeout"

    assert run(main) == "outer timed out"


def test_none_inside_an_outer_timeout_does_not_lift_it() -> None:
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

    assert run(main) == [TimeoutCancellationError, TaskTimeout]


def test_three_levels_middle_expires() -> None:
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
                log.append("middle timed out")
            await sleep(0)
            log.append("outermost still fine")
        return log

    assert run(main) == [
        "innermost saw a cancellation from outside",
        "middle timed out",
        "outermost still fine",
    ]


def test_sequential_inner_blocks_inside_one_outer() -> None:
    async def main() -> int:
        timeouts = 0
        async with timeout_after(5):
            for _ in range(3):
                try:
                    async with timeout_after(0.005):
                        await sleep(10)
                except TaskTimeout:
                    timeouts += 1
            await sleep(0.01)
        return timeouts

    assert run(main) == 3


def test_outer_expiring_while_inner_coroutine_form_waits() -> None:
    async def main() -> str:
        try:
            async with timeout_after(0.01):
                await timeout_after(5, sleep(10))
        except TaskTimeout:
            return "outer"
        return "none"

    assert run(main) == "outer"
