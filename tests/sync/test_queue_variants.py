"""PriorityQueue and LifoQueue: their order, with the Queue semantics around it."""

from __future__ import annotations

import pytest

from curio_kernel import run, spawn
from curio_sync import LifoQueue, PriorityQueue, Queue, QueueEmpty


def test_priority_queue_returns_smallest_first() -> None:
    async def main() -> list[tuple[int, str]]:
        q: PriorityQueue[tuple[int, str]] = PriorityQueue()
        for item in [(3, "c"), (1, "a"), (2, "b"), (0, "z")]:
            await q.put(item)
        return [await q.get() for _ in range(4)]

    assert run(main) == [(0, "z"), (1, "a"), (2, "b"), (3, "c")]


def test_lifo_queue_returns_newest_first() -> None:
    async def main() -> list[int]:
        q: LifoQueue[int] = LifoQueue()
        for n in range(4):
            await q.put(n)
        return [await q.get() for _ in range(4)]

    assert run(main) == [3, 2, 1, 0]


@pytest.mark.parametrize("cls", [PriorityQueue, LifoQueue])
def test_variants_are_queues_with_bounds_and_hand_over(cls: type[Queue[int]]) -> None:
    async def getter(q: Queue[int]) -> int:
        return await q.get()

    async def putter(q: Queue[int], n: int) -> None:
        await q.put(n)

    async def main() -> None:
        q = cls(maxsize=1)
        assert isinstance(q, Queue)
        g = await spawn(getter(q))
        await q.put(5)
        assert await g.join() == 5
        await q.put(1)
        p = await spawn(putter(q, 2))
        assert q.full()
        assert not p.terminated
        assert await q.get() == 1
        await p.join()
        assert q.get_nowait() == 2
        with pytest.raises(QueueEmpty):
            q.get_nowait()

    run(main)


def test_priority_queue_nowait_keeps_heap_order() -> None:
    q: PriorityQueue[int] = PriorityQueue()
    for n in [5, 1, 4, 2, 3]:
        q.put_nowait(n)
    assert [q.get_nowait() for _ in range(5)] == [1, 2, 3, 4, 5]


def test_subscripted_at_run_time() -> None:
    q1 = Queue[int](maxsize=3)
    q2 = PriorityQueue[int](maxsize=3)
    q3 = LifoQueue[int](maxsize=3)
    assert [type(q) for q in (q1, q2, q3)] == [Queue, PriorityQueue, LifoQueue]
    assert q1.maxsize == q2.maxsize == q3.maxsize == 3
