"""Condition: wait/notify, wait_for, the lock around them, cancellation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from curio_kernel import CancelledError, TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_sync import Condition, Lock, RLock

Until = Callable[[Callable[[], bool]], Awaitable[None]]


def test_acquire_release_and_locked() -> None:
    async def main() -> None:
        cond = Condition()
        assert not cond.locked()
        assert await cond.acquire() is True
        assert cond.locked()
        await cond.release()
        assert not cond.locked()
        async with cond:
            assert cond.locked()
        assert not cond.locked()

    run(main)


def test_uses_the_lock_it_is_given() -> None:
    async def main() -> None:
        lock = Lock()
        cond = Condition(lock)
        async with cond:
            assert lock.locked()
        assert not lock.locked()

    run(main)


def test_refuses_a_non_curio_lock() -> None:
    import threading

    with pytest.raises(TypeError, match="Lock or RLock"):
        Condition(threading.Lock())  # type: ignore[arg-type]


def test_notify_wakes_one_waiter_at_a_time_oldest_first(until: Until) -> None:
    woke: list[int] = []

    async def waiter(cond: Condition, k: int) -> None:
        async with cond:
            await cond.wait()
            woke.append(k)

    async def main() -> None:
        cond = Condition()
        tasks = [await spawn(waiter(cond, k)) for k in range(3)]
        async with cond:
            await cond.notify()
        await until(lambda: len(woke) == 1)
        async with cond:
            await cond.notify(2)
        for t in tasks:
            await t.join()

    run(main)
    assert woke == [0, 1, 2]


def test_notify_all_wakes_everyone() -> None:
    woke: list[int] = []

    async def waiter(cond: Condition, k: int) -> None:
        async with cond:
            await cond.wait()
            woke.append(k)

    async def main() -> None:
        cond = Condition()
        tasks = [await spawn(waiter(cond, k)) for k in range(4)]
        async with cond:
            await cond.notify_all()
        for t in tasks:
            await t.join()

    run(main)
    assert woke == [0, 1, 2, 3]


def test_notify_without_waiters_does_nothing() -> None:
    async def main() -> None:
        cond = Condition()
        async with cond:
            await cond.notify()
            await cond.notify(5)
            await cond.notify_all()
            assert cond.locked()

    run(main)


def test_wait_releases_lock_and_returns_holding_it() -> None:
    async def waiter(cond: Condition) -> bool:
        async with cond:
            await cond.wait()
            return cond.locked()

    async def main() -> None:
        cond = Condition()
        t = await spawn(waiter(cond))
        assert not cond.locked()  # released while waiting
        async with cond:
            await cond.notify()
        assert await t.join() is True
        assert not cond.locked()

    run(main)


def test_wait_for_predicate() -> None:
    state = {"n": 0}

    async def waiter(cond: Condition) -> int:
        async with cond:
            return await cond.wait_for(lambda: state["n"] >= 3 and state["n"])

    async def main() -> int:
        cond = Condition()
        t = await spawn(waiter(cond))
        for _ in range(3):
            async with cond:
                state["n"] += 1
                await cond.notify()
        return await t.join()

    assert run(main) == 3


def test_wait_for_true_at_once_does_not_wait() -> None:
    async def main() -> str:
        cond = Condition()
        async with cond:
            return await cond.wait_for(lambda: "ready")

    assert run(main) == "ready"


@pytest.mark.parametrize("method", ["wait", "notify", "notify_all"])
def test_misuse_without_the_lock_is_an_error(method: str) -> None:
    async def main() -> None:
        cond = Condition()
        with pytest.raises(RuntimeError, match="not held"):
            await getattr(cond, method)()

    run(main)


def test_wait_for_without_the_lock_is_an_error() -> None:
    async def main() -> None:
        cond = Condition()
        with pytest.raises(RuntimeError, match="not held"):
            await cond.wait_for(lambda: True)

    run(main)


def test_wait_with_lock_held_by_another_task_is_an_error() -> None:
    async def intruder(cond: Condition) -> None:
        with pytest.raises(RuntimeError, match="not held"):
            await cond.wait()

    async def main() -> None:
        cond = Condition()
        async with cond:
            await (await spawn(intruder(cond))).join()

    run(main)


def test_notify_needs_an_int() -> None:
    async def main() -> None:
        cond = Condition()
        async with cond:
            with pytest.raises(TypeError, match="int"):
                await cond.notify("1")  # type: ignore[arg-type]

    run(main)


def test_cancelled_waiter_takes_the_lock_back_before_unwinding() -> None:
    seen: list[str] = []

    async def waiter(cond: Condition) -> None:
        async with cond:
            try:
                await cond.wait()
            except CancelledError:
                seen.append("held" if cond.locked() else "not held")
                raise

    async def main() -> None:
        cond = Condition()
        t = await spawn(waiter(cond))
        await t.cancel()
        assert not cond.locked()

    run(main)
    assert seen == ["held"]


def test_cancel_while_lock_held_elsewhere_waits_for_the_lock(until: Until) -> None:
    order: list[str] = []

    async def waiter(cond: Condition) -> None:
        async with cond:
            try:
                await cond.wait()
            except CancelledError:
                order.append("waiter unwinds holding the lock")
                raise

    async def canceller(t: object) -> None:
        await t.cancel()  # type: ignore[attr-defined]
        order.append("cancel done")

    async def main() -> None:
        cond = Condition()
        t = await spawn(waiter(cond))
        async with cond:
            c = await spawn(canceller(t))
            # The waiter was cancelled, but must wait for the lock main holds.
            await until(lambda: t.state == "LOCK_ACQUIRE")
            order.append("main releases")
        await c.join()
        assert not cond.locked()

    run(main)
    assert order == ["main releases", "waiter unwinds holding the lock", "cancel done"]


def test_timeout_in_wait_retakes_the_lock(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, float]:
        cond = Condition()
        async with cond:
            with pytest.raises(TaskTimeout):
                async with timeout_after(0.01):
                    await cond.wait()
            return cond.locked(), await clock()

    assert run(main, clock=virtual_clock) == (True, 0.01)


def test_notification_of_a_waiter_cancelled_before_it_resumes_is_not_lost(until: Until) -> None:
    """Notify one waiter, then cancel it while it waits to retake the lock.

    It passes the notification on: the second waiter wakes without a second notify.
    """
    woke: list[str] = []

    async def waiter(cond: Condition, name: str) -> None:
        async with cond:
            await cond.wait()
            woke.append(name)

    async def main() -> None:
        cond = Condition()
        a = await spawn(waiter(cond, "a"))
        b = await spawn(waiter(cond, "b"))
        async with cond:
            await cond.notify()  # a is notified, then blocks on the lock main holds
            await until(lambda: a.state == "LOCK_ACQUIRE")
            canceller = await spawn(a.cancel)
        assert await canceller.join() is True
        await b.join()

    run(main)
    assert woke == ["b"]


def test_condition_over_rlock_restores_depth() -> None:
    async def waiter(cond: Condition, lock: RLock) -> int:
        async with lock, cond:
            await cond.wait()
            return lock._depth

    async def main() -> int:
        lock = RLock()
        cond = Condition(lock)
        t = await spawn(waiter(cond, lock))
        assert not lock.locked()  # both levels released while waiting
        async with cond:
            await cond.notify()
        return await t.join()

    assert run(main) == 2


def test_lock_waiters_get_the_lock_while_a_condition_waits() -> None:
    order: list[str] = []

    async def waiter(cond: Condition) -> None:
        async with cond:
            await cond.wait()
            order.append("waiter")

    async def locker(cond: Condition) -> None:
        async with cond:
            order.append("locker")
            await cond.notify()

    async def main() -> None:
        cond = Condition()
        await cond.acquire()
        w = await spawn(waiter(cond))  # queued on the lock
        lk = await spawn(locker(cond))  # queued on the lock after it
        await cond.release()
        await w.join()
        await lk.join()

    run(main)
    assert order == ["locker", "waiter"]


def test_producer_consumer_through_condition() -> None:
    items: list[int] = []
    got: list[int] = []

    async def consumer(cond: Condition) -> None:
        while len(got) < 20:
            async with cond:
                await cond.wait_for(lambda: bool(items))
                got.append(items.pop(0))

    async def producer(cond: Condition) -> None:
        for n in range(20):
            async with cond:
                items.append(n)
                await cond.notify()
            await sleep(0)

    async def main() -> None:
        cond = Condition()
        c = await spawn(consumer(cond))
        p = await spawn(producer(cond))
        await p.join()
        await c.join()

    run(main)
    assert got == list(range(20))
