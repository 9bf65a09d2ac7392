"""The fast-path budget: how long a task may run on input that is always there.

Every operation of curio-io tries its system call first and waits for the
kernel only when the call would block, so data that is already there costs
one system call and no trip through the kernel.  Left at that, a task reading
a socket that always has data (a fast peer, a flood) never passes through
the kernel at all: no other task runs, a ``timeout_after`` around the loop
never fires, and ``Task.cancel()`` of the reader never returns, because the
kernel delivers timeouts and cancellations only when the task yields a trap.

The budget bounds that.  Each operation that is about to make its system call
without having waited spends one unit of :data:`FAST_PATH_BUDGET`; an
operation that finds the budget spent first yields ``YIELD``, the trap of
``sleep(0)``: a schedule point, where the other ready tasks run and the kernel
raises a cancellation or timeout pending for this task.  A wait for the
kernel (readable, writable) is a schedule point too and refills the budget,
so traffic that waits now and then, request/response traffic among it, never
pays for a forced yield: only a task that has made ``FAST_PATH_BUDGET``
system calls in a row without ever waiting does.

Discussion: the schedule point comes *before* the system call.  An
interruption raised there has consumed no input and sent no output, so a
cancelled ``recv`` loses no data and the ``bytes_sent`` of a cancelled
``sendall`` is exact.

Discussion: one counter for the process, not one per socket or per task.
The kernel runs one task at a time, so between two schedule points every
operation counted belongs to the running task.  A count per socket would let
a task serving *k* busy sockets run *k* times as long; a count per task needs
the current task, which costs more than the check itself.  When another task
waits and refills the budget, the running task has already passed through the
kernel, or that task could not be running.  Schedule points outside curio-io
(a ``sleep(0)``, a queue wait) do not refill it: the next forced yield then
comes early, never late.  Kernels in several threads share the counter, which
can only make their forced yields come earlier (or, as two threads race on
one update, an operation or two later).

Discussion: why 64.  The check costs the same whatever the constant: about
440 machine instructions per operation, measured with valgrind on a loop of
one-byte ``recv`` from a full socket (4,300 instructions per call without
the budget, 4,740 with it), the cheapest operation there is; on an echo
round trip it is 1 to 1.7 % of the instructions.  The constant sets how
often the forced yield is paid, one pass through the kernel (with a poll of
the selector if other tasks wait for I/O): at 64 operations per yield that
is about 10 instructions per operation, where a schedule point at every
operation, as trio makes, would cost a whole pass each time.  And it bounds
how long the other tasks wait: about 0.15 ms of CPU behind one-byte reads,
about a millisecond behind 64 KiB reads (tests/benchmarks/bench_fairness.py,
"sleep(0) ticker behind a flooded reader": the worst gap and the reader's
rate, against asyncio, uvloop and trio).
"""

from __future__ import annotations

import types
from collections.abc import Generator
from typing import Any, Final

from curio_traps import YIELD
from curio_traps.protocol import FileLike
from curio_traps.traps import READ_WAIT, WRITE_WAIT, outside_kernel_error

__all__ = ["BUDGET", "FAST_PATH_BUDGET", "read_wait", "schedule_point", "write_wait"]

#: System calls a task may make in a row without a schedule point.
FAST_PATH_BUDGET: Final = 64


class _Budget:
    """The units left until the next forced schedule point (one counter per process)."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = FAST_PATH_BUDGET

    def __repr__(self) -> str:
        return f"<fast-path budget: {self.left} of {FAST_PATH_BUDGET} left>"


#: The counter.  A fast path spends a unit inline, without a call::
#:
#:     if BUDGET.left:
#:         BUDGET.left -= 1
#:     else:
#:         await schedule_point()
#:
#: and a coroutine that yields its wait traps itself refills it after each
#: wait with ``BUDGET.left = FAST_PATH_BUDGET``.
BUDGET: Final = _Budget()


@types.coroutine
def schedule_point() -> Generator[Any, Any, None]:
    """Yield ``YIELD`` to the kernel, then refill the budget.

    The other ready tasks run first; a cancellation or timeout pending for
    this task is raised here.
    """
    try:
        yield YIELD
    except BaseException as exc:
        raise outside_kernel_error(exc)  # noqa: B904 (the same exception, or one chained to it)
    BUDGET.left = FAST_PATH_BUDGET


# The two waits below are curio_traps' _read_wait and _write_wait plus the
# refill: one generator frame per wait, as with those.


@types.coroutine
def read_wait(fileobj: FileLike | int) -> Generator[Any, Any, None]:
    """Sleep until *fileobj* is readable, then refill the budget."""
    try:
        yield (READ_WAIT, fileobj)
    except BaseException as exc:
        raise outside_kernel_error(exc)  # noqa: B904 (the same exception, or one chained to it)
    BUDGET.left = FAST_PATH_BUDGET


@types.coroutine
def write_wait(fileobj: FileLike | int) -> Generator[Any, Any, None]:
    """Sleep until *fileobj* is writable, then refill the budget."""
    try:
        yield (WRITE_WAIT, fileobj)
    except BaseException as exc:
        raise outside_kernel_error(exc)  # noqa: B904 (the same exception, or one chained to it)
    BUDGET.left = FAST_PATH_BUDGET
