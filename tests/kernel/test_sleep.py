"""sleep(): switching with 0, sleeping for real, and bad arguments."""

from __future__ import annotations

import math
import threading

import pytest

from curio_kernel import clock, run, run_in_thread, sleep, spawn
from curio_kernel.testing import MockClock


async def nap(seconds: float) -> None:
    """A coroutine that sleeps (``sleep()`` itself returns a plain awaitable)."""
    await sleep(seconds)


def test_sleep_zero_interleaves_ready_tasks() -> None:
    order: list[str] = []

    async def worker(name: str) -> None:
        for i in range(3):
            order.append(f"{name}{i}")
            await sleep(0)

    async def main() -> None:
        a = await spawn(worker("a"))
        b = await spawn(worker("b"))
        await a.join()
        await b.join()

    run(main)
    # Each spawn runs the child's first step: a0, b0; then round robin.
    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]


def test_sleep_zero_lets_the_others_run_before_the_caller_resumes() -> None:
    order: list[str] = []

    async def other(name: str) -> None:
        await sleep(0)
        order.append(name)

    async def main() -> None:
        await spawn(other("x"))
        await spawn(other("y"))
        await sleep(0)
        order.append("main")

    run(main)
    assert order == ["x", "y", "main"]


def test_sleep_for_a_while(virtual_clock: MockClock) -> None:
    async def main() -> tuple[float, float]:
        start = await clock()
        await sleep(0.03)
        return start, await clock()

    assert run(main, clock=virtual_clock) == (0.0, 0.03)


def test_sleepers_wake_in_deadline_order(virtual_clock: MockClock) -> None:
    order: list[tuple[float, float]] = []

    async def sleeper(seconds: float) -> None:
        await sleep(seconds)
        order.append((seconds, await clock()))

    async def main() -> None:
        for seconds in (0.03, 0.01, 0.02, 0.0):
            await spawn(sleeper(seconds))

    run(main, clock=virtual_clock)
    assert order == [(0.0, 0.0), (0.01, 0.01), (0.02, 0.02), (0.03, 0.03)]


def test_many_concurrent_sleepers(virtual_clock: MockClock) -> None:
    woke: list[tuple[int, float]] = []

    async def sleeper(i: int) -> None:
        await sleep(0.01)
        woke.append((i, await clock()))

    async def main() -> None:
        for i in range(1000):
            await spawn(sleeper(i))

    run(main, clock=virtual_clock)
    # One deadline for all: they wake at once, ties in the order of their task ids.
    assert woke == [(i, 0.01) for i in range(1000)]


@pytest.mark.parametrize("seconds", [math.inf, 1e7, 3e6])
def test_very_long_sleep_while_the_kernel_waits(seconds: float) -> None:
    # The kernel's poll must cope with a far deadline (beyond what a selector
    # accepts as a timeout) while it waits for something else: a thread here.
    # Real time on purpose: the far deadline must reach the selector's real timeout.
    release = threading.Event()
    timer = threading.Timer(0.02, release.set)

    async def main() -> tuple[str, bool]:
        sleeper = await spawn(nap(seconds))
        timer.start()
        await run_in_thread(release.wait, 5)
        state = sleeper.state
        return state, await sleeper.cancel()

    try:
        assert run(main) == ("TIME_SLEEP", True)
    finally:
        timer.join()


@pytest.mark.parametrize("seconds", [-1, -0.001, math.nan, -math.inf])
def test_negative_or_nan_sleep_is_a_value_error(seconds: float) -> None:
    async def main() -> None:
        await sleep(seconds)

    with pytest.raises(ValueError, match="sleep"):
        run(main)


@pytest.mark.parametrize("seconds", ["1", None, [1], b"1"])
def test_non_number_sleep_is_a_type_error(seconds: object) -> None:
    async def main() -> None:
        await sleep(seconds)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="sleep"):
        run(main)


def test_clock_is_monotonic() -> None:
    async def main() -> list[float]:
        times = []
        for _ in range(3):
            times.append(await clock())
            # Real time on purpose: the standard clock must advance across real sleeps.
            await sleep(0.001)
        return times

    times = run(main)
    assert times == sorted(times)
    assert times[0] < times[-1]
