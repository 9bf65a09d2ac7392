"""What curio 1.6 documents of the primitives and queues beyond the founding manual.

``Queue.size()``; ``Semaphore.value`` as a read-only property; ``locked()``, ``acquire()``
and ``async with`` on every lock-like class (Lock, RLock, Semaphore, BoundedSemaphore,
Condition); and, for every blocking call of the 1.6 API, a timeout and a cancellation that
leave the primitive as if the task had never waited.  The 1.6 reference's condition
variable example runs end to end.
"""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import pytest

from curio_kernel import Task, TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_sync import (
    BoundedSemaphore,
    Condition,
    Event,
    LifoQueue,
    Lock,
    PriorityQueue,
    Queue,
    Result,
    RLock,
    Semaphore,
)
from curio_traps import WaitQueue

QUEUES: list[type[Queue[int]]] = [Queue, LifoQueue, PriorityQueue]


def _waiters(primitive: object) -> int:
    """How many tasks wait on *primitive*: every WaitQueue it holds (a Condition's lock too)."""
    total = 0
    for cls in type(primitive).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            value = getattr(primitive, slot, None)
            if isinstance(value, WaitQueue):
                total += len(value)
            elif isinstance(value, Lock | RLock):
                total += _waiters(value)
    return total


# ---------------------------------------------------------------------- Queue.size()


@pytest.mark.parametrize("cls", QUEUES, ids=lambda c: c.__name__)
def test_queue_size_is_the_number_of_items_as_qsize(cls: type[Queue[int]]) -> None:
    async def main() -> list[int]:
        q = cls()
        sizes = [q.size()]
        for item in (3, 1, 2):
            await q.put(item)
            sizes.append(q.size())
            assert q.size() == q.qsize()
        while not q.empty():
            await q.get()
            sizes.append(q.size())
        return sizes

    assert run(main) == [0, 1, 2, 3, 2, 1, 0]


def test_queue_size_counts_items_not_waiting_tasks() -> None:
    async def main() -> None:
        q: Queue[int] = Queue()
        getter = await spawn(q.get())
        assert q.size() == 0  # a waiting getter is not an item
        await q.put(5)  # handed straight to the getter
        assert q.size() == 0
        assert await getter.join() == 5

        bounded: Queue[int] = Queue(maxsize=1)
        await bounded.put(1)
        putter = await spawn(bounded.put(2))
        assert bounded.size() == 1  # a waiting putter's item is not in the queue yet
        assert bounded.full()
        assert await bounded.get() == 1
        await putter.join()
        assert bounded.size() == 1

    run(main)


# ---------------------------------------------------------------------- Semaphore.value


@pytest.mark.parametrize("cls", [Semaphore, BoundedSemaphore], ids=lambda c: c.__name__)
def test_semaphore_value_is_a_read_only_property(cls: type[Semaphore]) -> None:
    sema = cls(3)
    assert sema.value == 3
    with pytest.raises(AttributeError):
        sema.value = 10  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del sema.value
    assert sema.value == 3


@pytest.mark.parametrize("cls", [Semaphore, BoundedSemaphore], ids=lambda c: c.__name__)
def test_semaphore_value_follows_acquire_and_release(cls: type[Semaphore]) -> None:
    async def main() -> list[int]:
        sema = cls(2)
        values = [sema.value]
        await sema.acquire()
        values.append(sema.value)
        async with sema:
            values.append(sema.value)
        values.append(sema.value)
        await sema.release()
        values.append(sema.value)
        return values

    assert run(main) == [2, 1, 0, 1, 2]


def test_semaphore_value_stays_zero_while_a_released_slot_goes_to_a_waiter() -> None:
    async def main() -> None:
        sema = Semaphore(0)
        waiter = await spawn(sema.acquire())
        await sema.release()  # handed to the waiter, never counted
        assert sema.value == 0
        assert await waiter.join() is True
        assert sema.value == 0

    run(main)


# ---------------------------------------------------------------------- locked, acquire, async with


@dataclass
class LockLike:
    name: str
    make: Callable[[], Any]


LOCK_LIKES = [
    LockLike("Lock", Lock),
    LockLike("RLock", RLock),
    LockLike("Semaphore", lambda: Semaphore(1)),
    LockLike("BoundedSemaphore", lambda: BoundedSemaphore(1)),
    LockLike("Condition", Condition),
    LockLike("Condition(RLock)", lambda: Condition(RLock())),
]
lock_likes = pytest.mark.parametrize("kind", LOCK_LIKES, ids=[k.name for k in LOCK_LIKES])


