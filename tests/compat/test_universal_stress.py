"""UniversalQueue under load: many items, producers and consumers in every world at once.

Threads, curio tasks and asyncio tasks (on a loop in a thread of its own) share one bounded
queue; waits time out all the time.  Every item must arrive exactly once.

Real time on purpose throughout: the point is timeouts racing hand-offs from real threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from concurrent.futures import Future
from typing import Any

from curio_kernel import TaskTimeout, run, spawn, timeout_after
from curio_sync import UniversalQueue
from curio_traps import _future_wait


async def _outcome(future: Future[Any]) -> Any:
    """Wait (bounded) in a curio task for a future finished by another world."""
    # Real time on purpose: a safety bound on another world's hand-off, never reached.
    return await timeout_after(10, _future_wait(future))


def test_threads_curio_and_asyncio_move_many_items_none_lost_none_doubled(
    asyncio_thread: Any, no_thread_leak: None, no_fd_leak: None
) -> None:
    per_producer = 2_000
    q: UniversalQueue[int | None] = UniversalQueue(maxsize=8)
    got: list[int] = []
    lock = threading.Lock()

    def thread_consumer() -> None:
        while (item := q.get(timeout=10)) is not None:
            with lock:
                got.append(item)

    async def aio_consumer() -> None:
        while (item := await q.get()) is not None:  # type: ignore[misc]
            with lock:
                got.append(item)

    def thread_producer(base: int) -> None:
        for i in range(per_producer):
            q.put(base + i, timeout=10)

    async def curio_consumer() -> None:
        while (item := await q.get()) is not None:  # type: ignore[misc]
            with lock:
                got.append(item)

    async def main() -> None:
        aio = asyncio_thread.submit(aio_consumer())
        consumer = threading.Thread(target=thread_consumer)
        consumer.start()
        ours = await spawn(curio_consumer)
        producers = [
            threading.Thread(target=thread_producer, args=(k * per_producer,)) for k in (0, 1)
        ]
        for p in producers:
            p.start()
        for i in range(per_producer):
            # A curio producer too, timing out now and then on the full queue.
            # Real time on purpose: the timeout races the threads' gets.
            try:
                await timeout_after(0.001, q.put(2 * per_producer + i))
            except TaskTimeout:
                await q.put(2 * per_producer + i)  # type: ignore[func-returns-value]
        for p in producers:
            p.join(30)
        for _ in range(3):
            await q.put(None)  # type: ignore[func-returns-value]
        await timeout_after(30, ours.join())
        await _outcome(aio)
        consumer.join(30)

    run(main)
    assert sorted(got) == list(range(3 * per_producer))


def test_getters_timing_out_all_the_time_in_every_world_lose_no_item_and_double_none(
    asyncio_thread: Any, no_thread_leak: None
) -> None:
    total = 3_000
    q: UniversalQueue[int] = UniversalQueue(maxsize=4)
    got: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def keep(item: int) -> None:
        with lock:
            got.append(item)
            if len(got) == total:
                stop.set()

    def thread_getter() -> None:
        while not stop.is_set():
            with contextlib.suppress(queue.Empty):
                keep(q.get(timeout=0.0005))

    async def aio_getter() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                keep(await asyncio.wait_for(q.get(), 0.0005))  # type: ignore[arg-type]

    async def curio_getter() -> None:
        while not stop.is_set():
            with contextlib.suppress(TaskTimeout):
                # Real time on purpose: the timeout races the threads' puts.
                keep(await timeout_after(0.0005, q.get()))

    def producer(items: range) -> None:
        for i in items:
            q.put(i, timeout=30)

    async def main() -> None:
        aio = [asyncio_thread.submit(aio_getter()) for _ in range(2)]
        getters = [threading.Thread(target=thread_getter) for _ in range(2)]
        producers = [threading.Thread(target=producer, args=(range(k, total, 2),)) for k in (0, 1)]
        ours = [await spawn(curio_getter) for _ in range(2)]
        for thread in getters + producers:
            thread.start()
        for task in ours:
            await timeout_after(30, task.join())
        for future in aio:
            await _outcome(future)
        for thread in getters + producers:
            thread.join(30)

    run(main)
    assert sorted(got) == list(range(total))
    assert q.empty()
    assert "getters:0, putters:0" in repr(q)
