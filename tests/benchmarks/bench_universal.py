"""Universal queues: items handed between a thread and a task, each way, per CPU second.

``thread -> task``: a plain thread puts ``n`` integers, one task of the event loop gets them.
``task -> thread``: one task puts ``n`` integers, a plain thread gets them.  Each column is
written the way a user of that framework would write it:

- curio: one ``curio_sync.UniversalQueue``, ``q.put(i)`` / ``await q.get()`` and
  ``await q.put(i)`` / ``q.get()``;
- asyncio and uvloop: ``loop.call_soon_threadsafe(queue.put_nowait, i)`` into an
  ``asyncio.Queue`` for thread -> task; ``queue.Queue.put_nowait`` from the task and a
  blocking ``get`` in the thread for task -> thread;
- janus: one ``janus.Queue`` on the default asyncio loop, ``sync_q`` in the thread and
  ``async_q`` in the task.

The timed span runs from the thread's start to the moment the receiving side holds the last
item; CPU time counts every thread of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from _harness import Case, Impl, cpu_timer, run_asyncio, run_uvloop

__all__ = ["BENCHMARKS"]


# --- curio: UniversalQueue -------------------------------------------------------------------


def _curio_thread_to_task(n: int) -> float:
    import curio_kernel
    from curio_sync import UniversalQueue

    async def main() -> float:
        q: UniversalQueue[int] = UniversalQueue()

        def produce() -> None:
            for i in range(n):
                q.put(i)

        with cpu_timer() as t:
            thread = threading.Thread(target=produce)
            thread.start()
            for _ in range(n):
                await q.get()
        thread.join()
        return n / t.seconds

    return curio_kernel.run(main)


def _curio_task_to_thread(n: int) -> float:
    import curio_kernel
    from curio_sync import UniversalEvent, UniversalQueue

    async def main() -> float:
        q: UniversalQueue[int] = UniversalQueue()
        done = UniversalEvent()

        def consume() -> None:
            for _ in range(n):
                q.get()
            done.set()

        with cpu_timer() as t:
            thread = threading.Thread(target=consume)
            thread.start()
            for i in range(n):
                await q.put(i)
            await done.wait()
        thread.join()
        return n / t.seconds

    return curio_kernel.run(main)


# --- asyncio (and uvloop): call_soon_threadsafe + asyncio.Queue, queue.Queue back ------------


async def _aio_thread_to_task(n: int) -> float:
    import asyncio

    loop = asyncio.get_running_loop()
    q: asyncio.Queue[int] = asyncio.Queue()

    def produce() -> None:
        for i in range(n):
            loop.call_soon_threadsafe(q.put_nowait, i)

    with cpu_timer() as t:
        thread = threading.Thread(target=produce)
        thread.start()
        for _ in range(n):
            await q.get()
    thread.join()
    return n / t.seconds


async def _aio_task_to_thread(n: int) -> float:
    import asyncio
    import queue

    q: queue.Queue[int] = queue.Queue()
    done: Future[None] = Future()

    def consume() -> None:
        for _ in range(n):
            q.get()
        done.set_result(None)

    with cpu_timer() as t:
        thread = threading.Thread(target=consume)
        thread.start()
        for i in range(n):
            q.put_nowait(i)
        await asyncio.wrap_future(done)
    thread.join()
    return n / t.seconds


# --- janus ----------------------------------------------------------------------------------


async def _janus_thread_to_task(n: int) -> float:
    import janus

    q: janus.Queue[int] = janus.Queue()

    def produce() -> None:
        for i in range(n):
            q.sync_q.put(i)

    with cpu_timer() as t:
        thread = threading.Thread(target=produce)
        thread.start()
        for _ in range(n):
            await q.async_q.get()
    thread.join()
    await q.aclose()
    return n / t.seconds


async def _janus_task_to_thread(n: int) -> float:
    import asyncio

    import janus

    q: janus.Queue[int] = janus.Queue()
    done: Future[None] = Future()

    def consume() -> None:
        for _ in range(n):
            q.sync_q.get()
        done.set_result(None)

    with cpu_timer() as t:
        thread = threading.Thread(target=consume)
        thread.start()
        for i in range(n):
            await q.async_q.put(i)
        await asyncio.wrap_future(done)
    thread.join()
    await q.aclose()
    return n / t.seconds


def _impls(curio: Impl, aio: Callable[[int], Any], janus: Callable[[int], Any]) -> dict[str, Impl]:
    return {
        "curio": curio,
        "asyncio": lambda n: run_asyncio(aio, n),
        "uvloop": lambda n: run_uvloop(aio, n),
        "janus": lambda n: run_asyncio(janus, n),
    }


_JANUS_NOTE = "janus shows n/a where it is not installed (it is in the bench dependency group)."

BENCHMARKS = [
    Case(
        name="UniversalQueue thread -> task",
        unit="items/CPU-s",
        n=200_000,
        quick_n=10_000,
        impls=_impls(_curio_thread_to_task, _aio_thread_to_task, _janus_thread_to_task),
        note="asyncio/uvloop: call_soon_threadsafe(asyncio.Queue.put_nowait). " + _JANUS_NOTE,
    ),
    Case(
        name="UniversalQueue task -> thread",
        unit="items/CPU-s",
        n=200_000,
        quick_n=10_000,
        impls=_impls(_curio_task_to_thread, _aio_task_to_thread, _janus_task_to_thread),
        note="asyncio/uvloop: queue.Queue.put_nowait() from the task, get() in the thread.",
    ),
]
