"""Time: sleeping, timeout blocks, the clock, and what the kernel does when a deadline passes.

``sleep`` and ``set_timeout`` put deadlines in the timer heap
(``_timers.py``: one entry per sleep and per timeout block, stale entries
skipped); the loop waits in the selector until the next deadline (how long
is the clock's answer: ``_idle.py``) and, after the poll,
:meth:`TimeTraps._expire_timers` wakes the sleepers and interrupts the
tasks whose timeout block expired.
Which interruption a task sees when several are due is decided by
``Kernel._cancel`` and ``_timers.spend_scopes``.
"""

from __future__ import annotations

from typing import Any

from curio_traps import (
    SUSPEND,
    TaskTimeout,
    TimeoutState,
    check_seconds,
    is_timeout,
)

from ._kernel_base import KernelBase
from ._timers import Scope, TimerHeap
from .task import Task

__all__ = ["TimeTraps"]


def _unwait_timer(task: Task[Any]) -> None:
    task._timer = None


class TimeTraps(KernelBase):
    """The time traps and the expiry of timers."""

    _timers: TimerHeap

    def trap_sleep(self, trap: tuple[int, float], /) -> object:
        task = self.current
        assert task is not None
        if task._cancel_pending is not None:
            self._blocking(task)
        seconds = trap[1]
        if seconds.__class__ is not float and seconds.__class__ is not int:
            seconds = check_seconds(seconds, "sleep()")
        if seconds <= 0:
            task.state = "READY"
            self._ready.append(task)
            return SUSPEND
        if seconds != seconds:
            check_seconds(seconds, "sleep()")  # NaN: raises
        task._timer = self._timers.add_sleep(self._time() + seconds, task)
        return self._suspend(task, "TIME_SLEEP", _unwait_timer)

    def trap_set_timeout(self, trap: tuple[int, float | None], /) -> object:
        task = self.current
        assert task is not None
        deadline = trap[1]
        if deadline is not None and (deadline.__class__ is not float or deadline != deadline):
            check_seconds(deadline, "a timeout deadline")  # not a number, or NaN: raises
        scope = Scope(deadline, task)
        if task._scopes is None:
            task._scopes = [scope]
        else:
            task._scopes.append(scope)
        if deadline is not None:
            self._timers.add_scope(scope, deadline)
        return scope

    def trap_unset_timeout(self, trap: tuple[int, TimeoutState], /) -> object:
        task = self.current
        assert task is not None
        scope = trap[1]
        scopes = task._scopes
        if not scopes or scopes[-1] is not scope:
            raise RuntimeError(
                "timeout blocks must end innermost first (a block was left out of order, "
                "or by another task)"
            )
        scopes.pop()
        assert isinstance(scope, Scope)
        scope.open = False
        deadline = scope.deadline
        if deadline is not None:
            self._timers.closed_scope()
            pending = task._cancel_pending
            if pending is not None and is_timeout(pending) and pending.args[0] is deadline:
                task._cancel_pending = None  # expired, but the block ended before it was raised
        return self._time()

    def trap_clock(self, trap: tuple[int], /) -> object:
        return self._time()

    # ------------------------------------------------------------------ timers

    def _expire_timers(self, now: float) -> None:
        for due in self._timers.pop_due(now):
            if due.__class__ is Scope:
                self._expire_scope(due)
            else:
                due._timer = None  # type: ignore[union-attr]
                self._wake(due, now)  # type: ignore[arg-type]  # sleep() returns the clock

    def _expire_scope(self, scope: Scope) -> None:
        """A timeout block's deadline passed: interrupt its task, once.

        Raised as ``TaskTimeout``; ``spend_scopes`` names it for an enclosing
        block (``TimeoutCancellationError``) if inner blocks are open when it
        reaches the task.
        """
        scope.spent = True
        self._cancel(scope.task, TaskTimeout(scope.deadline))
