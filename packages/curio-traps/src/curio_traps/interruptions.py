"""Interruptions: which one wins, and waiting for tasks to end through them.

A cancellation or a timeout may arrive while a task is already unwinding
from another one, most often while it waits for other tasks to end (a task
group leaving its block, a server shutting down, ``Task.cancel``).  The rules
that keep every cancellation from being lost:

* Code that waits for other tasks to end first cancels all of them, then waits
  for every one to end whatever interrupts it, and only then raises the
  strongest interruption it received (:func:`cancel_and_wait`).
* Strength: an interrupt of the interpreter (``KeyboardInterrupt``,
  ``SystemExit``, ``GeneratorExit``) over an explicit cancellation over a
  timeout over an ordinary error (:func:`stronger`).  Among timeouts the
  later one wins: the kernel delivers a timeout to a task that is unwinding
  from another only when it belongs to an enclosing block, so each later
  timeout is further out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

from .errors import CancelledError, TaskTimeout, TimeoutCancellationError
from .protocol import TaskLike
from .traps import _cancel_task, _wait_task

__all__ = ["cancel_and_wait", "clean_up", "is_timeout", "stronger", "wait_through"]


def is_timeout(exc: BaseException) -> bool:
    """Is *exc* the expiry of a timeout block (this one's or an enclosing one's)?"""
    return isinstance(exc, (TaskTimeout, TimeoutCancellationError))


def _rank(exc: BaseException) -> int:
    if isinstance(exc, CancelledError):
        return 1 if is_timeout(exc) else 2
    return 0 if isinstance(exc, Exception) else 3


def stronger(first: BaseException | None, second: BaseException) -> BaseException:
    """The exception to raise when *second* arrives while *first* is being handled.

    *first* ``None`` means nothing was being handled.  Of equal strength, the
    earlier one stands, except for timeouts, where the later (outer) one wins.
    """
    if first is None:
        return second
    rank_first, rank_second = _rank(first), _rank(second)
    if rank_second > rank_first or (rank_second == rank_first == 1):
        return second
    return first


async def wait_through(tasks: Iterable[TaskLike[Any]]) -> None:
    """Wait until every one of *tasks* has ended, even if the wait is interrupted.

    Cancellations and timeouts that arrive meanwhile do not stop the wait;
    the strongest of them is raised once every task has ended.  The tasks'
    own outcomes are not looked at (join them for that).
    """
    interruption: BaseException | None = None
    for task in tasks:
        while not task.terminated:
            try:
                await _wait_task(task)
            except CancelledError as exc:
                interruption = stronger(interruption, exc)
    if interruption is not None:
        raise interruption


async def cancel_and_wait(
    tasks: Iterable[TaskLike[Any]], exc: type[BaseException] | BaseException = CancelledError
) -> bool:
    """Cancel every task of *tasks* that has not ended, then wait for all to end.

    Every task is cancelled before the first wait, so an interruption of the
    wait cannot leave a task uncancelled; the wait itself goes on through
    interruptions as :func:`wait_through` does.  Returns ``True`` if any task
    was cancelled (``False`` if they had all ended already).
    """
    pending = [task for task in tasks if not task.terminated]
    for task in pending:
        await _cancel_task(task, exc, blocking=False)
    await wait_through(pending)
    return bool(pending)


async def clean_up(exc: BaseException | None, cleanup: Awaitable[object]) -> None:
    """Await *cleanup* while *exc* (or nothing) is on its way out.

    An interruption raised by *cleanup* replaces *exc* only if it is
    :func:`stronger`; otherwise *exc* goes on (the caller re-raises it).
    Other errors of *cleanup* propagate as usual.
    """
    try:
        await cleanup
    except CancelledError as interruption:
        if stronger(exc, interruption) is interruption:
            raise
