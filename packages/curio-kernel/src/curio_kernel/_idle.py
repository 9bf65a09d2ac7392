"""What the kernel does when no task is ready: wait, wake idle waiters, let the clock jump.

Each pass of the loop with nothing ready calls :meth:`IdleTraps._wait_for_work`,
which waits in the selector until the next deadline (as the clock reckons it), a
descriptor, a thread's result or a signal.  Two things may cut that wait short
once every task has been blocked long enough, in real seconds:

* a task in ``wait_all_tasks_blocked(cushion)`` (the ``_wait_idle`` trap) wakes
  when the kernel has been idle for its *cushion*, the smallest cushion first;
* a clock with a finite ``autojump_threshold`` (``MockClock``) is told to jump to
  the next deadline when the kernel has been idle that long, unless work the
  kernel runs in real time is outstanding (:meth:`IdleTraps._working`): a call in
  its threads or worker processes, whose result is sure to come.

When nothing at all can wake a task, :meth:`IdleTraps._deadlock` cancels the
blocked tasks and writes down what each waited for, for ``run()``'s error.

The idle time is measured on ``time.monotonic`` whatever the kernel's clock: it
is how long the machine really waited for something to happen.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import time
from typing import TYPE_CHECKING, Any

from curio_traps import CancelledError, Clock, check_seconds

from ._kernel_base import KernelBase
from ._process_pool import ProcessPool
from ._timers import TimerHeap
from .task import Task

__all__ = ["IdleTraps"]

_INF = math.inf
_log = logging.getLogger("curio")

#: One waiter of wait_all_tasks_blocked: (cushion, order of arrival, task).
_Waiter = tuple[float, int, Task[Any]]


class IdleTraps(KernelBase):
    """The ``_wait_idle`` trap and the kernel's wait when nothing is ready."""

    _clock: Clock
    _timers: TimerHeap
    _io_waiting: int
    _processes: ProcessPool | None
    #: Tasks in wait_all_tasks_blocked, smallest cushion first (a heap).
    _idle_waiters: list[_Waiter]
    _idle_order: itertools.count[int]
    #: ``time.monotonic()`` when the current idle stretch began, ``None`` while tasks run.
    _idle_since: float | None

    _tasks: dict[int, Task[Any]]
    _main: Task[Any] | None
    #: Whether this run() met a deadlock, and the blocked tasks then, a line each.
    _deadlocked: bool
    _deadlock_report: str

    if TYPE_CHECKING:
        # Defined in _io_traps.py.
        def _poll(self, timeout: float | None) -> None: ...

    def trap_wait_idle(self, trap: tuple[int, float], /) -> object:
        task = self.current
        assert task is not None
        self._blocking(task)
        cushion = trap[1]
        if cushion.__class__ is not float or not cushion >= 0:
            cushion = check_seconds(cushion, "wait_all_tasks_blocked()")
            if cushion < 0:
                raise ValueError(f"the cushion must be 0 or more seconds, got {cushion}")
        entry = (float(cushion), next(self._idle_order), task)
        heapq.heappush(self._idle_waiters, entry)
        return self._suspend(task, "IDLE_WAIT", self._unwait_idle, entry)

    def _unwait_idle(self, task: Task[Any]) -> None:
        self._idle_waiters.remove(task._wait_obj)
        heapq.heapify(self._idle_waiters)

    def _wait_for_work(self) -> bool:
        """Wait until a task may be ready; ``False`` if nothing at all can wake one.

        Nothing can when no deadline is near (or the clock will never reach
        it by itself), no descriptor or outside work is waited on and no task
        waits for the kernel to be idle: the caller's deadlock.
        """
        deadline = self._timers.next_deadline()
        timeout = None
        if deadline is not None:
            timeout = self._clock.sleep_time(deadline)
            if timeout == _INF:
                timeout = None  # a clock that stands still: only a jump gets there
        threshold = self._clock.autojump_threshold
        if self._idle_waiters or threshold != _INF:
            return self._wait_idle(deadline, timeout, threshold)
        self._idle_since = None
        if timeout is None and not (self._io_waiting or self._external):
            return False
        self._poll(timeout)
        return True

    def _working(self) -> bool:
        """Whether work the kernel runs in real time is outstanding: a call in one of its
        threads or worker processes, an executor's call, an asynchronous thread's code."""
        return bool(self._work_waits) or (self._processes is not None and self._processes.busy > 0)

    def _wait_idle(self, deadline: float | None, timeout: float | None, threshold: float) -> bool:
        """:meth:`_wait_for_work` while a task or the clock waits for idleness."""
        started = time.monotonic()
        if self._idle_since is None:
            self._idle_since = started
        idle_for = started - self._idle_since
        cushion = self._idle_waiters[0][0] if self._idle_waiters else _INF
        jump = threshold if deadline is not None and not self._working() else _INF
        due = min(cushion, jump)  # a waiter goes before a jump due at the same time
        if due != _INF:
            remaining = max(0.0, due - idle_for)
            if timeout is None or remaining < timeout:
                timeout = remaining
        elif timeout is None and not (self._io_waiting or self._external):
            return False
        self._poll(timeout)
        if self._ready or (deadline is not None and self._time() >= deadline):
            self._idle_since = None  # something woke: the tasks run again
            return True
        idle_for = time.monotonic() - self._idle_since
        if cushion <= jump and cushion <= idle_for:
            waiter = heapq.heappop(self._idle_waiters)[2]
            self._idle_since = None
            self._wake(waiter)
        elif jump <= idle_for:
            assert deadline is not None
            self._idle_since = None
            self._clock.jump_to(deadline)
        return True

    def _deadlock(self, until_empty: bool) -> None:
        """Every task waits on something only another task could give: cancel them.

        The task of this ``run()`` goes first, alone: its clean-up (a task group
        cancelling its members) may end the rest, and tasks that earlier runs
        left suspended on purpose (a test's fixtures) survive a run that ends
        at its own deadlock.  If the others are still stuck once it has ended,
        the next pass cancels them all.
        """
        blocked = [task for task in self._tasks.values() if until_empty or not task.daemon]
        if not self._deadlocked:
            self._deadlocked = True
            self._deadlock_report = "".join(f"\n  {_describe_wait(task)}" for task in blocked)
            main = self._main
            if not until_empty and main is not None and not main.terminated:
                blocked = [main]
        _log.debug("tasks blocked forever, cancelled: %s", blocked)
        for task in blocked:
            # Even where cancellation is disabled: the wait could never end otherwise.
            task._allow_cancel = True
            self._cancel(task, CancelledError("every task was blocked forever"))


def _describe_wait(task: Task[Any]) -> str:
    """One line on a blocked task: what it waits for and where its own code awaits it.

    The place is the innermost frame outside curio's packages, the line a
    reader of the program recognises.
    """
    where = "(no frame)"
    for info in reversed(task.stack()):
        module = info.frame.f_globals.get("__name__", "")
        if not (module.startswith(("curio_", "curio.")) or module == "curio"):
            where = f"at {info.filename}:{info.lineno} in {info.function}"
            break
    return f"task {task.id} ({task.name}) waits {task.state} {where}"
