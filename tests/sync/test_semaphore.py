"""Semaphore and BoundedSemaphore: counting, FIFO waiters, bounds, cancellation."""

from __future__ import annotations

import pytest

from curio_kernel import TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_sync import BoundedSemaphore, Event, Semaphore, SyncUsageError


def test_counts_down_and_up() -> None:
    async def main() -> None:
        sema = Semaphore(2)
        assert sema.value == 2
        assert not sema.locked()
        await sema.acquire()
        await sema.acquire()
        assert sema.value == 0
        assert sema.locked()
        await sema.release()
        assert sema.value == 1
        assert not sema.locked()
        await sema.release()
        await sema.release()  # a plain semaphore may grow past its start value
        assert sema.value == 3

    run(main)


def test_default_value_is_one() -> None:
    assert Semaphore().value == 1
    assert BoundedSemaphore().value == 1


@pytest.mark.parametrize("value", [-1, -10])
def test_negative_value_is_refused(value: int) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        Semaphore(value)
    with pytest.raises(RuntimeError, match=">= 0"):
        BoundedSemaphore(value)


@pytest.mark.parametrize("value", [1.5, "2", None, True])
def test_non_int_value_is_refused(value: object) -> None:
    with pytest.raises(TypeError, match="int"):
        Semaphore(value)  # type: ignore[arg-type]


def test_bounded_semaphore_refuses_release_past_initial_value() -> None:
    async def main() -> None:
        sema = BoundedSemaphore(2)
        await sema.acquire()
        await sema.release()
        with pytest.raises(ValueError, match="too many"):
            await sema.release()
        assert sema.value == 2

    run(main)


def test_limits_concurrency_and_serves_waiters_in_order() -> None:
    active = 0
    peak = 0
    order: list[int] = []

    async def worker(sema: Semaphore, go: Event, k: int) -> None:
        nonlocal active, peak
        async with sema:
            order.append(k)
            active += 1
            peak = max(peak, active)
            await go.wait()
            active -= 1

    async def main() -> None:
        sema = Semaphore(2)
        go = Event()
        tasks = [await spawn(worker(sema, go, k)) for k in range(8)]
        assert active == 2
        assert order == [0, 1]
        await go.set()
        for t in tasks:
            await t.join()
        assert sema.value == 2

    run(main)
    assert peak == 2
    assert order == list(range(8))


def test_cancelled_waiter_does_not_change_the_count() -> None:
    got: list[str] = []

    async def waiter(sema: Semaphore, name: str) -> None:
        async with sema:
            got.append(name)

    async def main() -> None:
        sema = BoundedSemaphore(1)
        await sema.acquire()
        a = await spawn(waiter(sema, "a"))
        b = await spawn(waiter(sema, "b"))
        await a.cancel()
        assert sema.value == 0
        await sema.release()
        await b.join()
        assert sema.value == 1

    run(main)
    assert got == ["b"]


def test_timed_out_waiter_does_not_change_the_count(virtual_clock: MockClock) -> None:
    async def main() -> None:
        sema = Semaphore(0)
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await sema.acquire()
        assert await clock() == 0.01
        assert sema.value == 0
        await sema.release()
        assert sema.value == 1

    run(main, clock=virtual_clock)


def test_slot_handed_to_waiter_cancelled_in_same_step_is_given_back() -> None:
    async def waiter(sema: Semaphore) -> None:
        async with sema:
            await sleep(0)  # the cancel is delivered here, inside the block

    async def main() -> None:
        sema = BoundedSemaphore(1)
        await sema.acquire()
        w = await spawn(waiter(sema))
        await sema.release()  # handed to w, which has not run yet
        assert sema.value == 0
        await w.cancel()
        assert sema.value == 1

    run(main)


def test_misuse_error_is_both_runtime_and_value_error() -> None:
    assert issubclass(SyncUsageError, RuntimeError)
    assert issubclass(SyncUsageError, ValueError)


def test_repr_tells_value() -> None:
    assert "value:3" in repr(Semaphore(3))
    assert "bound:2" in repr(BoundedSemaphore(2))
