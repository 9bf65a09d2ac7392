"""A wake-up and an expiring timeout landing in the same scheduling step.

The holder keeps the kernel busy (it moves the virtual clock by hand, as a
long computation would see real time pass) past the waiter's deadline, then
hands the lock, slot or item over.  When the kernel next
looks at its timers the waiter is already rescheduled: the hand-over must
win (the waiter owns what it was given) and nothing may leak.
"""

from __future__ import annotations

from curio_kernel import TaskTimeout, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_sync import Lock, Queue, Semaphore

_DEADLINE = 0.005


def _block_kernel_past_deadline(clock: MockClock) -> None:
    """Busy, without a wait, until the deadline has passed (4 deadlines of time)."""
    clock.jump(_DEADLINE * 4)


def test_lock_handed_over_as_the_waiters_timeout_expires(virtual_clock: MockClock) -> None:
    async def waiter(lock: Lock) -> str:
        try:
            async with timeout_after(_DEADLINE):
                await lock.acquire()
        except TaskTimeout:
            return "timed out"
        assert lock.locked()
        await lock.release()
        return "acquired"

    async def main() -> str:
        lock = Lock()
        await lock.acquire()
        w = await spawn(waiter(lock))
        _block_kernel_past_deadline(virtual_clock)
        await lock.release()  # handed to w before the kernel sees the deadline
        result = await w.join()
        assert not lock.locked()
        return result

    assert run(main, clock=virtual_clock) == "acquired"


def test_semaphore_slot_handed_over_as_the_waiters_timeout_expires(
    virtual_clock: MockClock,
) -> None:
    async def waiter(sema: Semaphore) -> str:
        try:
            async with timeout_after(_DEADLINE):
                await sema.acquire()
        except TaskTimeout:
            return "timed out"
        await sema.release()
        return "acquired"

    async def main() -> str:
        sema = Semaphore(0)
        w = await spawn(waiter(sema))
        _block_kernel_past_deadline(virtual_clock)
        await sema.release()
        result = await w.join()
        assert sema.value == 1
        return result

    assert run(main, clock=virtual_clock) == "acquired"


def test_item_handed_over_as_the_getters_timeout_expires(virtual_clock: MockClock) -> None:
    async def getter(q: Queue[str]) -> str:
        try:
            async with timeout_after(_DEADLINE):
                return await q.get()
        except TaskTimeout:
            return "timed out"

    async def main() -> list[str]:
        q: Queue[str] = Queue()
        g = await spawn(getter(q))
        _block_kernel_past_deadline(virtual_clock)
        await q.put("item")
        got = await g.join()
        return [got, str(q.qsize())]

    assert run(main, clock=virtual_clock) == ["item", "0"]


def test_timeout_expiring_inside_the_block_after_the_hand_over_releases(
    virtual_clock: MockClock,
) -> None:
    """The waiter gets the lock, then its timeout is delivered at its next wait."""

    async def waiter(lock: Lock) -> str:
        try:
            async with timeout_after(_DEADLINE), lock:
                await sleep(1)  # the expired deadline is delivered here
        except TaskTimeout:
            return "timed out"
        return "finished"

    async def main() -> str:
        lock = Lock()
        await lock.acquire()
        w = await spawn(waiter(lock))
        _block_kernel_past_deadline(virtual_clock)
        await lock.release()
        result = await w.join()
        assert not lock.locked()
        return result

    assert run(main, clock=virtual_clock) == "timed out"
    assert virtual_clock.now() == _DEADLINE * 4  # delivered at the sleep's start
