"""Queue[T] is generic for the type checker and at run time.

The ``type: ignore[...]`` lines are checked too: mypy (strict, which warns about
unused ignores) fails if a wrong ``put`` stops being an error.
"""

from __future__ import annotations

from typing import assert_type

from curio_kernel import run
from curio_sync import Condition, Event, LifoQueue, Lock, PriorityQueue, Queue, RLock, Semaphore


def test_get_returns_the_item_type() -> None:
    async def main() -> int:
        q = Queue[int]()
        await q.put(1)
        item = await q.get()
        assert_type(item, int)
        q.put_nowait(2)
        assert_type(q.get_nowait(), int)
        return item

    assert run(main) == 1


def test_put_of_a_wrong_type_is_a_type_error_for_mypy() -> None:
    async def main() -> None:
        q: Queue[int] = Queue()
        await q.put("text")  # type: ignore[arg-type]
        q.put_nowait(b"bytes")  # type: ignore[arg-type]
        lq: LifoQueue[str] = LifoQueue()
        await lq.put(3)  # type: ignore[arg-type]
        pq: PriorityQueue[tuple[int, str]] = PriorityQueue()
        await pq.put((1, 2))  # type: ignore[arg-type]
        assert q.qsize() == 2  # nothing is checked at run time

    run(main)


def test_async_context_managers_give_none() -> None:
    async def main() -> None:
        async with Lock() as a:
            assert_type(a, None)
        async with RLock() as b:
            assert_type(b, None)
        async with Semaphore() as c:
            assert_type(c, None)
        async with Condition() as d:
            assert_type(d, None)
        evt = Event()
        await evt.set()
        assert_type(await evt.wait(), None)

    run(main)
