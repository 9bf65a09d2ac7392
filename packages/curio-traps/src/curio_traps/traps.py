"""The traps: the only way a coroutine asks the kernel for anything.

Each trap is a tiny generator-based coroutine that yields one tuple
``(tag, *arguments)`` to the kernel and returns what the kernel sends back.
The tags index :data:`HANDLERS`, the names of the kernel's handler methods
(see :class:`curio_traps.protocol.TrapHandlers`).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Coroutine, Generator
from concurrent.futures import Future
from typing import Any, Final, TypeVar

from .errors import CancelledError
from .protocol import (
    FileLike,
    KernelQueue,
    SignalWatcher,
    TaskLike,
    TimeoutState,
    Trap,
    TrapHandlers,
    running_kernel,
)

__all__ = [
    "CANCEL_TASK",
    "CHECK_CANCELLATION",
    "CLOCK",
    "CURRENT_TASK",
    "FUTURE_WAIT",
    "HANDLERS",
    "IO_RELEASE",
    "IO_WAITING",
    "JOIN_TASK",
    "READ_WAIT",
    "RESCHEDULE_TASKS",
    "RUN_IN_THREAD",
    "SET_ALLOW_CANCEL",
    "SET_CANCELLATION",
    "SET_TIMEOUT",
    "SIGUNWATCH",
    "SIGWAIT",
    "SIGWATCH",
    "SLEEP",
    "SPAWN",
    "UNSET_TIMEOUT",
    "WAIT_IDLE",
    "WAIT_ON_QUEUE",
    "WAIT_TASK",
    "WRITE_WAIT",
    "YIELD",
    "_cancel_task",
    "_check_cancellation",
    "_clock",
    "_current_task",
    "_future_wait",
    "_get_current",
    "_get_kernel",
    "_io_release",
    "_io_waiting",
    "_join_task",
    "_read_wait",
    "_reschedule_tasks",
    "_run_in_thread",
    "_set_allow_cancel",
    "_set_cancellation",
    "_set_timeout",
    "_sigunwatch",
    "_sigwait",
    "_sigwatch",
    "_sleep",
    "_spawn",
    "_unset_timeout",
    "_wait_idle",
    "_wait_on_queue",
    "_wait_task",
    "_write_wait",
    "outside_kernel_error",
]

T = TypeVar("T")

READ_WAIT: Final = 0
WRITE_WAIT: Final = 1
FUTURE_WAIT: Final = 2
JOIN_TASK: Final = 3
CANCEL_TASK: Final = 4
WAIT_ON_QUEUE: Final = 5
RESCHEDULE_TASKS: Final = 6
SIGWATCH: Final = 7
SIGUNWATCH: Final = 8
SIGWAIT: Final = 9
SLEEP: Final = 10
SPAWN: Final = 11
CURRENT_TASK: Final = 12
SET_TIMEOUT: Final = 13
UNSET_TIMEOUT: Final = 14
CLOCK: Final = 15
RUN_IN_THREAD: Final = 16
IO_RELEASE: Final = 17
WAIT_TASK: Final = 18
SET_ALLOW_CANCEL: Final = 19
CHECK_CANCELLATION: Final = 20
SET_CANCELLATION: Final = 21
IO_WAITING: Final = 22
WAIT_IDLE: Final = 23

#: The trap of ``sleep(0)``, one shared tuple: a kernel may recognise it by
#: identity and requeue the task without a handler call.
YIELD: Final = (SLEEP, 0)

#: Handler method name for each tag, in tag order.
HANDLERS: Final[tuple[str, ...]] = (
    "trap_read_wait",
    "trap_write_wait",
    "trap_future_wait",
    "trap_join_task",
    "trap_cancel_task",
    "trap_wait_on_queue",
    "trap_reschedule_tasks",
    "trap_sigwatch",
    "trap_sigunwatch",
    "trap_sigwait",
    "trap_sleep",
    "trap_spawn",
    "trap_current_task",
    "trap_set_timeout",
    "trap_unset_timeout",
    "trap_clock",
    "trap_run_in_thread",
    "trap_io_release",
    "trap_wait_task",
    "trap_set_allow_cancel",
    "trap_check_cancellation",
    "trap_set_cancellation",
    "trap_io_waiting",
    "trap_wait_idle",
)

_Trap = Generator[Trap, Any, T]


def outside_kernel_error(exc: BaseException) -> BaseException:
    """Explain an exception thrown at a trap when no curio kernel runs.

    asyncio, trio or a bare ``send`` reject curio's trap tuples by throwing
    an error into the coroutine; this turns that into one that names the
    actual problem.  Inside a kernel the exception passes unchanged.
    """
    if running_kernel() is not None or isinstance(exc, GeneratorExit):
        return exc  # in a kernel, or a coroutine being closed: nothing to explain
    err = RuntimeError(
        "a curio operation was awaited outside a running curio kernel "
        "(run it with curio.run() or Kernel.run())"
    )
    err.__cause__ = exc
    return err


# Each trap is written out in full, without a shared helper generator:
# one generator frame per trap is measurably cheaper than two (nox -s bench).


@types.coroutine
def _read_wait(fileobj: FileLike | int) -> _Trap[None]:
    """Sleep until *fileobj* (anything with ``fileno()``) is readable."""
    try:
        yield (READ_WAIT, fileobj)
    except BaseException as exc:
        raise outside_kernel_error(exc)


@types.coroutine
def _write_wait(fileobj: FileLike | int) -> _Trap[None]:
    """Sleep until *fileobj* is writable."""
    try:
        yield (WRITE_WAIT, fileobj)
    except BaseException as exc:
        raise outside_kernel_error(exc)


@types.coroutine
def _io_release(fileobj: FileLike | int) -> _Trap[None]:
    """Tell the kernel to forget *fileobj* before it is closed."""
    try:
        yield (IO_RELEASE, fileobj)
    except BaseException as exc:
        raise outside_kernel_error(exc)


@types.coroutine
def _future_wait(future: Future[T]) -> _Trap[T]:
    """Sleep until *future* (a ``concurrent.futures.Future``) is done; return its result."""
    try:
        yield (FUTURE_WAIT, future)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return future.result()


@types.coroutine
def _run_in_thread(func: Callable[[], T]) -> _Trap[T]:
    """Call *func* in the kernel's worker threads; return or raise its outcome.

    The kernel is never blocked.  A cancelled waiter returns at once; the
    thread finishes its call in the background and its result is dropped.
    """
    try:
        result: T = yield (RUN_IN_THREAD, func)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return result


@types.coroutine
def _join_task(task: TaskLike[T]) -> _Trap[T]:
    """Wait for *task* to end; return its result or raise ``TaskError`` chained to its exception."""
    try:
        result: T = yield (JOIN_TASK, task)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return result


@types.coroutine
def _wait_task(task: TaskLike[Any]) -> _Trap[None]:
    """Wait for *task* to end, whatever its outcome; never raises the task's error.

    Unlike :func:`_join_task` it does not count as joining: a task that
    crashed is still reported by the kernel.
    """
    try:
        yield (WAIT_TASK, task)
    except BaseException as exc:
        raise outside_kernel_error(exc)


@types.coroutine
def _cancel_task(
    task: TaskLike[Any],
    exc: type[BaseException] | BaseException = CancelledError,
    blocking: bool = True,
) -> _Trap[bool]:
    """Cancel *task* with *exc*; with *blocking*, wait until it has ended.

    Returns ``True`` if it was cancelled, ``False`` if it had already ended.
    Without *blocking* the trap never suspends and a cancellation pending
    for the caller is not raised at it.
    """
    try:
        result: bool = yield (CANCEL_TASK, task, exc, blocking)
    except BaseException as err:
        raise outside_kernel_error(err)
    return result


@types.coroutine
def _wait_on_queue(kqueue: KernelQueue, state_name: str) -> _Trap[Any]:
    """Sleep on *kqueue* until ``_reschedule_tasks`` wakes this task.

    Returns the *value* given to ``_reschedule_tasks``.  A task cancelled
    while waiting has already been removed from *kqueue*.
    """
    try:
        result = yield (WAIT_ON_QUEUE, kqueue, state_name)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return result


@types.coroutine
def _reschedule_tasks(
    kqueue: KernelQueue, n: int = 1, value: object = None, exc: BaseException | None = None
) -> _Trap[None]:
    """Wake the *n* oldest tasks on *kqueue*, giving each *value* or raising *exc* in it."""
    try:
        yield (RESCHEDULE_TASKS, kqueue, n, value, exc)
    except BaseException as err:
        raise outside_kernel_error(err)


@types.coroutine
def _sigwatch(sigset: SignalWatcher) -> _Trap[None]:
    """Start queuing the signals of *sigset* into ``sigset.pending``."""
    try:
        yield (SIGWATCH, sigset)
    except BaseException as exc:
        raise outside_kernel_error(exc)


@types.coroutine
def _sigunwatch(sigset: SignalWatcher) -> _Trap[None]:
    """Stop queuing the signals of *sigset*."""
    try:
        yield (SIGUNWATCH, sigset)
    except BaseException as exc:
        raise outside_kernel_error(exc)


@types.coroutine
def _sigwait(sigset: SignalWatcher) -> _Trap[int]:
    """Return the next signal of *sigset*, waiting for one if none is queued."""
    try:
        signo: int = yield (SIGWAIT, sigset)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return signo


@types.coroutine
def _sleep(seconds: float) -> _Trap[None]:
    """Sleep *seconds* (0 just lets the other ready tasks run)."""
    try:
        yield YIELD if seconds == 0 else (SLEEP, seconds)
    except BaseException as exc:
        raise outside_kernel_error(exc)


@types.coroutine
def _spawn(coro: Coroutine[Any, Any, T], daemon: bool = False) -> _Trap[TaskLike[T]]:
    """Start *coro* as a new task; return once it has run its first step."""
    try:
        task: TaskLike[T] = yield (SPAWN, coro, daemon)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return task


@types.coroutine
def _current_task() -> _Trap[TaskLike[Any]]:
    """Return the task that is running."""
    try:
        task: TaskLike[Any] = yield (CURRENT_TASK,)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return task


@types.coroutine
def _clock() -> _Trap[float]:
    """Return the time on the kernel's clock (``time.monotonic`` unless it was given another)."""
    try:
        now: float = yield (CLOCK,)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return now


