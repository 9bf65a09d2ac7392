"""A wake-up and an expiring timeout landing in the same scheduling step.

The holder blocks the kernel (a plain ``time.sleep``) past the waiter's
deadline, then hands the lock, slot or item over.  When the kernel next
looks at its timers the waiter is already rescheduled: the hand-over must
win (the waiter owns what it was given) and nothing may leak.
"""

from __future__ import annotations

import time

from curio_kernel import TaskTimeout, run, sleep, spawn, timeout_after
from curio_sync import Lock, Queue, Semaphore

_DEADLINE = 0.005


def _block_kernel_past_deadline() -> None:
    time.sleep(_DEADLINE * 4)


def test_lock_handed_over_as_the_waiters_timeout_expires() -> None:
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
        _block_kernel_past_deadline()
        await lock.release()  # handed to w before the kernel sees the deadline
        result = await w.join()
        assert not lock.locked()
        return result

    assert run(main) == "acquired"


def test_semaphore_slot_handed_over_as_the_waiters_timeout_expires() -> None:
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
        _block_kernel_past_deadline()
        await sema.release()
        result = await w.join()
        assert sema.value == 1
        return result

    assert run(main) == "acquired"


def test_item_handed_over_as_the_getters_timeout_expires() -> None:
    async def getter(q: Queue[str]) -> str:
        try:
            async with timeout_after(_DEADLINE):
                return await q.get()
        except TaskTimeout:
            return "timed out"

    async def main() -> list[str]:
        q: Queue[str] = Queue()
        g = await spawn(getter(q))
        _block_kernel_past_deadline()
        await q.put("item")
        got = await g.join()
        return [got, str(q.qsize())]

    assert run(main) == ["item", "0"]


def test_timeout_expiring_inside_the_block_after_the_hand_over_releases() -> None:
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
        _block_kernel_past_deadline()
        await lock.release()
        result = await w.join()
        assert not lock.locked()
        return result

    assert run(main) == "timed out"
