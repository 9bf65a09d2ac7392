"""UniversalQueue across worlds: cancellation and timeouts lose no item and leave no waiter.

Each test really starts threads and, where asyncio is involved, an asyncio loop in a thread
of its own (the ``asyncio_thread`` fixture).  Threads hand off through ``threading.Event``
or ``queue.Queue``; a task waits for another world with a bounded ``timeout_after``.

They stay on the real clock: a curio task waiting on a UniversalQueue waits on a future
(outside work for the kernel), so a virtual clock would not jump past a sleep or a
timeout meanwhile, and a thread or an asyncio loop needs real time to get in line.  The
one short timeout here is driven by a jump of the virtual clock instead.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from concurrent.futures import Future
from typing import Any

import pytest

from curio_kernel import CancelledError, TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_sync import QueueFull, UniversalQueue
from curio_traps import _future_wait


async def _outcome(future: Future[Any]) -> Any:
    """Wait (bounded) in a curio task for a future finished by another world."""
    # Real time on purpose: a safety bound on another world's hand-off, never reached.
    return await timeout_after(10, _future_wait(future))


async def _until_waiting(q: UniversalQueue[Any], kind: str, count: int) -> None:
    """Let other threads run until *count* waiters of *kind* are in line (bounded polling)."""
    for _ in range(10_000):
        if f"{kind}:{count}," in repr(q) or f"{kind}:{count}]" in repr(q):
            return
        # Real time on purpose: the waiter may be a thread or asyncio, which needs real time.
        await sleep(0.001)  # the kernel thread gives the other threads the interpreter
    raise AssertionError(f"never {count} {kind}: {q!r}")


def _wait_in_line(q: UniversalQueue[Any], kind: str, count: int) -> None:
    """The same from a plain thread."""
    seen = threading.Event()
    for _ in range(10_000):
        if f"{kind}:{count}," in repr(q) or f"{kind}:{count}]" in repr(q):
            return
        seen.wait(0.001)
    raise AssertionError(f"never {count} {kind}: {q!r}")


# ---------------------------------------------------------------------- curio <-> thread


def test_a_curio_getter_timed_out_leaves_no_waiter_and_a_thread_put_reaches_the_next(
    no_thread_leak: None,
) -> None:
    mock = MockClock()

    async def expire() -> None:
        # The getter waits on a future, which holds an autojump back: jump by hand.
        await wait_all_tasks_blocked()
        mock.jump(0.01)

    async def main() -> int:
        q: UniversalQueue[int] = UniversalQueue()
        await spawn(expire)
        with pytest.raises(TaskTimeout):
            await timeout_after(0.01, q.get())
        assert await clock() == 0.01
        assert "getters:0" in repr(q)
        thread = threading.Thread(target=q.put, args=(1,))
        thread.start()
        item: int = await q.get()  # the thread's put wakes it, in real time
        thread.join(10)
        return item

    assert run(main, clock=mock) == 1


def test_many_cancelled_curio_getters_then_a_thread_put_goes_to_the_survivor() -> None:
    async def main() -> int:
        q: UniversalQueue[int] = UniversalQueue()
        doomed = [await spawn(q.get) for _ in range(100)]
        survivor = await spawn(q.get)
        assert "getters:101" in repr(q)
        for task in reversed(doomed):  # newest first: the worst case of a search
            await task.cancel()
        assert "getters:1" in repr(q)
        assert len(q._getters._line) < 60  # the line is rebuilt as the crowd leaves
        thread = threading.Thread(target=q.put, args=(42,))
        thread.start()
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        item: int = await timeout_after(10, survivor.join())
        thread.join(10)
        assert q.empty()
        return item

    assert run(main) == 42


def test_a_curio_getter_cancelled_after_the_hand_off_gives_the_item_back() -> None:
    async def main() -> None:
        q: UniversalQueue[int] = UniversalQueue()
        getter = await spawn(q.get)
        # Handed from a thread while the kernel cannot run the getter: the item sits in its
        # future when the cancellation lands.
        thread = threading.Thread(target=q.put, args=(7,))
        thread.start()
        thread.join(10)
        await getter.cancel()
        if getter.cancelled:
            assert q.get_nowait() == 7  # given back
        else:
            assert getter.result == 7  # delivered before the cancellation
            assert q.empty()
        q.put_nowait(8)  # and nothing stale swallows a later put
        assert q.get_nowait() == 8

    run(main)


def test_repeated_thread_timeouts_do_not_grow_the_line_of_getters() -> None:
    q: UniversalQueue[int] = UniversalQueue()
    for _ in range(200):
        with pytest.raises(queue.Empty):
            q.get(timeout=0)
    assert "getters:0" in repr(q)
    assert len(q._getters._line) <= 33
    q.put(1)
    assert q.get(timeout=0) == 1


def test_a_thread_getter_timed_out_leaves_no_waiter_for_a_curio_put() -> None:
    q: UniversalQueue[int] = UniversalQueue()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.01)

    async def main() -> None:
        await q.put(3)  # type: ignore[func-returns-value]

    run(main)
    assert q.get(timeout=0) == 3


def test_a_curio_putter_cancelled_on_a_full_queue_passes_its_slot_on() -> None:
    async def main() -> list[int]:
        q: UniversalQueue[int] = UniversalQueue(1)
        await q.put(0)  # type: ignore[func-returns-value]
        doomed = await spawn(q.put, 1)
        survivor = await spawn(q.put, 2)
        assert "putters:2" in repr(q)
        got: queue.Queue[int] = queue.Queue()
        # A thread frees the slot; it goes to the doomed putter, which is then cancelled.
        thread = threading.Thread(target=lambda: got.put(q.get()))
        thread.start()
        thread.join(10)
        await doomed.cancel()
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        await timeout_after(10, survivor.join())
        items = [got.get_nowait()]
        while not q.empty():
            items.append(q.get_nowait())
        return items

    # The doomed putter never put its item; the slot it was promised went to the survivor.
    assert run(main) == [0, 2]


def test_a_slot_promised_to_a_putter_whose_item_a_getter_took_goes_to_the_next_putter() -> None:
    async def main() -> tuple[int, list[int]]:
        q: UniversalQueue[int] = UniversalQueue(1)
        q.put_nowait(0)
        first = await spawn(q.put, 1)
        await _until_waiting(q, "putters", 1)
        assert q.get_nowait() == 0  # the slot is promised to `first`, not yet resumed
        second = await spawn(q.put, 2)
        getter = await spawn(q.get)
        # `first` hands its item straight to the getter: the slot stays free, and
        # `second`, waiting on a queue that is not full, gets it.
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        got: int = await timeout_after(10, getter.join())
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        await timeout_after(10, first.join())
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        await timeout_after(10, second.join())
        rest = []
        while not q.empty():
            rest.append(q.get_nowait())
        return got, rest

    got, rest = run(main)
    assert sorted([got, *rest]) == [1, 2]


def test_a_slot_promised_to_a_waiting_putter_is_not_taken_by_a_later_put() -> None:
    # Even with a getter waiting: an item handed to a getter keeps its slot until the
    # getter resumes, since a getter cancelled meanwhile gives the item back.
    async def main() -> int:
        q: UniversalQueue[int] = UniversalQueue(1)
        q.put_nowait(0)
        waiting = await spawn(q.put, 1)  # waits: the queue is full
        await _until_waiting(q, "putters", 1)
        assert q.get_nowait() == 0  # the freed slot is promised to `waiting`
        getter = await spawn(q.get)  # finds the queue empty and waits
        await _until_waiting(q, "getters", 1)
        with pytest.raises(QueueFull):
            q.put_nowait(5)
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        item: int = await timeout_after(10, getter.join())
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        await timeout_after(10, waiting.join())
        assert q.empty()
        return item

    assert run(main) == 1


def test_a_cancelled_getter_gives_its_item_back_without_overfilling_a_bounded_queue() -> None:
    async def main() -> tuple[list[str], bool]:
        q: UniversalQueue[str] = UniversalQueue(1)
        getter = await spawn(q.get)
        await _until_waiting(q, "getters", 1)
        await q.put("A")  # handed to the getter, which keeps the slot
        full = q.full()
        with pytest.raises(QueueFull):
            q.put_nowait("B")
        await getter.cancel()
        items = []
        while not q.empty():
            items.append(q.get_nowait())
        return items, full

    assert run(main) == (["A"], True)


def test_a_curio_getter_waits_for_a_thread_that_puts_later() -> None:
    async def main() -> str:
        q: UniversalQueue[str] = UniversalQueue()
        getter = await spawn(q.get)
        thread = threading.Thread(target=lambda: (_wait_in_line(q, "getters", 1), q.put("x")))
        thread.start()
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        item: str = await timeout_after(10, getter.join())
        thread.join(10)
        return item

    assert run(main) == "x"


# ---------------------------------------------------------------------- curio <-> asyncio


def test_curio_and_an_asyncio_thread_pass_items_both_ways(
    asyncio_thread: Any, no_thread_leak: None
) -> None:
    to_aio: UniversalQueue[int] = UniversalQueue()
    to_curio: UniversalQueue[int] = UniversalQueue()

    async def echo() -> None:
        for _ in range(10):
            item = await to_aio.get()  # type: ignore[misc]
            await to_curio.put(item * 10)  # type: ignore[func-returns-value]

    async def main() -> list[int]:
        done = asyncio_thread.submit(echo())
        got = []
        for i in range(10):
            await to_aio.put(i)  # type: ignore[func-returns-value]
            # Real time on purpose: a safety bound on a hand-off the kernel waits for.
            got.append(await timeout_after(10, to_curio.get()))
        await _outcome(done)
        return got

    assert run(main) == [i * 10 for i in range(10)]


def test_an_asyncio_getter_timed_out_by_wait_for_leaves_no_waiter_for_a_curio_put(
    asyncio_thread: Any,
) -> None:
    q: UniversalQueue[int] = UniversalQueue()

    async def timed_out() -> str:
        try:
            await asyncio.wait_for(q.get(), 0.01)  # type: ignore[arg-type]
        except TimeoutError:
            return "timed out"
        return "got one"

    assert asyncio_thread.run(timed_out()) == "timed out"
    assert "getters:0" in repr(q)

    async def main() -> None:
        await q.put(5)  # type: ignore[func-returns-value]

    run(main)
    assert q.get_nowait() == 5


def test_an_asyncio_getter_cancelled_after_the_hand_off_gives_the_item_back(
    asyncio_thread: Any,
) -> None:
    q: UniversalQueue[int] = UniversalQueue()

    async def race() -> str:
        task = asyncio.ensure_future(q.get())  # type: ignore[arg-type]
        while "getters:1" not in repr(q):
            await asyncio.sleep(0)
        # In one step of the loop: the item is handed to the waiting future, then the task
        # is cancelled before it could resume with it.
        q.put_nowait(11)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "delivered"

    assert asyncio_thread.run(race()) == "cancelled"
    assert q.get_nowait() == 11  # back at the front


def test_many_cancelled_asyncio_getters_then_a_curio_put_goes_to_the_survivor(
    asyncio_thread: Any,
) -> None:
    q: UniversalQueue[int] = UniversalQueue()
    ready = threading.Event()

    async def crowd() -> int:
        doomed = [asyncio.ensure_future(q.get()) for _ in range(20)]  # type: ignore[arg-type]
        survivor = asyncio.ensure_future(q.get())  # type: ignore[arg-type]
        while "getters:21" not in repr(q):
            await asyncio.sleep(0)
        for task in doomed:
            task.cancel()
        await asyncio.gather(*doomed, return_exceptions=True)
        ready.set()
        item: int = await survivor
        return item

    outcome = asyncio_thread.submit(crowd())
    assert ready.wait(10)
    assert "getters:1" in repr(q)

    async def main() -> None:
        await q.put(99)  # type: ignore[func-returns-value]

    run(main)
    assert outcome.result(10) == 99


def test_a_curio_getter_and_an_asyncio_getter_each_get_one_item_from_a_thread(
    asyncio_thread: Any,
) -> None:
    q: UniversalQueue[str] = UniversalQueue()

    async def main() -> set[str]:
        aio = asyncio_thread.submit(q.get())  # made here, run by asyncio
        cur = await spawn(q.get)
        await _until_waiting(q, "getters", 2)
        thread = threading.Thread(target=lambda: (q.put("a"), q.put("b")))
        thread.start()
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        items = {await timeout_after(10, cur.join()), await _outcome(aio)}
        thread.join(10)
        return items

    assert run(main) == {"a", "b"}


# ---------------------------------------------------------------------- thread <-> asyncio


def test_a_thread_and_an_asyncio_task_pass_items_both_ways(asyncio_thread: Any) -> None:
    q: UniversalQueue[int] = UniversalQueue()
    back: UniversalQueue[int] = UniversalQueue()

    async def echo() -> None:
        for _ in range(10):
            await back.put(await q.get() + 1)  # type: ignore[func-returns-value, misc]

    done = asyncio_thread.submit(echo())
    got = []
    for i in range(10):
        q.put(i)
        got.append(back.get(timeout=10))
    done.result(10)
    assert got == list(range(1, 11))


def test_an_asyncio_putter_on_a_full_queue_waits_for_a_thread_get(asyncio_thread: Any) -> None:
    q: UniversalQueue[int] = UniversalQueue(1)
    q.put(0)

    async def put() -> str:
        await q.put(1)  # type: ignore[func-returns-value]
        return "put"

    done = asyncio_thread.submit(put())
    _wait_in_line(q, "putters", 1)
    assert q.get(timeout=10) == 0
    assert done.result(10) == "put"
    assert q.get(timeout=10) == 1


def test_an_asyncio_putter_timed_out_leaves_its_item_out_and_the_slot_free(
    asyncio_thread: Any,
) -> None:
    q: UniversalQueue[int] = UniversalQueue(1)
    q.put(0)

    async def put() -> str:
        try:
            await asyncio.wait_for(q.put(1), 0.01)  # type: ignore[arg-type]
        except TimeoutError:
            return "timed out"
        return "put"

    assert asyncio_thread.run(put()) == "timed out"
    assert q.get(timeout=0) == 0
    q.put(2, timeout=0)  # the freed slot went to no stale putter
    assert q.get(timeout=0) == 2
    assert q.empty()


def test_a_thread_getter_timed_out_leaves_no_waiter_for_an_asyncio_put(
    asyncio_thread: Any,
) -> None:
    q: UniversalQueue[int] = UniversalQueue()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.01)

    async def put() -> None:
        await q.put(4)  # type: ignore[func-returns-value]

    asyncio_thread.run(put())
    assert q.get(timeout=0) == 4


def test_cancellation_arriving_twice_while_a_curio_getter_cleans_up_loses_nothing() -> None:
    async def getter(q: UniversalQueue[int]) -> int:
        try:
            return await q.get()  # type: ignore[no-any-return, misc]
        except CancelledError:
            # Cleaning up waits again (and is cancelled again there).
            await q.get()
            raise

    async def main() -> None:
        q: UniversalQueue[int] = UniversalQueue()
        task = await spawn(getter, q)
        await task.cancel(blocking=False)
        await _until_waiting(q, "getters", 1)
        await task.cancel()
        assert task.cancelled
        assert "getters:0" in repr(q)
        q.put_nowait(1)
        assert q.get_nowait() == 1

    run(main)


def test_a_universal_method_given_to_timeout_after_and_spawn_runs_its_awaited_form() -> None:
    # timeout_after(s, q.get) calls q.get from a coroutine, as curio 1.x does, so the
    # task waits instead of blocking the kernel's thread.
    async def main() -> tuple[str, str]:
        q: UniversalQueue[str] = UniversalQueue()
        getter = await spawn(timeout_after, 10, q.get)
        await _until_waiting(q, "getters", 1)
        await q.put("x")
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        first: str = await timeout_after(10, getter.join())
        later = await spawn(q.get)
        await _until_waiting(q, "getters", 1)
        await q.put("y")
        # Real time on purpose: a safety bound on a hand-off the kernel waits for.
        second: str = await timeout_after(10, later.join())
        return first, second

    assert run(main) == ("x", "y")