@types.coroutine
def _set_timeout(deadline: float | None) -> _Trap[TimeoutState]:
    """Open a timeout block with *deadline* (a clock value, or ``None``) inside the current ones.

    When a block's deadline passes while the task waits, the kernel raises
    ``TaskTimeout(deadline)`` if it is the innermost block, and
    ``TimeoutCancellationError(deadline)`` otherwise; the *deadline* object
    itself is the exception's first argument, so a block recognises its own
    expiry by identity.  Each deadline fires at most once.  Returns the
    block's record, to hand to :func:`_unset_timeout` when the block ends.
    A deadline that is not a number, or is NaN, raises ``TypeError`` or
    ``ValueError``.
    """
    try:
        previous: TimeoutState = yield (SET_TIMEOUT, deadline)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return previous


@types.coroutine
def _unset_timeout(previous: TimeoutState) -> _Trap[float]:
    """Close the innermost timeout block, whose record is *previous*; return the clock.

    Blocks close innermost first (``RuntimeError`` otherwise).  A timeout of
    the block that expired but was not delivered yet is dropped with it.
    """
    try:
        now: float = yield (UNSET_TIMEOUT, previous)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return now


@types.coroutine
def _set_allow_cancel(allowed: bool) -> _Trap[bool]:
    """Allow (or hold back) the delivery of cancellations to the calling task.

    While held back, a cancellation or an expired timeout waits, pending,
    until delivery is allowed again; the next blocking trap after that raises
    it.  Returns whether delivery was allowed before.  Never suspends.
    """
    try:
        previous: bool = yield (SET_ALLOW_CANCEL, allowed)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return previous


