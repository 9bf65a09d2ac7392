"""get_nowait / put_nowait: no waiting, clear errors, and waking the waiters."""

from __future__ import annotations

import queue

import pytest

from curio_kernel import run, spawn
from curio_sync import Queue, QueueEmpty, QueueFull


def test_nowait_round_trip() -> None:
    q: Queue[int] = Queue(maxsize=2)
    q.put_nowait(1)
    q.put_nowait(2)
    assert q.full()
    assert [q.get_nowait(), q.get_nowait()] == [1, 2]


def test_get_nowait_on_empty_queue_raises_queue_empty() -> None:
    q: Queue[int] = Queue()
    with pytest.raises(QueueEmpty, match="empty"):
        q.get_nowait()
    with pytest.raises(queue.Empty):  # the standard library's exception works too
        q.get_nowait()


def test_put_nowait_on_full_queue_raises_queue_full() -> None:
    q: Queue[int] = Queue(maxsize=1)
    q.put_nowait(1)
    with pytest.raises(QueueFull, match="full"):
        q.put_nowait(2)
    with pytest.raises(queue.Full):
        q.put_nowait(2)
    assert q.qsize() == 1
    assert q.get_nowait() == 1


def test_put_nowait_counts_for_join() -> None:
    async def main() -> None:
        q: Queue[int] = Queue()
        q.put_nowait(1)
        q.get_nowait()
        await q.task_done()  # legal: put_nowait counted the item
        await q.join()
        with pytest.raises(RuntimeError):
            await q.task_done()

    run(main)


def test_put_nowait_hands_the_item_to_a_waiting_getter() -> None:
    async def getter(q: Queue[str]) -> str:
        return await q.get()

    async def main() -> str:
        q: Queue[str] = Queue()
        g = await spawn(getter(q))
        q.put_nowait("x")
        assert q.empty()
        return await g.join()

    assert run(main) == "x"


def test_get_nowait_lets_a_waiting_putter_in() -> None:
    async def putter(q: Queue[str]) -> None:
        await q.put("second")

    async def main() -> list[str]:
        q: Queue[str] = Queue(maxsize=1)
        q.put_nowait("first")
        p = await spawn(putter(q))
        got = [q.get_nowait()]
        with pytest.raises(QueueFull):
            q.put_nowait("jumps the queue")  # the slot is promised to p
        await p.join()
        got.append(q.get_nowait())
        return got

    assert run(main) == ["first", "second"]


def test_waking_outside_a_kernel_fails_cleanly_and_changes_nothing() -> None:
    """A getter left waiting in a kernel that has stopped can't be woken from outside."""

    async def getter(q: Queue[str]) -> str:
        return await q.get()

    q: Queue[str] = Queue()
    from curio_kernel import Kernel

    with Kernel() as kernel:

        async def main() -> None:
            await spawn(getter(q), daemon=True)

        kernel.run(main())
        with pytest.raises(RuntimeError, match="kernel"):
            q.put_nowait("lost?")
        assert q.empty()
