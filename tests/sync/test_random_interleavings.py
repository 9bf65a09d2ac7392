"""Property tests: random interleavings of waiting, waking and cancelling.

Hypothesis draws a script of operations that one driver task performs:
spawning tasks that block on a primitive, releasing them, cancelling them
(sometimes in the same scheduling step as their wake-up), and letting the
scheduler run.  After the script every task is cancelled or released, and
the primitive must be exactly as a correct one would be: no item lost or
duplicated, no lock held by a dead task, no slot of a semaphore leaked,
waiters served first in, first out.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from curio_kernel import CancelledError, Task, run, sleep, spawn
from curio_sync import (
    BoundedSemaphore,
    Condition,
    Event,
    Lock,
    Queue,
    QueueEmpty,
    QueueFull,
    Semaphore,
)

_SETTINGS = settings(max_examples=80, deadline=None)

_queue_ops = st.lists(
    st.one_of(
        st.just(("put",)),
        st.just(("get",)),
        st.just(("put_nowait",)),
        st.just(("get_nowait",)),
        st.just(("step",)),
        st.tuples(st.just("cancel"), st.integers(0, 30)),
        st.tuples(st.just("cancel_soon"), st.integers(0, 30)),
    ),
    max_size=40,
)


@_SETTINGS
@given(maxsize=st.integers(0, 3), ops=_queue_ops)
def test_queue_never_loses_or_duplicates_items(maxsize: int, ops: list[tuple[Any, ...]]) -> None:
    put_ok: list[int] = []
    put_cancelled: list[int] = []
    got: list[int] = []
    entered: list[int] = []  # items in the order their put completed

    async def putter(q: Queue[int], item: int) -> None:
        try:
            await q.put(item)
        except CancelledError:
            put_cancelled.append(item)
            raise
        put_ok.append(item)
        entered.append(item)

    async def getter(q: Queue[int]) -> None:
        got.append(await q.get())

    async def main() -> None:
        q: Queue[int] = Queue(maxsize)
        tasks: list[Task[None]] = []
        counter = 0
        for op in ops:
            kind = op[0]
            if kind == "put":
                counter += 1
                tasks.append(await spawn(putter(q, counter)))
            elif kind == "get":
                tasks.append(await spawn(getter(q)))
            elif kind == "put_nowait":
                counter += 1
                try:
                    q.put_nowait(counter)
                except QueueFull:
                    put_cancelled.append(counter)
                else:
                    put_ok.append(counter)
                    entered.append(counter)
            elif kind == "get_nowait":
                with contextlib.suppress(QueueEmpty):
                    got.append(q.get_nowait())
            elif kind == "step":
                await sleep(0)
            elif tasks:
                target = tasks[op[1] % len(tasks)]
                if kind == "cancel":
                    await target.cancel()
                else:
                    # Ask for the cancel without waiting: it lands in the same
                    # scheduling step as whatever the driver does next.
                    await spawn(target.cancel)
            assert q._reserved >= 0
            assert maxsize == 0 or q.qsize() + q._reserved <= maxsize
        for task in tasks:
            await task.cancel()
        # Every task has ended: nothing may remain promised or waiting.
        assert q._reserved == 0
        assert not q._getters
        assert not q._putters
        remaining = []
        while not q.empty():
            remaining.append(q.get_nowait())
        assert Counter(got) + Counter(remaining) == Counter(put_ok)
        assert not set(put_cancelled) & (set(got) | set(remaining))
        # What stayed in the queue comes out in the order it went in.
        position = {item: k for k, item in enumerate(entered)}
        assert [position[i] for i in remaining] == sorted(position[i] for i in remaining)

    run(main)


_lock_ops = st.lists(
    st.one_of(
        st.just(("spawn",)),
        st.just(("step",)),
        st.tuples(st.just("release"), st.integers(0, 30)),
        st.tuples(st.just("cancel"), st.integers(0, 30)),
        st.tuples(st.just("cancel_soon"), st.integers(0, 30)),
    ),
    max_size=40,
)


async def _drive(
    ops: list[tuple[Any, ...]], worker: Any, n_events: list[Event]
) -> list[Task[None]]:
    """Run the lock/semaphore script: spawn workers, let them go, cancel them."""
    tasks: list[Task[None]] = []
    for op in ops:
        kind = op[0]
        if kind == "spawn":
            evt = Event()
            n_events.append(evt)
            tasks.append(await spawn(worker(len(tasks), evt)))
        elif kind == "step":
            await sleep(0)
        elif tasks:
            k = op[1] % len(tasks)
            if kind == "release":
                await n_events[k].set()
            elif kind == "cancel":
                await tasks[k].cancel()
            else:
                await spawn(tasks[k].cancel)
    return tasks


@_SETTINGS
@given(ops=_lock_ops)
def test_lock_is_exclusive_fifo_and_never_left_held(ops: list[tuple[Any, ...]]) -> None:
    holders = 0
    acquired: list[int] = []

    async def main() -> None:
        lock = Lock()

        async def worker(k: int, go: Event) -> None:
            nonlocal holders
            async with lock:
                holders += 1
                assert holders == 1
                acquired.append(k)
                try:
                    await go.wait()
                finally:
                    holders -= 1

        events: list[Event] = []
        tasks = await _drive(ops, worker, events)
        for evt in events:
            await evt.set()
        for task in tasks:
            await task.cancel()
        assert not lock.locked()
        assert not lock._waiting
        # Workers ask for the lock in spawn order; whoever was not cancelled
        # first got it in that order.
        assert acquired == sorted(acquired)

    run(main)
    assert holders == 0


@_SETTINGS
@given(cls=st.sampled_from([Semaphore, BoundedSemaphore]), value=st.integers(1, 3), ops=_lock_ops)
def test_semaphore_bounds_holders_and_keeps_its_count(
    cls: type[Semaphore], value: int, ops: list[tuple[Any, ...]]
) -> None:
    holders = 0
    acquired: list[int] = []

    async def main() -> None:
        sema = cls(value)

        async def worker(k: int, go: Event) -> None:
            nonlocal holders
            async with sema:
                holders += 1
                assert holders <= value
                acquired.append(k)
                try:
                    await go.wait()
                finally:
                    holders -= 1
            assert sema.value + holders <= value

        events: list[Event] = []
        tasks = await _drive(ops, worker, events)
        for evt in events:
            await evt.set()
        for task in tasks:
            await task.cancel()
        assert sema.value == value
        assert not sema._waiting
        assert acquired == sorted(acquired)

    run(main)
    assert holders == 0


_cond_ops = st.lists(
    st.one_of(
        st.just(("wait",)),
        st.just(("step",)),
        st.tuples(st.just("notify"), st.integers(1, 3)),
        st.just(("notify_all",)),
        st.tuples(st.just("cancel"), st.integers(0, 30)),
        st.tuples(st.just("cancel_soon"), st.integers(0, 30)),
    ),
    max_size=40,
)


@_SETTINGS
@given(ops=_cond_ops)
def test_condition_wakes_exactly_as_notified_and_frees_its_lock(
    ops: list[tuple[Any, ...]],
) -> None:
    woke: list[int] = []
    unwound: list[int] = []

    async def main() -> None:
        cond = Condition()

        async def waiter(k: int) -> None:
            async with cond:
                try:
                    await cond.wait()
                except CancelledError:
                    assert cond.locked()  # the lock is held again while unwinding
                    unwound.append(k)
                    raise
                woke.append(k)

        tasks: list[Task[None]] = []
        notified = 0
        for op in ops:
            kind = op[0]
            if kind == "wait":
                tasks.append(await spawn(waiter(len(tasks))))
            elif kind == "step":
                await sleep(0)
            elif kind == "notify":
                async with cond:
                    notified += min(op[1], len(cond._waiting))
                    await cond.notify(op[1])
            elif kind == "notify_all":
                async with cond:
                    notified += len(cond._waiting)
                    await cond.notify_all()
            elif tasks:
                target = tasks[op[1] % len(tasks)]
                if kind == "cancel":
                    await target.cancel()
                else:
                    await spawn(target.cancel)
        # Let every notified waiter finish (or unwind), then cancel the rest.
        for _ in range(len(tasks) + 5):
            await sleep(0)
        for task in tasks:
            await task.cancel()
        assert not cond.locked()
        assert not cond._waiting
        # A notification is used by one waiter, or passed on when that waiter is
        # cancelled on its way back; so no more wake than notifications.
        assert len(woke) <= notified
        assert not set(woke) & set(unwound)
        assert sorted(woke + unwound) == sorted(set(woke + unwound))

    run(main)
