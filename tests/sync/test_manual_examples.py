# mypy: allow-untyped-defs, allow-untyped-calls, allow-incomplete-defs
"""The examples of the manual's "Synchronization Primitives" and "Queues" sections.

Each example's code is the manual's, with its indentation fixed.  It runs
against a ``curio`` namespace made of curio_kernel and curio_sync only, whose
``run`` runs on the virtual clock: the example's seconds are its own (5 s is
5 s of virtual time) and take no real time, and the virtual time a run took
is exact.
"""

from __future__ import annotations

import functools
import types
from collections import deque
from typing import Any

import pytest

import curio_kernel
import curio_sync
from curio_kernel.testing import MockClock
from curio_traps import _reschedule_tasks, _wait_on_queue


def _namespace(clock: MockClock, **overrides: Any) -> types.SimpleNamespace:
    names: dict[str, Any] = {
        "run": functools.partial(curio_kernel.run, clock=clock),
        "spawn": curio_kernel.spawn,
        "sleep": curio_kernel.sleep,
        "Event": curio_sync.Event,
        "Lock": curio_sync.Lock,
        "Semaphore": curio_sync.Semaphore,
        "Condition": curio_sync.Condition,
        "Queue": curio_sync.Queue,
    }
    names.update(overrides)
    return types.SimpleNamespace(**names)


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_event_example(capsys: pytest.CaptureFixture[str], virtual_clock: MockClock) -> None:
    curio = _namespace(virtual_clock)

    async def waiter(evt):
        print("Waiting")
        await evt.wait()
        print("Running")

    async def main():
        evt = curio.Event()
        # Create a few waiters
        await curio.spawn(waiter(evt))
        await curio.spawn(waiter(evt))
        await curio.spawn(waiter(evt))

        await curio.sleep(5)

        # Set the event. All waiters should wake up
        await evt.set()

    curio.run(main)
    assert _lines(capsys) == ["Waiting"] * 3 + ["Running"] * 3
    assert virtual_clock.now() == 5.0


def test_lock_example(capsys: pytest.CaptureFixture[str], virtual_clock: MockClock) -> None:
    curio = _namespace(virtual_clock)

    async def child(lck):
        async with lck:
            print("Child has the lock")

    async def main():
        lck = curio.Lock()
        async with lck:
            print("Parent has the lock")
            await curio.spawn(child(lck))
            await curio.sleep(5)

    curio.run(main)
    assert _lines(capsys) == ["Parent has the lock", "Child has the lock"]
    assert virtual_clock.now() == 5.0


def test_semaphore_example(capsys: pytest.CaptureFixture[str], virtual_clock: MockClock) -> None:
    # Count the workers inside the semaphore (they are the ones sleeping).
    inside = 0
    peak = 0
    started: list[float] = []

    async def counting_sleep(seconds: float) -> None:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        started.append(await curio_kernel.clock())
        try:
            await curio_kernel.sleep(seconds)
        finally:
            inside -= 1

    curio = _namespace(virtual_clock, sleep=counting_sleep)

    async def worker(sema):
        async with sema:
            print("Working")
            await curio.sleep(5)

    async def main():
        sema = curio.Semaphore(2)  # Allow two tasks at a time

        # Launch a bunch of tasks
        for n in range(10):  # noqa: B007 - the manual's text
            await curio.spawn(worker(sema))

        # After this point, you should see two tasks at a time run. Every 5 seconds.

    curio.run(main)
    assert _lines(capsys) == ["Working"] * 10
    assert peak == 2
    # Five rounds of two workers, one after the other, every 5 seconds.
    assert started == [0.0, 0.0, 5.0, 5.0, 10.0, 10.0, 15.0, 15.0, 20.0, 20.0]
    assert virtual_clock.now() == 25.0


def test_condition_example(capsys: pytest.CaptureFixture[str], virtual_clock: MockClock) -> None:
    curio = _namespace(virtual_clock)
    consumers: list[curio_kernel.Task[Any]] = []

    items = deque()  # type: ignore[var-annotated]

    async def consumer(cond):
        while True:
            async with cond:
                while not items:
                    await cond.wait()  # Wait for items
                item = items.popleft()
            print("Got", item)

    async def producer(cond):
        for n in range(10):
            async with cond:
                items.append(n)
                await cond.notify()
            await curio.sleep(1)

    async def main():
        cond = curio.Condition()
        await curio.spawn(producer(cond))
        consumers.append(await curio.spawn(consumer(cond)))

    # The consumer loops forever: once the producer is done, it is the only
    # task left, waiting for a notification nobody can send.  The kernel
    # then cancels it, which ends the run.
    curio.run(main)
    assert _lines(capsys) == [f"Got {n}" for n in range(10)]
    assert consumers[0].terminated
    assert isinstance(consumers[0].exception, curio_kernel.CancelledError)
    assert virtual_clock.now() == 10.0  # one item a second


def test_queue_example(capsys: pytest.CaptureFixture[str], virtual_clock: MockClock) -> None:
    curio = _namespace(virtual_clock)

    async def producer(queue):
        for n in range(10):
            await queue.put(n)
        await queue.join()
        print("Producer done")

    async def consumer(queue):
        while True:
            item = await queue.get()
            print("Consumer got", item)
            await queue.task_done()

    async def main():
        q = curio.Queue()
        prod_task = await curio.spawn(producer(q))
        cons_task = await curio.spawn(consumer(q))
        await prod_task.join()
        await cons_task.cancel()

    curio.run(main)
    assert _lines(capsys) == [f"Consumer got {n}" for n in range(10)] + ["Producer done"]


def test_low_level_mutex_example() -> None:
    """The manual's sketch of a lock on ``_wait_on_queue``/``_reschedule_tasks``.

    Completed with the line the sketch leaves out (taking the lock when it is
    free), it serves its waiters in order, as curio_sync's locks do.
    """

    class Lock:
        def __init__(self):
            self._acquired = False
            self._waiting = deque()  # type: ignore[var-annotated]

        async def acquire(self):
            if self._acquired:
                await _wait_on_queue(self._waiting, "LOCK_ACQUIRE")
            self._acquired = True  # the line the manual leaves out

        async def release(self):
            if self._waiting:
                await _reschedule_tasks(self._waiting, n=1)
            else:
                self._acquired = False

    order: list[int] = []

    async def worker(lock, k):
        await lock.acquire()
        order.append(k)
        await curio_kernel.sleep(0)
        await lock.release()

    async def main():
        lock = Lock()
        for k in range(4):
            await curio_kernel.spawn(worker(lock, k))

    curio_kernel.run(main)
    assert order == [0, 1, 2, 3]
