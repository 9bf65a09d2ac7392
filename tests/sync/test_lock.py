"""Lock: mutual exclusion, FIFO hand-over, ownership checks, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from curio_kernel import (
    CancelledError,
    TaskTimeout,
    clock,
    run,
    sleep,
    spawn,
    timeout_after,
)
from curio_kernel.testing import MockClock
from curio_sync import Lock, SyncUsageError


def test_acquire_release_and_locked() -> None:
    async def main() -> list[bool]:
        lock = Lock()
        seen = [lock.locked()]
        assert await lock.acquire() is True
        seen.append(lock.locked())
        await lock.release()
        seen.append(lock.locked())
        return seen

    assert run(main) == [False, True, False]


def test_async_with_releases_on_exception() -> None:
    async def main() -> bool:
        lock = Lock()

        async def fail_inside() -> None:
            async with lock:
                assert lock.locked()
                raise KeyError("boom")

        with pytest.raises(KeyError):
            await fail_inside()
        return lock.locked()

    assert run(main) is False


def test_waiters_get_the_lock_in_arrival_order() -> None:
    order: list[int] = []

    async def worker(lock: Lock, k: int) -> None:
        async with lock:
            order.append(k)

    async def main() -> None:
        lock = Lock()
        async with lock:
            tasks = [await spawn(worker(lock, k)) for k in range(5)]
        for t in tasks:
            await t.join()

    run(main)
    assert order == [0, 1, 2, 3, 4]


def test_released_lock_goes_to_waiter_not_to_a_later_arrival() -> None:
    order: list[str] = []

    async def waiter(lock: Lock) -> None:
        async with lock:
            order.append("waiter")

    async def main() -> None:
        lock = Lock()
        await lock.acquire()
        w = await spawn(waiter(lock))
        await lock.release()
        # The lock is handed over: it stays locked until the waiter has run.
        assert lock.locked()
        async with lock:
            order.append("main")
        await w.join()

    run(main)
    assert order == ["waiter", "main"]


def test_release_of_unheld_lock_is_an_error() -> None:
    async def main() -> None:
        lock = Lock()
        with pytest.raises(RuntimeError, match="not held"):
            await lock.release()

    run(main)


def test_release_by_another_task_is_an_error() -> None:
    async def other(lock: Lock) -> None:
        await lock.release()

    async def main() -> None:
        lock = Lock()
        async with lock:
            t = await spawn(other(lock))
            with pytest.raises(Exception) as info:
                await t.join()
            assert isinstance(info.value.__cause__, SyncUsageError)
            assert "another task" in str(info.value.__cause__)
            assert lock.locked()

    run(main)


def test_reacquire_by_holder_is_an_error_not_a_deadlock() -> None:
    async def main() -> None:
        lock = Lock()
        async with lock:
            with pytest.raises(RuntimeError, match="RLock"):
                await lock.acquire()
            assert lock.locked()
        assert not lock.locked()

    run(main)


def test_cancelled_waiter_leaves_lock_unchanged_and_next_waiter_wakes() -> None:
    order: list[str] = []

    async def waiter(lock: Lock, name: str) -> None:
        async with lock:
            order.append(name)

    async def main() -> None:
        lock = Lock()
        await lock.acquire()
        a = await spawn(waiter(lock, "a"))
        b = await spawn(waiter(lock, "b"))
        assert await a.cancel() is True
        assert lock.locked()
        await lock.release()
        await b.join()
        assert not lock.locked()

    run(main)
    assert order == ["b"]


def test_timeout_while_waiting_leaves_lock_with_holder(virtual_clock: MockClock) -> None:
    async def main() -> None:
        lock = Lock()
        await lock.acquire()

        async def impatient() -> str:
            try:
                async with timeout_after(0.01):
                    await lock.acquire()
            except TaskTimeout:
                return f"timed out at {await clock()}"
            return "acquired"

        t = await spawn(impatient())
        assert await t.join() == "timed out at 0.01"
        assert lock.locked()
        await lock.release()
        assert not lock.locked()

    run(main, clock=virtual_clock)


def test_waiter_woken_and_cancelled_in_same_step_still_releases() -> None:
    """The hand-over and the cancel land before the woken task runs at all."""
    events: list[str] = []

    async def waiter(lock: Lock) -> None:
        try:
            async with lock:
                events.append("got lock")
                await sleep(0)  # the pending cancel is delivered here
                events.append("not reached")
        except CancelledError:
            events.append("cancelled")
            raise

    async def late(lock: Lock) -> None:
        async with lock:
            events.append("late got lock")

    async def main() -> None:
        lock = Lock()
        await lock.acquire()
        w = await spawn(waiter(lock))
        l2 = await spawn(late(lock))
        await lock.release()  # hands the lock to w, which has not run yet
        await w.cancel()  # cancel lands in the same scheduling step
        await l2.join()
        assert not lock.locked()

    run(main)
    assert events == ["got lock", "cancelled", "late got lock"]


def test_used_outside_a_curio_kernel_fails_clearly() -> None:
    lock = Lock()
    with pytest.raises(RuntimeError, match="running curio kernel"):
        asyncio.run(lock.acquire())
    assert not lock.locked()


def test_repr_tells_state() -> None:
    async def main() -> tuple[str, str]:
        lock = Lock()
        before = repr(lock)
        async with lock:
            during = repr(lock)
        return before, during

    before, during = run(main)
    assert "unlocked" in before
    assert "[locked" in during


def test_a_lock_released_by_hand_inside_its_block_is_an_error_on_leaving() -> None:
    async def main() -> bool:
        lock = Lock()
        with pytest.raises(RuntimeError, match="not held"):
            async with lock:
                await lock.release()
        return lock.locked()

    assert run(main) is False
