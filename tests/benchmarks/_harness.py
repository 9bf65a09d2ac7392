"""Shared pieces of the benchmark harness: the case description and measuring helpers.

Writing a benchmark module
==========================

A benchmark module is a file ``tests/benchmarks/bench_<area>.py`` (the ``bench_`` prefix keeps
pytest from collecting it). It imports only this module and the standard library at top level,
and exposes ``BENCHMARKS: list[Case]``::

    from _harness import Case, asyncio_impls, cpu_timer


    def _curio(n: int) -> float:
        import curio_kernel  # frameworks are imported inside the callable

        async def main() -> float:
            with cpu_timer() as t:
                ...  # the measured work, n operations
            return n / t.seconds

        return curio_kernel.run(main)


    async def _aio_main(n: int) -> float: ...  # one coroutine serves asyncio and uvloop


    BENCHMARKS = [
        Case(
            name="queue ping-pong",
            unit="round trips/CPU-s",
            n=100_000,
            quick_n=5_000,
            impls={"curio": _curio, **asyncio_impls(_aio_main), "trio": _trio},
        ),
    ]

Rules of the contract:

- An implementation is a callable ``impl(n: int) -> float | Result``. It does ``n`` units of
  work and returns the measured value **in the case's unit** (a ``Result`` adds secondary
  metrics, each shown as its own row). Measure CPU time with ``cpu_timer()`` around the work
  only, inside the running event loop, so loop start-up and shutdown are not counted.
- Implementation names are ``"curio"``, ``"asyncio"``, ``"uvloop"``, ``"trio"`` and optionally
  ``"epoll"`` (a framework-free baseline) and ``"janus"`` (the thread/asyncio queue, for the
  universal queue's rows). A peer that is not installed (the callable raises
  ``ModuleNotFoundError``) is shown as ``n/a``; a size an implementation would take too long
  for (the callable raises ``Skipped("why")``) as ``skipped``, with the reason under the table;
  any other exception is shown as ``error``.
- Import frameworks inside the callable, never at module top level: a missing peer must not
  break the module, and memory measurements must not include other frameworks.
- Each (case, implementation) runs in a fresh interpreter. The child first calls the
  implementation once with ``warmup_n`` (default ``max(1, n // 10)``; ``0`` skips the warm-up),
  runs ``gc.collect()``, then calls it with ``n`` and prints the value as one JSON line.
  With ``--quick`` one interpreter per (module, implementation) runs every case at ``quick_n``.
- Rates ("ops/CPU-s") are higher-is-better; costs ("bytes/task", "µs/round trip", ...) are
  lower-is-better, and so is a ratio of two times (``time(n)/time(n/10)``: how a cost grows).
  The direction is inferred from the unit (see ``lower_is_better``), or set
  explicitly with ``Case(lower_is_better=...)``. Ratios in the table are always oriented so that
  a number above 1 means curio is ahead.
- The cyclic garbage collector is disabled during the measured call (``Case(gc=True)`` or
  ``run.py --gc`` keep it on): with many live tasks its collections scale with the heap, not
  with the framework, and swamp the difference being measured.
- ``goal`` (optional) is the target for curio in the case's unit; the table marks whether it
  was met.
- Implementations may start helper processes (e.g. a load client); they must end them before
  returning. ``process_time()`` counts every thread of the measuring process, not its children.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = [
    "IMPLEMENTATIONS",
    "Case",
    "CpuTimer",
    "Impl",
    "Result",
    "Skipped",
    "asyncio_impls",
    "cpu_timer",
    "lower_is_better",
    "measure",
    "run_asyncio",
    "run_uvloop",
]

#: Column order of the table; a module may provide any subset.
IMPLEMENTATIONS = ("curio", "asyncio", "uvloop", "trio", "epoll", "janus")

_T = TypeVar("_T")

_LOWER_IS_BETTER_PREFIXES = ("bytes/", "kb/", "kib/", "mb/", "ns/", "µs/", "us/", "ms/", "s/")
#: A unit that is a ratio of two times, such as ``time(n)/time(n/10)``: how a cost grows.
_TIME_RATIO_PREFIX = "time("


def lower_is_better(unit: str) -> bool:
    """Tell whether a unit is a cost (lower is better) rather than a rate.

    Costs are units that start with an amount of memory or time per something, such as
    ``bytes/task`` or ``µs/round trip``, and ratios of two times such as
    ``time(n)/time(n/10)`` (how a cost grows with the size); everything else
    (``ops/CPU-s``) is a rate.
    """
    unit = unit.strip().lower()
    return unit.startswith(_LOWER_IS_BETTER_PREFIXES) or unit.startswith(_TIME_RATIO_PREFIX)


@dataclass(frozen=True)
class Result:
    """A measured value with optional secondary metrics ({unit: value}), each shown as a row.

    Use it when one run yields several numbers worth reporting, e.g. the server's CPU
    microseconds per round trip as the value and ``{"round trips/s": ...}`` as an extra.
    """

    value: float
    extra: Mapping[str, float] = field(default_factory=dict)


class Skipped(Exception):
    """Raised by an implementation that would take too long at this size; the text says why.

    The table shows ``skipped`` and prints the reason under it: for a cost that grows
    faster than the size (a quadratic path), so that the run still finishes.
    """


#: An implementation: does ``n`` units of work, returns the value in the case's unit.
Impl = Callable[[int], "float | Result"]


@dataclass(frozen=True)
class Case:
    """One benchmark: the same work done by each implementation, reported in one unit."""

    name: str
    unit: str
    impls: Mapping[str, Impl]
    n: int
    quick_n: int
    warmup_n: int | None = None
    goal: float | None = None
    lower_is_better: bool | None = None
    gc: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.impls) - set(IMPLEMENTATIONS)
        if unknown:
            raise ValueError(f"case {self.name!r}: unknown implementation(s) {sorted(unknown)}")
        if self.n < 1 or self.quick_n < 1:
            raise ValueError(f"case {self.name!r}: n and quick_n must be positive")

    @property
    def lower_better(self) -> bool:
        """Whether the case's unit is a cost (explicit setting, else inferred from the unit)."""
        if self.lower_is_better is not None:
            return self.lower_is_better
        return lower_is_better(self.unit)

    def warmup_size(self, n: int) -> int:
        """The size of the warm-up call that precedes the measured call of size ``n``."""
        if self.warmup_n is not None:
            return self.warmup_n
        return max(1, n // 10)


class CpuTimer:
    """CPU seconds (user + system, all threads) of this process spent inside a ``with`` block."""

    def __init__(self) -> None:
        self.start = 0.0
        self.seconds = 0.0

    def __enter__(self) -> CpuTimer:
        self.start = time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Guard against a zero reading on very short runs (process_time resolution).
        self.seconds = max(time.process_time() - self.start, 1e-9)


@contextmanager
def cpu_timer() -> Iterator[CpuTimer]:
    """Measure this process's CPU time around a block: ``with cpu_timer() as t: ...``."""
    timer = CpuTimer()
    with timer:
        yield timer


def run_asyncio(corofunc: Callable[[int], Awaitable[_T]], n: int) -> _T:
    """Run ``corofunc(n)`` on a fresh default asyncio event loop."""

    async def main() -> _T:
        return await corofunc(n)

    with asyncio.Runner() as runner:
        return runner.run(main())


def run_uvloop(corofunc: Callable[[int], Awaitable[_T]], n: int) -> _T:
    """Run ``corofunc(n)`` on a fresh uvloop event loop (``ModuleNotFoundError`` if missing)."""
    import uvloop

    async def main() -> _T:
        return await corofunc(n)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())


def asyncio_impls(corofunc: Callable[[int], Awaitable[float | Result]]) -> dict[str, Impl]:
    """Both asyncio implementations of a case from one coroutine function taking ``n``."""
    return {
        "asyncio": lambda n: run_asyncio(corofunc, n),
        "uvloop": lambda n: run_uvloop(corofunc, n),
    }


def measure(case: Case, impl: str, n: int, *, with_gc: bool = False) -> float | Result:
    """Warm up, then run the measured call of ``case`` for ``impl`` at size ``n``.

    The cyclic garbage collector is off during the measured call unless ``with_gc`` or
    ``case.gc`` is true: with 100,000 live tasks its full collections walk the whole heap and
    would dominate the numbers, measuring the size of the heap rather than the framework.
    """
    func = case.impls[impl]
    warm = case.warmup_size(n)
    if warm > 0:
        func(warm)
    gc.collect()
    if with_gc or case.gc:
        return func(n)
    gc.disable()
    try:
        return func(n)
    finally:
        gc.enable()