@types.coroutine
def _check_cancellation(
    match: type[BaseException] | tuple[type[BaseException], ...] | None = None,
) -> _Trap[BaseException | None]:
    """Look at the calling task's pending cancellation (of type *match*, if given).

    Where delivery is allowed, a pending one is raised now.  Where it is held
    back, it is returned, and taken (no longer pending) if *match* was given;
    ``None`` when nothing (of that type) is pending.  Never suspends.
    """
    try:
        pending: BaseException | None = yield (CHECK_CANCELLATION, match)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return pending


@types.coroutine
def _set_cancellation(
    exc: type[BaseException] | BaseException | None,
) -> _Trap[BaseException | None]:
    """Make *exc* (an exception or its class) the calling task's pending cancellation.

    ``None`` clears it.

    It is raised at the next blocking trap where delivery is allowed.
    Returns the cancellation that was pending before.  Never suspends.
    """
    try:
        previous: BaseException | None = yield (SET_CANCELLATION, exc)
    except BaseException as err:
        raise outside_kernel_error(err)
    return previous


@types.coroutine
def _io_waiting(
    fileobj: FileLike | int,
) -> _Trap[tuple[TaskLike[Any] | None, TaskLike[Any] | None]]:
    """The tasks waiting to read and to write *fileobj*, ``(reader, writer)``.  Never suspends."""
    try:
        waiting: tuple[TaskLike[Any] | None, TaskLike[Any] | None] = yield (IO_WAITING, fileobj)
    except BaseException as exc:
        raise outside_kernel_error(exc)
    return waiting


@types.coroutine
def _wait_idle(cushion: float) -> _Trap[None]:
    """Sleep until every other task is blocked and has been for *cushion* real seconds.

    Blocked means not ready to run: waiting on a timer, a descriptor, a
    queue, another task or work in a thread.  With several such waiters the
    one with the smallest *cushion* wakes first, then the rest in turn.
    """
    try:
        yield (WAIT_IDLE, cushion)
    except BaseException as exc:
        raise outside_kernel_error(exc)


#: curio 1.x's name of :func:`_current_task`.
_get_current = _current_task


async def _get_kernel() -> TrapHandlers:
    """The kernel running the calling task (curio 1.x's ``_get_kernel`` trap)."""
    kernel = running_kernel()
    if kernel is None:
        raise RuntimeError("_get_kernel() was awaited outside a running curio kernel")
    return kernel