@lock_likes
def test_locked_is_true_exactly_while_held_and_acquire_returns_true(kind: LockLike) -> None:
    async def main() -> list[object]:
        lock = kind.make()
        seen: list[object] = [lock.locked()]
        seen.append(await lock.acquire())
        seen.append(lock.locked())
        await lock.release()
        seen.append(lock.locked())
        return seen

    assert run(main) == [False, True, True, False]


@lock_likes
def test_async_with_holds_it_in_the_block_and_releases_on_an_exception(kind: LockLike) -> None:
    async def main() -> None:
        lock = kind.make()
        async with lock:
            assert lock.locked()
        assert not lock.locked()
        with pytest.raises(KeyError):
            async with lock:
                raise KeyError("leaving the block")
        assert not lock.locked()

    run(main)


@lock_likes
def test_a_waiter_gets_it_when_the_holder_leaves_its_async_with(kind: LockLike) -> None:
    log: list[str] = []

    async def other(lock: Any) -> None:
        async with lock:
            log.append("other inside")

    async def main() -> None:
        lock = kind.make()
        async with lock:
            t = await spawn(other(lock))
            assert _waiters(lock) == 1
            log.append("holder leaving")
        await t.join()
        assert not lock.locked()

    run(main)
    assert log == ["holder leaving", "other inside"]


def test_rlock_stays_locked_until_its_last_release() -> None:
    async def main() -> list[bool]:
        lock = RLock()
        seen = []
        async with lock:
            async with lock:
                seen.append(lock.locked())
            seen.append(lock.locked())
        seen.append(lock.locked())
        return seen

    assert run(main) == [True, True, False]


def test_condition_locked_is_its_locks_locked() -> None:
    async def main() -> None:
        lock = Lock()
        cond = Condition(lock)
        await lock.acquire()
        assert cond.locked()
        await lock.release()
        assert not cond.locked()

    run(main)


# ---------------------------------------------------------------------- every wait, interrupted


#: What a scenario's setup returns: the primitive, and the call that blocks on it.
Blocked = tuple[Any, Callable[[], Coroutine[Any, Any, Any]]]
Setup = Callable[[], Awaitable[Blocked]]


@dataclass
class Wait:
    """A blocking call of the 1.6 API and the state in which it blocks.

    ``setup`` (run by the test's main task) returns the primitive and the call that blocks
    on it; ``after`` then frees what that call waited for and checks that no departed
    waiter took it.
    """

    name: str
    setup: Setup
    after: Callable[[Any], Awaitable[None]]


async def _event() -> Blocked:
    evt = Event()
    return evt, evt.wait


async def _event_after(evt: Event) -> None:
    await evt.set()
    assert evt.is_set()


async def _held(cls: Callable[[], Any]) -> Blocked:
    lock = cls()
    await lock.acquire()  # held by the main task
    return lock, lock.acquire


async def _release_and_check_free(lock: Any) -> None:
    await lock.release()
    assert not lock.locked()  # not handed to a waiter that has left


async def _sema() -> Blocked:
    sema = Semaphore(0)
    return sema, sema.acquire


async def _sema_after(sema: Semaphore) -> None:
    await sema.release()
    assert sema.value == 1  # counted, not handed to a waiter that has left


async def _cond_wait(
    waits: Callable[[Condition], Awaitable[Any]],
) -> Blocked:
    cond = Condition()

    async def wait() -> None:
        async with cond:
            await waits(cond)
            raise AssertionError("the wait returned")

    return cond, wait


async def _cond_after(cond: Condition) -> None:
    assert not cond.locked()  # the interrupted waiter took the lock back, then left it
    async with cond:
        await cond.notify_all()


async def _empty_queue(cls: type[Queue[int]]) -> Blocked:
    q = cls()
    return q, q.get


def _empty_queue_of(cls: type[Queue[int]]) -> Setup:
    return lambda: _empty_queue(cls)


async def _empty_queue_after(q: Queue[int]) -> None:
    await q.put(1)
    assert q.size() == 1  # kept, not handed to a getter that has left


async def _full_queue() -> Blocked:
    q: Queue[int] = Queue(maxsize=1)
    await q.put(1)
    return q, lambda: q.put(2)


async def _full_queue_after(q: Queue[int]) -> None:
    assert await q.get() == 1
    assert q.size() == 0  # no departed putter filled the slot
    assert not q.full()


