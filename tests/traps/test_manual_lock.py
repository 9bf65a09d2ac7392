"""The manual's Lock example, built on _wait_on_queue and _reschedule_tasks.

The manual's version never marks the lock taken when it is free; this one
does, and like the manual's its release() does not check who the owner is.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from curio_kernel import TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_traps import _reschedule_tasks, _wait_on_queue


class Lock:
    """A mutex: the manual's example with its acquire() completed."""

    def __init__(self) -> None:
        self._acquired = False
        self._waiting: deque[Any] = deque()

    async def acquire(self) -> None:
        if self._acquired:
            # release() hands the lock over directly: it stays acquired.
            await _wait_on_queue(self._waiting, "LOCK_ACQUIRE")
        else:
            self._acquired = True

    async def release(self) -> None:
        if self._waiting:
            await _reschedule_tasks(self._waiting, n=1)
        else:
            self._acquired = False

    def locked(self) -> bool:
        return self._acquired


def test_mutual_exclusion() -> None:
    lock = Lock()
    inside: list[int] = []
    overlaps: list[int] = []
    log: list[str] = []

    async def worker(n: int) -> None:
        await lock.acquire()
        try:
            if inside:
                overlaps.append(n)
            inside.append(n)
            log.append(f"in {n}")
            await sleep(0)
            await sleep(0)
            inside.remove(n)
            log.append(f"out {n}")
        finally:
            await lock.release()

    async def main() -> None:
        tasks = [await spawn(worker(n)) for n in range(4)]
        for task in tasks:
            await task.join()

    run(main)
    assert overlaps == []
    assert log == [f"{kind} {n}" for n in range(4) for kind in ("in", "out")]
    assert not lock.locked()


def test_waiters_get_the_lock_in_arrival_order() -> None:
    lock = Lock()
    order: list[int] = []

    async def worker(n: int) -> None:
        await lock.acquire()
        order.append(n)
        await lock.release()

    async def main() -> None:
        await lock.acquire()
        tasks = [await spawn(worker(n)) for n in (3, 1, 2)]
        await lock.release()
        for task in tasks:
            await task.join()

    run(main)
    assert order == [3, 1, 2]


def test_release_by_another_task() -> None:
    # No owner: any task may release (as in the manual's example).
    lock = Lock()

    async def releaser() -> None:
        await lock.release()

    async def main() -> bool:
        await lock.acquire()
        await (await spawn(releaser())).join()
        return lock.locked()

    assert run(main) is False


def test_a_cancelled_waiter_does_not_take_the_lock() -> None:
    lock = Lock()
    got: list[str] = []

    async def worker(name: str) -> None:
        await lock.acquire()
        got.append(name)
        await lock.release()

    async def main() -> bool:
        await lock.acquire()
        first = await spawn(worker("cancelled"))
        second = await spawn(worker("second"))
        await first.cancel()
        await lock.release()
        await second.join()
        return lock.locked()

    assert run(main) is False
    assert got == ["second"]


def test_a_timed_out_acquire_leaves_the_lock_usable(virtual_clock: MockClock) -> None:
    lock = Lock()

    async def main() -> list[str]:
        log = []
        await lock.acquire()
        try:
            await timeout_after(0.01, lock.acquire())
        except TaskTimeout:
            log.append(f"timed out at {await clock()}")
        await lock.release()
        assert not lock.locked()
        await lock.acquire()
        log.append("acquired again")
        await lock.release()
        return log

    assert run(main, clock=virtual_clock) == ["timed out at 0.01", "acquired again"]
