"""Kernel: task spawn and join, context switches, sleeping tasks, timeouts.

Every case does the same work in each framework, written the way a user of that framework
would write it: curio's ``spawn``/``join``, asyncio's ``create_task``/``await``, trio's nursery.
Only the work inside the running event loop is timed (CPU time of the process).
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from _harness import Case, Impl, Result, asyncio_impls, cpu_timer

__all__ = ["BENCHMARKS"]

_SWITCHERS = 10  # tasks taking turns in the sleep(0) and timeout cases
_LONG = 10_000.0  # seconds: sleeps and timeouts that never end during a run


async def _nop() -> None:
    """The trivial task body of the spawn+join case."""


def _run_curio(
    corofunc: Callable[[int], Coroutine[Any, Any, float | Result]], n: int
) -> float | Result:
    """Run ``corofunc(n)`` on a fresh curio kernel."""
    import curio_kernel

    return curio_kernel.run(corofunc, n)


def _run_curio_context(
    corofunc: Callable[[int], Coroutine[Any, Any, float | Result]], n: int
) -> float | Result:
    """Run ``corofunc(n)`` on a fresh curio kernel whose tasks carry contextvars."""
    import curio_kernel

    return curio_kernel.run(corofunc, n, taskcls=curio_kernel.ContextTask)


def _run_trio(
    corofunc: Callable[[int], Coroutine[Any, Any, float | Result]], n: int
) -> float | Result:
    """Run ``corofunc(n)`` under ``trio.run``."""
    import trio

    return trio.run(corofunc, n)


# --- spawn+join: start n trivial tasks, then wait for each of them ---------------------------


async def _spawn_join_curio(n: int) -> float:
    from curio_kernel import spawn

    with cpu_timer() as t:
        tasks = [await spawn(_nop()) for _ in range(n)]
        for task in tasks:
            await task.join()
    return n / t.seconds


async def _spawn_join_asyncio(n: int) -> float:
    with cpu_timer() as t:
        tasks = [asyncio.create_task(_nop()) for _ in range(n)]
        for task in tasks:
            await task
    return n / t.seconds


async def _spawn_join_trio(n: int) -> float:
    import trio

    with cpu_timer() as t:
        async with trio.open_nursery() as nursery:
            for _ in range(n):
                nursery.start_soon(_nop)
    return n / t.seconds


# --- sleep(0) switches: 10 tasks yield to each other, n switches in total --------------------


async def _switch_curio(n: int) -> float:
    from curio_kernel import sleep, spawn

    async def worker(k: int) -> None:
        for _ in range(k):
            await sleep(0)

    with cpu_timer() as t:
        tasks = [await spawn(worker(n // _SWITCHERS)) for _ in range(_SWITCHERS)]
        for task in tasks:
            await task.join()
    return n / t.seconds


async def _switch_asyncio(n: int) -> float:
    async def worker(k: int) -> None:
        for _ in range(k):
            await asyncio.sleep(0)

    with cpu_timer() as t:
        tasks = [asyncio.create_task(worker(n // _SWITCHERS)) for _ in range(_SWITCHERS)]
        for task in tasks:
            await task
    return n / t.seconds


async def _switch_trio(n: int) -> float:
    import trio

    async def worker(k: int) -> None:
        for _ in range(k):
            await trio.sleep(0)

    with cpu_timer() as t:
        async with trio.open_nursery() as nursery:
            for _ in range(_SWITCHERS):
                nursery.start_soon(worker, n // _SWITCHERS)
    return n / t.seconds


# --- n concurrent sleepers: start rate (CPU) or retained memory (tracemalloc) ----------------
#
# Each sleeper counts itself in, then sleeps far longer than the run. The starter yields until
# every sleeper has counted itself in, so all n are parked in the timer queue when measured.
# Memory is tracemalloc's traced size with every task asleep minus the size before the first
# spawn, divided by n: what the framework keeps per sleeping task, the task's coroutine frame
# and the starter's list of task handles included. The peak is reported too.


def _sleepers_result(n: int, memory: bool, seconds: float, base: int) -> float | Result:
    if not memory:
        return n / seconds
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Result((current - base) / n, {"bytes/task at peak": (peak - base) / n})


def _start_tracing(memory: bool) -> int:
    if not memory:
        return 0
    tracemalloc.start()
    return tracemalloc.get_traced_memory()[0]


async def _sleepers_curio(n: int, memory: bool) -> float | Result:
    from curio_kernel import sleep, spawn

    started = 0

    async def sleeper() -> None:
        nonlocal started
        started += 1
        await sleep(_LONG)

    base = _start_tracing(memory)
    with cpu_timer() as t:
        tasks = [await spawn(sleeper()) for _ in range(n)]
        while started < n:
            await sleep(0)
    result = _sleepers_result(n, memory, t.seconds, base)
    for task in tasks:
        await task.cancel()
    return result


async def _sleepers_asyncio(n: int, memory: bool) -> float | Result:
    started = 0

    async def sleeper() -> None:
        nonlocal started
        started += 1
        await asyncio.sleep(_LONG)

    base = _start_tracing(memory)
    with cpu_timer() as t:
        tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
        while started < n:
            await asyncio.sleep(0)
    result = _sleepers_result(n, memory, t.seconds, base)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return result


async def _sleepers_trio(n: int, memory: bool) -> float | Result:
    import trio

    started = 0

    async def sleeper() -> None:
        nonlocal started
        started += 1
        await trio.sleep(_LONG)

    async with trio.open_nursery() as nursery:
        base = _start_tracing(memory)
        with cpu_timer() as t:
            for _ in range(n):
                nursery.start_soon(sleeper)
            while started < n:
                await trio.sleep(0)
        result = _sleepers_result(n, memory, t.seconds, base)
        nursery.cancel_scope.cancel()
    return result


# --- timeouts that never fire, each around a sleep(0); 10 tasks take turns ------------------


async def _timeout_curio(n: int) -> float:
    from curio_kernel import sleep, spawn, timeout_after

    async def worker(k: int) -> None:
        for _ in range(k):
            async with timeout_after(_LONG):
                await sleep(0)

    with cpu_timer() as t:
        tasks = [await spawn(worker(n // _SWITCHERS)) for _ in range(_SWITCHERS)]
        for task in tasks:
            await task.join()
    return n / t.seconds


async def _timeout_asyncio(n: int) -> float:
    async def worker(k: int) -> None:
        for _ in range(k):
            async with asyncio.timeout(_LONG):
                await asyncio.sleep(0)

    with cpu_timer() as t:
        tasks = [asyncio.create_task(worker(n // _SWITCHERS)) for _ in range(_SWITCHERS)]
        for task in tasks:
            await task
    return n / t.seconds


async def _timeout_trio(n: int) -> float:
    import trio

    async def worker(k: int) -> None:
        for _ in range(k):
            with trio.fail_after(_LONG):
                await trio.sleep(0)

    with cpu_timer() as t:
        async with trio.open_nursery() as nursery:
            for _ in range(_SWITCHERS):
                nursery.start_soon(worker, n // _SWITCHERS)
    return n / t.seconds


_CoroFunc = Callable[[int], Coroutine[Any, Any, float | Result]]


def _impls(
    curio: _CoroFunc, aio: _CoroFunc, trio: _CoroFunc, *, contexts: bool = False
) -> dict[str, Impl]:
    """The four implementations of a case from its curio, asyncio and trio coroutines.

    With *contexts*, curio runs ``ContextTask`` tasks, which carry contextvars as
    asyncio's and trio's always do.
    """
    run_curio = _run_curio_context if contexts else _run_curio
    return {
        "curio": lambda n: run_curio(curio, n),
        **asyncio_impls(aio),
        "trio": lambda n: _run_trio(trio, n),
    }


BENCHMARKS = [
    Case(
        name="spawn+join trivial tasks",
        unit="tasks/CPU-s",
        n=100_000,
        quick_n=20_000,
        goal=700_000,
        impls=_impls(_spawn_join_curio, _spawn_join_asyncio, _spawn_join_trio),
        note="n tasks started, then each joined (trio: one nursery).",
    ),
    Case(
        name="sleep(0) switches, 10 tasks",
        unit="switches/CPU-s",
        n=1_000_000,
        quick_n=100_000,
        goal=2_400_000,
        impls=_impls(_switch_curio, _switch_asyncio, _switch_trio),
    ),
    Case(
        name="spawn+join trivial tasks, ContextTask",
        unit="tasks/CPU-s",
        n=100_000,
        quick_n=20_000,
        impls=_impls(_spawn_join_curio, _spawn_join_asyncio, _spawn_join_trio, contexts=True),
        note="as spawn+join, each curio task in its own copy of its spawner's context.",
    ),
    Case(
        name="sleep(0) switches, 10 tasks, ContextTask",
        unit="switches/CPU-s",
        n=1_000_000,
        quick_n=100_000,
        impls=_impls(_switch_curio, _switch_asyncio, _switch_trio, contexts=True),
        note="as sleep(0) switches, each curio step run in the task's context.",
    ),
    Case(
        name="concurrent sleepers: start",
        unit="tasks/CPU-s",
        n=100_000,
        quick_n=20_000,
        impls=_impls(
            partial(_sleepers_curio, memory=False),
            partial(_sleepers_asyncio, memory=False),
            partial(_sleepers_trio, memory=False),
        ),
        note="spawn n tasks that each sleep 10,000 s; timed until every one is asleep.",
    ),
    Case(
        name="concurrent sleepers: memory",
        unit="bytes/task",
        n=100_000,
        quick_n=5_000,
        warmup_n=1_000,
        goal=1_000,
        impls=_impls(
            partial(_sleepers_curio, memory=True),
            partial(_sleepers_asyncio, memory=True),
            partial(_sleepers_trio, memory=True),
        ),
        note="tracemalloc: traced bytes with all n asleep minus before the first spawn, / n.",
    ),
    Case(
        name="timeout that never fires around sleep(0)",
        unit="blocks/CPU-s",
        n=200_000,
        quick_n=20_000,
        impls=_impls(_timeout_curio, _timeout_asyncio, _timeout_trio),
        note="timeout_after(s) / asyncio.timeout(s) / trio.fail_after(s), 10 tasks.",
    ),
]
