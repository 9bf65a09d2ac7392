"""Synchronization: queues, events and locks between tasks.

Each case does the same work in each framework, written the way a user of that framework would
write it: curio_sync's ``Queue``/``Event``/``Lock``, asyncio's, and trio's memory channels,
events (which cannot be cleared, so a fresh one per round) and locks. Only the work inside the
running event loop is timed (CPU time of the process).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from functools import partial

from _harness import Case, Impl, Result, asyncio_impls, cpu_timer

__all__ = ["BENCHMARKS"]

_QUEUE_SIZE = 128  # bound of the queue in the producer/consumer cases
_CONTENDERS = 10  # tasks taking turns on one lock


def _run_curio(corofunc: Callable[[int], Awaitable[float | Result]], n: int) -> float | Result:
    """Run ``corofunc(n)`` on a fresh curio kernel."""
    import curio_kernel

    return curio_kernel.run(corofunc, n)


def _run_trio(corofunc: Callable[[int], Awaitable[float | Result]], n: int) -> float | Result:
    """Run ``corofunc(n)`` under ``trio.run``."""
    import trio

    return trio.run(corofunc, n)


# --- queue ping-pong: one task sends a number, the other sends it back; n round trips --------


async def _queue_ping_curio(n: int) -> float:
    from curio_kernel import spawn
    from curio_sync import Queue

    ping: Queue[int] = Queue()
    pong: Queue[int] = Queue()

    async def echo() -> None:
        for _ in range(n):
            await pong.put(await ping.get())

    with cpu_timer() as t:
        task = await spawn(echo())
        for i in range(n):
            await ping.put(i)
            await pong.get()
        await task.join()
    return n / t.seconds


async def _queue_ping_asyncio(n: int) -> float:
    ping: asyncio.Queue[int] = asyncio.Queue()
    pong: asyncio.Queue[int] = asyncio.Queue()

    async def echo() -> None:
        for _ in range(n):
            await pong.put(await ping.get())

    with cpu_timer() as t:
        task = asyncio.create_task(echo())
        for i in range(n):
            await ping.put(i)
            await pong.get()
        await task
    return n / t.seconds


async def _queue_ping_trio(n: int) -> float:
    import trio

    ping_send, ping_recv = trio.open_memory_channel[int](math.inf)
    pong_send, pong_recv = trio.open_memory_channel[int](math.inf)

    async def echo() -> None:
        for _ in range(n):
            await pong_send.send(await ping_recv.receive())

    with cpu_timer() as t:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(echo)
            for i in range(n):
                await ping_send.send(i)
                await pong_recv.receive()
    return n / t.seconds


# --- event ping-pong: each side sets the other's event and waits for its own; n round trips ---


async def _event_ping_curio(n: int) -> float:
    from curio_kernel import spawn
    from curio_sync import Event

    ping = Event()
    pong = Event()

    async def echo() -> None:
        for _ in range(n):
            await ping.wait()
            ping.clear()
            await pong.set()

    with cpu_timer() as t:
        task = await spawn(echo())
        for _ in range(n):
            await ping.set()
            await pong.wait()
            pong.clear()
        await task.join()
    return n / t.seconds


async def _event_ping_asyncio(n: int) -> float:
    ping = asyncio.Event()
    pong = asyncio.Event()

    async def echo() -> None:
        for _ in range(n):
            await ping.wait()
            ping.clear()
            pong.set()

    with cpu_timer() as t:
        task = asyncio.create_task(echo())
        for _ in range(n):
            ping.set()
            await pong.wait()
            pong.clear()
        await task
    return n / t.seconds


class _TrioEvents:
    """The current pair of trio events (replaced after each use: trio's cannot be cleared)."""

    def __init__(self) -> None:
        import trio

        self.ping = trio.Event()
        self.pong = trio.Event()


async def _event_ping_trio(n: int) -> float:
    import trio

    box = _TrioEvents()

    async def echo() -> None:
        for _ in range(n):
            await box.ping.wait()
            box.ping = trio.Event()
            box.pong.set()

    with cpu_timer() as t:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(echo)
            for _ in range(n):
                box.ping.set()
                await box.pong.wait()
                box.pong = trio.Event()
    return n / t.seconds


# --- producers and consumers through one bounded queue; n items in total ---------------------


async def _flow_curio(n: int, producers: int, consumers: int) -> float:
    from curio_kernel import spawn
    from curio_sync import Queue

    q: Queue[int] = Queue(_QUEUE_SIZE)
    total = n // (producers * consumers) * producers * consumers

    async def producer(k: int) -> None:
        for i in range(k):
            await q.put(i)

    async def consumer(k: int) -> None:
        for _ in range(k):
            await q.get()

    with cpu_timer() as t:
        tasks = [await spawn(consumer(total // consumers)) for _ in range(consumers)]
        tasks += [await spawn(producer(total // producers)) for _ in range(producers)]
        for task in tasks:
            await task.join()
    return total / t.seconds


async def _flow_asyncio(n: int, producers: int, consumers: int) -> float:
    q: asyncio.Queue[int] = asyncio.Queue(_QUEUE_SIZE)
    total = n // (producers * consumers) * producers * consumers

    async def producer(k: int) -> None:
        for i in range(k):
            await q.put(i)

    async def consumer(k: int) -> None:
        for _ in range(k):
            await q.get()

    with cpu_timer() as t:
        tasks = [asyncio.create_task(consumer(total // consumers)) for _ in range(consumers)]
        tasks += [asyncio.create_task(producer(total // producers)) for _ in range(producers)]
        for task in tasks:
            await task
    return total / t.seconds


async def _flow_trio(n: int, producers: int, consumers: int) -> float:
    import trio

    send, recv = trio.open_memory_channel[int](_QUEUE_SIZE)
    total = n // (producers * consumers) * producers * consumers

    async def producer(k: int) -> None:
        for i in range(k):
            await send.send(i)

    async def consumer(k: int) -> None:
        for _ in range(k):
            await recv.receive()

    with cpu_timer() as t:
        async with trio.open_nursery() as nursery:
            for _ in range(consumers):
                nursery.start_soon(consumer, total // consumers)
            for _ in range(producers):
                nursery.start_soon(producer, total // producers)
    return total / t.seconds


# --- 10 tasks contending for one lock, each holding it across a switch; n acquisitions -------


async def _contended_curio(n: int) -> float:
    from curio_kernel import sleep, spawn
    from curio_sync import Lock

    lock = Lock()

    async def worker(k: int) -> None:
        for _ in range(k):
            async with lock:
                await sleep(0)

    with cpu_timer() as t:
        tasks = [await spawn(worker(n // _CONTENDERS)) for _ in range(_CONTENDERS)]
        for task in tasks:
            await task.join()
    return n // _CONTENDERS * _CONTENDERS / t.seconds


async def _contended_asyncio(n: int) -> float:
    lock = asyncio.Lock()

    async def worker(k: int) -> None:
        for _ in range(k):
            async with lock:
                await asyncio.sleep(0)

    with cpu_timer() as t:
        tasks = [asyncio.create_task(worker(n // _CONTENDERS)) for _ in range(_CONTENDERS)]
        for task in tasks:
            await task
    return n // _CONTENDERS * _CONTENDERS / t.seconds


async def _contended_trio(n: int) -> float:
    import trio

    lock = trio.Lock()

    async def worker(k: int) -> None:
        for _ in range(k):
            async with lock:
                await trio.sleep(0)

    with cpu_timer() as t:
        async with trio.open_nursery() as nursery:
            for _ in range(_CONTENDERS):
                nursery.start_soon(worker, n // _CONTENDERS)
    return n // _CONTENDERS * _CONTENDERS / t.seconds


# --- an uncontended lock: one task acquires and releases it n times ---------------------------


async def _uncontended_curio(n: int) -> float:
    from curio_sync import Lock

    lock = Lock()
    with cpu_timer() as t:
        for _ in range(n):
            async with lock:
                pass
    return n / t.seconds


async def _uncontended_asyncio(n: int) -> float:
    lock = asyncio.Lock()
    with cpu_timer() as t:
        for _ in range(n):
            async with lock:
                pass
    return n / t.seconds


async def _uncontended_trio(n: int) -> float:
    import trio

    lock = trio.Lock()
    with cpu_timer() as t:
        for _ in range(n):
            async with lock:
                pass
    return n / t.seconds


_CoroFunc = Callable[[int], Awaitable[float | Result]]


def _impls(curio: _CoroFunc, aio: _CoroFunc, trio: _CoroFunc) -> dict[str, Impl]:
    """The four implementations of a case from its curio, asyncio and trio coroutines."""
    return {
        "curio": lambda n: _run_curio(curio, n),
        **asyncio_impls(aio),
        "trio": lambda n: _run_trio(trio, n),
    }


def _flow(producers: int, consumers: int) -> dict[str, Impl]:
    return _impls(
        partial(_flow_curio, producers=producers, consumers=consumers),
        partial(_flow_asyncio, producers=producers, consumers=consumers),
        partial(_flow_trio, producers=producers, consumers=consumers),
    )


BENCHMARKS = [
    Case(
        name="queue ping-pong",
        unit="round trips/CPU-s",
        n=200_000,
        quick_n=10_000,
        goal=250_000,
        impls=_impls(_queue_ping_curio, _queue_ping_asyncio, _queue_ping_trio),
        note="two tasks, two unbounded queues (trio: memory channels).",
    ),
    Case(
        name="event ping-pong",
        unit="round trips/CPU-s",
        n=200_000,
        quick_n=10_000,
        goal=330_000,
        impls=_impls(_event_ping_curio, _event_ping_asyncio, _event_ping_trio),
        note="two tasks, two events set, waited for and cleared (trio: a new Event per use).",
    ),
    Case(
        name="producer/consumer 1x1",
        unit="items/CPU-s",
        n=1_000_000,
        quick_n=50_000,
        goal=2_100_000,
        impls=_flow(1, 1),
        note=f"one queue of maxsize {_QUEUE_SIZE} (trio: a memory channel of that buffer).",
    ),
    Case(
        name="producer/consumer 10x10",
        unit="items/CPU-s",
        n=1_000_000,
        quick_n=50_000,
        goal=2_100_000,
        impls=_flow(10, 10),
    ),
    Case(
        name="lock contended by 10 tasks",
        unit="acquisitions/CPU-s",
        n=300_000,
        quick_n=20_000,
        goal=340_000,
        impls=_impls(_contended_curio, _contended_asyncio, _contended_trio),
        note="each task: async with lock: sleep(0).",
    ),
    Case(
        name="lock uncontended",
        unit="acquisitions/CPU-s",
        n=1_000_000,
        quick_n=50_000,
        impls=_impls(_uncontended_curio, _uncontended_asyncio, _uncontended_trio),
        note="one task: async with lock: pass.",
    ),
]
