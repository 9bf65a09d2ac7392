"""Cancelling many waiters costs time linear in their number, whatever they wait on.

For each kind of wait, a round puts a few thousand tasks to wait on one shared object and
cancels them all, in an order drawn from the round's seed; then it does the same with
each task waiting on an object of its own.  The per-task work is the same, so the two
take about as long unless taking a waiter out of a crowded queue costs time in
proportion to the queue (a list or deque searched on every cancellation), which makes
the shared case quadratic: a few times slower at this size, and much worse beyond.
Each case is measured three times and the fastest counts, with the garbage collector
off, so that a noisy machine does not decide.  One round a test, however many rounds the
others play: the seed only orders the cancellations.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from curio_kernel import Task, spawn
from curio_sync import Condition, Event, Lock, Queue, Semaphore

#: Waiters per case.
_WAITERS = 2000
#: The shared case may take this many times as long as the separate one.
_RATIO = 2.5


async def _parked() -> None:
    await Event().wait()


async def _lock() -> Callable[[], Awaitable[object]]:
    lock = Lock()
    await lock.acquire()
    return lock.acquire


async def _semaphore() -> Callable[[], Awaitable[object]]:
    return Semaphore(0).acquire


async def _event() -> Callable[[], Awaitable[object]]:
    return Event().wait


async def _condition() -> Callable[[], Awaitable[object]]:
    cond = Condition()

    async def wait() -> None:
        async with cond:
            await cond.wait()

    return wait


async def _queue_get() -> Callable[[], Awaitable[object]]:
    return Queue[int]().get


async def _queue_put() -> Callable[[], Awaitable[object]]:
    q = Queue[int](1)
    q.put_nowait(0)
    return lambda: q.put(1)


async def _join() -> Callable[[], Awaitable[object]]:
    target = await spawn(_parked)
    return target.join


async def _task_wait() -> Callable[[], Awaitable[object]]:
    target = await spawn(_parked)
    return target.wait


_KINDS: dict[str, Callable[[], Awaitable[Callable[[], Awaitable[object]]]]] = {
    "Lock.acquire": _lock,
    "Semaphore.acquire": _semaphore,
    "Event.wait": _event,
    "Condition.wait": _condition,
    "Queue.get": _queue_get,
    "Queue.put": _queue_put,
    "Task.join": _join,
    "Task.wait": _task_wait,
}


@pytest.mark.parametrize("kind", list(_KINDS))
def test_cancelling_many_waiters_of_one_object_is_linear(fuzz: Any, kind: str) -> None:
    make = _KINDS[kind]

    async def cancel_all(rng: Any, shared: bool) -> float:
        waits = [await make()] * _WAITERS if shared else [await make() for _ in range(_WAITERS)]
        waiters: list[Task[object]] = [await spawn(wait) for wait in waits]
        order = rng.sample(waiters, len(waiters))
        gc.disable()
        try:
            start = time.perf_counter()
            for task in order:
                await task.cancel(blocking=False)
            for task in order:
                await task.wait()
            return time.perf_counter() - start
        finally:
            gc.enable()

    async def scenario(r: Any) -> None:
        rng = r.fork()
        shared = min([await cancel_all(rng, True) for _ in range(3)])
        separate = min([await cancel_all(rng, False) for _ in range(3)])
        r.check(
            shared < _RATIO * separate,
            f"cancelling {_WAITERS} waiters of one {kind} took {shared * 1000:.0f} ms, "
            f"{shared / separate:.1f} times the {separate * 1000:.0f} ms for waiters of "
            "one object each: taking a waiter out is not constant time",
        )

    fuzz.play(scenario, most=1)
