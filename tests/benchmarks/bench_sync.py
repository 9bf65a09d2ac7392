"""Synchronization: queues, events and locks between tasks, and cancelling a crowd of waiters.

Each case does the same work in each framework, written the way a user of that framework would
write it: curio_sync's ``Queue``/``Event``/``Lock``, asyncio's, and trio's memory channels,
events (which cannot be cleared, so a fresh one per round) and locks. Only the work inside the
running event loop is timed (CPU time of the process).

The "cancel ... Event waiters" cases time how the cost of taking cancelled waiters out of a
wait queue grows with their number: ``n`` tasks wait on one event and are cancelled one by one,
newest first, and the value is the CPU time from the first cancel until every task has ended.
Newest first is the worst case of a queue that finds a waiter by scanning from the oldest (a
``deque.remove``): each scan crosses every waiter still there, so the time grows as ``n**2``; a
queue with removal in constant time grows as ``n``. The ``time(n)/time(n/10)`` row shows which:
about 10 for linear, about 100 for quadratic.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

from _harness import (
    Case,
    Impl,
    Result,
    Skipped,
    asyncio_impls,
    cpu_timer,
    run_asyncio,
    run_uvloop,
)

__all__ = ["BENCHMARKS"]

_QUEUE_SIZE = 128  # bound of the queue in the producer/consumer cases
_CONTENDERS = 10  # tasks taking turns on one lock
#: The largest cancellation case is skipped when its projected time exceeds this (CPU seconds).
_CANCEL_LONGEST = 30.0

_T = TypeVar("_T")


def _run_curio(corofunc: Callable[[int], Coroutine[Any, Any, _T]], n: int) -> _T:
    """Run ``corofunc(n)`` on a fresh curio kernel."""
    import curio_kernel

    return curio_kernel.run(corofunc, n)


def _run_trio(corofunc: Callable[[int], Awaitable[_T]], n: int) -> _T:
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


# --- n tasks wait on one event; each is cancelled, newest first, until all have ended ---------


async def _cancel_waiters_curio(n: int) -> float:
    from curio_kernel import spawn
    from curio_sync import Event

    event = Event()
    tasks = [await spawn(event.wait) for _ in range(n)]  # each waits once spawn returns
    with cpu_timer() as t:
        for task in reversed(tasks):
            await task.cancel()  # returns once the task has ended
    return t.seconds


async def _cancel_waiters_asyncio(n: int) -> float:
    event = asyncio.Event()
    tasks = [asyncio.create_task(event.wait()) for _ in range(n)]
    await asyncio.sleep(0)  # every task runs up to its wait
    with cpu_timer() as t:
        for task in reversed(tasks):
            task.cancel()
        await asyncio.wait(tasks)
    return t.seconds


async def _cancel_waiters_trio(n: int) -> float:
    import trio
    import trio.testing

    event = trio.Event()
    scopes: list[trio.CancelScope] = []

    async def waiter() -> None:
        with trio.CancelScope() as scope:
            scopes.append(scope)
            await event.wait()

    async with trio.open_nursery() as nursery:
        for _ in range(n):
            nursery.start_soon(waiter)
        await trio.testing.wait_all_tasks_blocked()
        started = time.process_time()
        for scope in reversed(scopes):  # trio cancels a scope, not a task: one scope each
            scope.cancel()
    return max(time.process_time() - started, 1e-9)  # the nursery has seen every task end


def _cancel_growth(run: Callable[[int], float], n: int, *, largest: bool) -> Result:
    """Time ``run(n)`` in milliseconds and its growth over ``run(n // 10)``.

    For the *largest* size, ``run(n // 100)`` comes first and ``n`` is skipped when the growth
    seen so far projects it past ``_CANCEL_LONGEST`` (a quadratic path at 100k waiters).
    """
    if largest:
        smaller, small = run(n // 100), run(n // 10)
        projected = small * small / smaller
        if projected > _CANCEL_LONGEST:
            raise Skipped(
                f"{n // 10} waiters took {small:.2f} s, {small / smaller:.0f} times {n // 100}: "
                f"{n} would take about {projected:.0f} s"
            )
    else:
        small = run(n // 10)
    seconds = run(n)
    return Result(seconds * 1e3, {"time(n)/time(n/10)": seconds / small})


def _cancel_impls(*, largest: bool) -> dict[str, Impl]:
    runs: dict[str, Callable[[int], float]] = {
        "curio": partial(_run_curio, _cancel_waiters_curio),
        "asyncio": partial(run_asyncio, _cancel_waiters_asyncio),
        "uvloop": partial(run_uvloop, _cancel_waiters_asyncio),
        "trio": partial(_run_trio, _cancel_waiters_trio),
    }
    return {name: partial(_cancel_growth, run, largest=largest) for name, run in runs.items()}


_CoroFunc = Callable[[int], Coroutine[Any, Any, float | Result]]


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
    *(
        Case(
            name=f"cancel {label} Event waiters",
            unit="ms/all cancelled and ended",
            n=n,
            quick_n=n // 10,
            warmup_n=0,  # the smaller sizes, measured first, warm up
            impls=_cancel_impls(largest=n == 100_000),
            note=(
                "newest first; asyncio and trio: cancel every task (trio: one CancelScope "
                "each), then wait; curio: await task.cancel() for each. The largest size is "
                f"skipped where the growth so far projects it past {_CANCEL_LONGEST:.0f} s."
                if n == 100_000
                else ""
            ),
        )
        for n, label in ((1_000, "1k"), (10_000, "10k"), (100_000, "100k"))
    ),
]