async def _unfinished_queue() -> Blocked:
    q: Queue[int] = Queue()
    await q.put(1)
    return q, q.join


async def _unfinished_queue_after(q: Queue[int]) -> None:
    await q.get()
    await q.task_done()
    await q.join()  # returns at once


async def _result() -> Blocked:
    result: Result[int] = Result()
    return result, result.unwrap


async def _result_after(result: Result[int]) -> None:
    await result.set_value(1)
    assert await result.unwrap() == 1


WAITS = [
    Wait("Event.wait", _event, _event_after),
    Wait("Lock.acquire", lambda: _held(Lock), _release_and_check_free),
    Wait("RLock.acquire", lambda: _held(RLock), _release_and_check_free),
    Wait("Semaphore.acquire", _sema, _sema_after),
    Wait("Condition.acquire", lambda: _held(Condition), _release_and_check_free),
    Wait("Condition.wait", lambda: _cond_wait(lambda c: c.wait()), _cond_after),
    Wait(
        "Condition.wait_for",
        lambda: _cond_wait(lambda c: c.wait_for(lambda: False)),
        _cond_after,
    ),
    *(Wait(f"{cls.__name__}.get", _empty_queue_of(cls), _empty_queue_after) for cls in QUEUES),
    Wait("Queue.put", _full_queue, _full_queue_after),
    Wait("Queue.join", _unfinished_queue, _unfinished_queue_after),
    Wait("Result.unwrap", _result, _result_after),
]
every_wait = pytest.mark.parametrize("wait", WAITS, ids=[w.name for w in WAITS])


@every_wait
def test_every_wait_times_out_and_leaves_no_waiter(wait: Wait, virtual_clock: MockClock) -> None:
    async def impatient(call: Callable[[], Awaitable[Any]]) -> str:
        try:
            async with timeout_after(0.01):
                await call()
        except TaskTimeout:
            return f"timed out at {await clock()}"
        return "returned"

    async def main() -> None:
        primitive, call = await wait.setup()
        t = await spawn(impatient(call))
        assert _waiters(primitive) == 1
        assert await t.join() == "timed out at 0.01"
        assert _waiters(primitive) == 0
        await wait.after(primitive)
        assert _waiters(primitive) == 0

    run(main, clock=virtual_clock)


@every_wait
def test_every_wait_is_cancelled_and_leaves_no_waiter(wait: Wait) -> None:
    async def main() -> None:
        primitive, call = await wait.setup()
        t: Task[Any] = await spawn(call())
        assert _waiters(primitive) == 1
        assert await t.cancel()
        assert t.terminated
        assert _waiters(primitive) == 0
        await wait.after(primitive)
        assert _waiters(primitive) == 0

    run(main)


# ---------------------------------------------------------------------- the reference's example


def test_the_references_condition_variable_example_runs(virtual_clock: MockClock) -> None:
    """The 1.6 reference's producer-consumer on a deque, its one-second sleeps on the
    virtual clock.

    Its ``main`` returns with the consumer still looping; the test waits for the producer
    to end and the consumer to block on the empty deque, then cancels the consumer.
    """
    printed: list[str] = []
    spawned: list[Task[Any]] = []

    async def curio_spawn(corofunc: Any, *args: Any) -> Task[Any]:
        task = await spawn(corofunc, *args)
        spawned.append(task)
        return task

    curio = types.SimpleNamespace(spawn=curio_spawn, sleep=sleep, Condition=Condition)

    def print(*args: object) -> None:
        printed.append(" ".join(map(str, args)))

    # The example, as the reference writes it (its indentation fixed).
    async def consumer(items: deque[int], cond: Condition) -> None:
        while True:
            async with cond:
                while not items:  # (a)
                    await cond.wait()  # Wait for items
                item = items.popleft()
            print("Got", item)

    async def producer(items: deque[int], cond: Condition) -> None:
        for n in range(10):
            async with cond:
                items.append(n)
                await cond.notify()
            await curio.sleep(1)

    async def main() -> None:
        items: deque[int] = deque()
        cond = curio.Condition()
        await curio.spawn(producer, items, cond)
        await curio.spawn(consumer, items, cond)

    async def harness() -> float:
        await main()
        producer_task, consumer_task = spawned
        await producer_task.join()
        await wait_all_tasks_blocked()
        assert len(printed) == 10
        await consumer_task.cancel()
        return await clock()

    assert run(harness, clock=virtual_clock) == 10.0
    assert printed == [f"Got {n}" for n in range(10)]
