"""Queue: FIFO order, bounds, join/task_done, hand-over and cancellation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from curio_kernel import CancelledError, TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_sync import Queue, SyncUsageError

Until = Callable[[Callable[[], bool]], Awaitable[None]]


def test_items_come_out_in_order() -> None:
    async def main() -> list[int]:
        q: Queue[int] = Queue()
        for n in range(5):
            await q.put(n)
        assert q.qsize() == 5
        assert not q.empty()
        assert not q.full()
        return [await q.get() for _ in range(5)]

    assert run(main) == [0, 1, 2, 3, 4]


def test_empty_full_qsize_and_maxsize() -> None:
    async def main() -> None:
        q: Queue[str] = Queue(maxsize=2)
        assert q.maxsize == 2
        assert q.empty()
        assert not q.full()
        assert q.qsize() == 0
        await q.put("a")
        await q.put("b")
        assert q.full()
        assert q.qsize() == 2
        await q.get()
        assert not q.full()

    run(main)


def test_unbounded_queue_is_never_full() -> None:
    async def main() -> None:
        q: Queue[int] = Queue()
        for n in range(1000):
            await q.put(n)
        assert not q.full()
        assert q.qsize() == 1000

    run(main)


@pytest.mark.parametrize("maxsize", [-1, -5])
def test_negative_maxsize_is_refused(maxsize: int) -> None:
    with pytest.raises(RuntimeError, match=">= 0"):
        Queue(maxsize)
    with pytest.raises(ValueError, match=">= 0"):
        Queue(maxsize=maxsize)


@pytest.mark.parametrize("maxsize", [1.0, "3", None, False])
def test_non_int_maxsize_is_refused(maxsize: object) -> None:
    with pytest.raises(TypeError, match="int"):
        Queue(maxsize)  # type: ignore[arg-type]


def test_get_waits_for_a_put() -> None:
    async def getter(q: Queue[str]) -> str:
        return await q.get()

    async def main() -> str:
        q: Queue[str] = Queue()
        t = await spawn(getter(q))
        assert not t.terminated
        await q.put("hello")
        assert q.qsize() == 0  # handed straight to the getter
        return await t.join()

    assert run(main) == "hello"


def test_getters_are_served_in_arrival_order() -> None:
    async def getter(q: Queue[int]) -> int:
        return await q.get()

    async def main() -> list[int]:
        q: Queue[int] = Queue()
        tasks = [await spawn(getter(q)) for _ in range(4)]
        for n in range(4):
            await q.put(n)
        return [await t.join() for t in tasks]

    assert run(main) == [0, 1, 2, 3]


def test_put_waits_while_full_and_putters_are_served_in_order() -> None:
    async def putter(q: Queue[int], n: int) -> None:
        await q.put(n)

    async def main() -> list[int]:
        q: Queue[int] = Queue(maxsize=1)
        await q.put(0)
        tasks = [await spawn(putter(q, n)) for n in range(1, 5)]
        assert q.qsize() == 1
        assert all(not t.terminated for t in tasks)
        got = [await q.get() for _ in range(5)]
        for t in tasks:
            await t.join()
        assert q.empty()
        return got

    assert run(main) == [0, 1, 2, 3, 4]


def test_a_late_putter_does_not_jump_the_waiting_putters() -> None:
    async def putter(q: Queue[str], item: str) -> None:
        await q.put(item)

    async def main() -> list[str]:
        q: Queue[str] = Queue(maxsize=1)
        await q.put("first")
        waiting = await spawn(putter(q, "waiting"))
        assert await q.get() == "first"  # frees the slot for "waiting"
        assert q.full()  # reserved for the waiting putter
        late = await spawn(putter(q, "late"))
        got = [await q.get(), await q.get()]
        await waiting.join()
        await late.join()
        return got

    assert run(main) == ["waiting", "late"]


def test_woken_putter_hands_to_a_getter_and_passes_its_slot_on() -> None:
    """maxsize=1 with two putters waiting: a get wakes the first; before it runs a
    second get waits.  The first putter hands its item to that getter, and the
    slot it no longer needs must go to the second putter (or both block forever)."""

    async def putter(q: Queue[str], item: str) -> None:
        await q.put(item)

    async def getter(q: Queue[str]) -> str:
        return await q.get()

    async def main() -> list[str]:
        q: Queue[str] = Queue(maxsize=1)
        await q.put("a")
        p1 = await spawn(putter(q, "b"))
        p2 = await spawn(putter(q, "c"))
        first = await q.get()  # wakes p1, which has not run yet
        g = await spawn(getter(q))  # finds the queue empty: waits
        await p1.join()
        await p2.join()
        return [first, await g.join(), await q.get()]

    assert run(main) == ["a", "b", "c"]


def test_join_waits_for_task_done() -> None:
    log: list[str] = []

    async def worker(q: Queue[int]) -> None:
        while True:
            n = await q.get()
            log.append(f"got {n}")
            await q.task_done()

    async def main() -> None:
        q: Queue[int] = Queue()
        await q.join()  # nothing unfinished: returns at once
        w = await spawn(worker(q))
        for n in range(3):
            await q.put(n)
        await q.join()
        log.append("joined")
        await w.cancel()

    run(main)
    assert log == ["got 0", "got 1", "got 2", "joined"]


def test_join_wakes_every_joiner() -> None:
    async def joiner(q: Queue[int]) -> str:
        await q.join()
        return "done"

    async def main() -> list[str]:
        q: Queue[int] = Queue()
        await q.put(1)
        joiners = [await spawn(joiner(q)) for _ in range(3)]
        await q.get()
        await q.task_done()
        return [await j.join() for j in joiners]

    assert run(main) == ["done"] * 3


def test_task_done_too_often_is_an_error() -> None:
    async def main() -> None:
        q: Queue[int] = Queue()
        await q.put(1)
        await q.get()
        await q.task_done()
        with pytest.raises(RuntimeError, match="more times"):
            await q.task_done()
        with pytest.raises(ValueError, match="more times"):
            await q.task_done()
        with pytest.raises(SyncUsageError):
            await q.task_done()

    run(main)


def test_cancelled_getter_loses_nothing() -> None:
    async def getter(q: Queue[int]) -> int:
        return await q.get()

    async def main() -> list[int]:
        q: Queue[int] = Queue()
        a = await spawn(getter(q))
        b = await spawn(getter(q))
        await a.cancel()
        await q.put(1)
        await q.put(2)
        return [await b.join(), await q.get()]

    assert run(main) == [1, 2]


def test_cancelled_putter_adds_nothing() -> None:
    async def putter(q: Queue[str], item: str) -> None:
        await q.put(item)

    async def main() -> list[str]:
        q: Queue[str] = Queue(maxsize=1)
        await q.put("kept")
        a = await spawn(putter(q, "cancelled"))
        b = await spawn(putter(q, "next"))
        await a.cancel()
        got = [await q.get(), await q.get()]
        await b.join()
        assert q.empty()
        return got

    assert run(main) == ["kept", "next"]


def test_item_handed_to_getter_cancelled_in_same_step_is_delivered() -> None:
    """put wakes the getter with the item; a cancel lands before the getter runs.
    The getter still returns the item (the cancel waits for its next blocking call)."""
    log: list[object] = []

    async def getter(q: Queue[str]) -> None:
        try:
            log.append(await q.get())
            await sleep(0)
        except CancelledError:
            log.append("cancelled")
            raise

    async def main() -> None:
        q: Queue[str] = Queue()
        g = await spawn(getter(q))
        await q.put("item")
        await g.cancel()
        assert q.empty()

    run(main)
    assert log == ["item", "cancelled"]


def test_putter_woken_and_cancelled_in_same_step_still_puts() -> None:
    async def putter(q: Queue[str]) -> str:
        try:
            await q.put("late")
        except CancelledError:
            return "cancelled in put"
        return "put"

    async def main() -> list[object]:
        q: Queue[str] = Queue(maxsize=1)
        await q.put("first")
        p = await spawn(putter(q))
        first = await q.get()  # reserves the slot for p and wakes it
        await p.cancel()  # p has not run yet
        return [first, p.result, q.qsize(), await q.get(), q.full()]

    assert run(main) == ["first", "put", 1, "late", False]


def test_get_and_put_time_out_cleanly(virtual_clock: MockClock) -> None:
    async def main() -> None:
        q: Queue[int] = Queue(maxsize=1)
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await q.get()
        assert await clock() == 0.01
        await q.put(1)
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await q.put(2)
        assert await clock() == 0.02
        assert q.qsize() == 1
        assert await q.get() == 1
        assert q.empty()

    run(main, clock=virtual_clock)


def test_join_cancelled_leaves_the_count() -> None:
    async def joiner(q: Queue[int]) -> None:
        await q.join()

    async def main() -> None:
        q: Queue[int] = Queue()
        await q.put(1)
        j = await spawn(joiner(q))
        await j.cancel()
        await q.get()
        await q.task_done()
        await q.join()
        with pytest.raises(RuntimeError):
            await q.task_done()

    run(main)


def test_unfinished_count_includes_handed_over_items() -> None:
    async def getter(q: Queue[int]) -> int:
        return await q.get()

    async def joiner(q: Queue[int]) -> str:
        await q.join()
        return "joined"

    async def main() -> str:
        q: Queue[int] = Queue()
        g = await spawn(getter(q))
        await q.put(7)  # handed straight to g, still unfinished
        j = await spawn(joiner(q))
        assert not j.terminated
        assert await g.join() == 7
        await q.task_done()
        return await j.join()

    assert run(main) == "joined"


def test_repr_tells_sizes() -> None:
    q: Queue[int] = Queue(3)
    assert "size:0" in repr(q)
    assert "maxsize:3" in repr(q)
