"""External work: a trivial call's round trip to a worker thread and to a worker process.

One task makes n calls one after the other, each waiting for the last: curio's
``run_in_thread`` / ``run_in_process``, asyncio's ``loop.run_in_executor`` on its default
thread pool / a one-worker ``ProcessPoolExecutor`` on the spawn method, trio's
``trio.to_thread.run_sync``.  The first call (which starts the thread or the process) is
made before the timer starts.  Threads count in the CPU time; a process's does not, so its
rows are per wall-clock second.
"""

from __future__ import annotations

import asyncio
import time

from _harness import Case, asyncio_impls, cpu_timer

__all__ = ["BENCHMARKS"]


def _trivial() -> int:
    return 1


# --- thread round trips -----------------------------------------------------------------------


def _thread_curio(n: int) -> float:
    import curio_kernel

    async def main() -> float:
        await curio_kernel.run_in_thread(_trivial)
        with cpu_timer() as t:
            for _ in range(n):
                await curio_kernel.run_in_thread(_trivial)
        return n / t.seconds

    return curio_kernel.run(main)


async def _thread_asyncio(n: int) -> float:
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, _trivial)
    with cpu_timer() as t:
        for _ in range(n):
            await loop.run_in_executor(None, _trivial)
    return n / t.seconds


def _thread_trio(n: int) -> float:
    import trio

    async def main() -> float:
        await trio.to_thread.run_sync(_trivial)
        with cpu_timer() as t:
            for _ in range(n):
                await trio.to_thread.run_sync(_trivial)
        return n / t.seconds

    return trio.run(main)


# --- process round trips ----------------------------------------------------------------------


def _process_curio(n: int) -> float:
    import os

    import curio_kernel

    async def main() -> float:
        await curio_kernel.run_in_process(os.getpid)
        start = time.perf_counter()
        for _ in range(n):
            await curio_kernel.run_in_process(os.getpid)
        return n / (time.perf_counter() - start)

    return curio_kernel.run(main)


async def _process_asyncio(n: int) -> float:
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        await loop.run_in_executor(pool, os.getpid)
        start = time.perf_counter()
        for _ in range(n):
            await loop.run_in_executor(pool, os.getpid)
        return n / (time.perf_counter() - start)


BENCHMARKS = [
    Case(
        name="run_in_thread round trip, trivial call",
        unit="calls/CPU-s",
        n=20_000,
        quick_n=2_000,
        impls={
            "curio": _thread_curio,
            **asyncio_impls(_thread_asyncio),
            "trio": _thread_trio,
        },
        note="asyncio: loop.run_in_executor(None, f); trio: trio.to_thread.run_sync(f).",
    ),
    Case(
        name="run_in_process round trip, trivial call",
        unit="calls/s",
        n=5_000,
        quick_n=500,
        impls={"curio": _process_curio, **asyncio_impls(_process_asyncio)},
        note="wall clock (the worker's CPU is not the parent's); asyncio: a ProcessPoolExecutor "
        "of one spawn worker.",
    ),
]
