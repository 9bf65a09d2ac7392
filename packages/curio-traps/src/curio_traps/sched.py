"""Scheduler objects: a line of waiting tasks with a name, as in curio 1.6's ``curio.sched``.

A synchronization primitive makes tasks wait somewhere and wakes them later.  A scheduler
object is that somewhere: ``await s.suspend(reason)`` puts the calling task to sleep on
``s``, ``await s.wake(n)`` reschedules the *n* tasks that have waited longest, and
``len(s)`` says how many are asleep.  :class:`SchedFIFO` is the one a lock or a queue
holds, woken a task at a time; :class:`SchedBarrier` the one an event holds, woken all at
once with ``await s.wake(len(s))``.  The traps :func:`_scheduler_wait` and
:func:`_scheduler_wake` are the same two operations under curio 1.6's trap names, with
the wake's *value* or *exception* for the woken tasks besides.

Discussion: how a scheduler object reaches the kernel.  curio 1.6's kernel knows
scheduler objects and calls hooks on them to add and remove a task.  This kernel knows
only wait queues, so a scheduler object holds a :class:`~curio_traps.WaitQueue` and its
two operations are the traps ``_wait_on_queue`` and ``_reschedule_tasks`` on that queue.
Every scheduler object therefore inherits what the kernel guarantees for a wait queue:

* Tasks are woken oldest first, for a barrier too (curio 1.6 woke a barrier's tasks in
  no particular order; first in, first out is one of the orders it allowed).
* A task cancelled or timed out while suspended is taken out of the line by the kernel,
  in constant time, before the exception reaches it.  ``len(s)`` drops at once, and the
  next ``wake`` goes to a task that is still waiting: a wake-up is never spent on a task
  that has left.
* A woken task resumes from ``suspend`` with what the waker gave it even when a
  cancellation reaches it before it runs again; the cancellation is delivered at its
  next blocking call.  So a primitive that hands something over with the wake-up (a
  lock, a slot, an item) never loses it.

The kernel never calls back into a scheduler object, so a subclass cannot change the
order of wake-ups by overriding methods, and curio 1.6's kernel hooks (``add``, ``pop``)
are neither provided nor consulted.
"""

from __future__ import annotations

from typing import Any

from .traps import _reschedule_tasks, _wait_on_queue
from .wait_queue import WaitQueue

__all__ = ["SchedBarrier", "SchedBase", "SchedFIFO", "_scheduler_wait", "_scheduler_wake"]


class SchedBase:
    """What every scheduler object is: a first-in, first-out line of suspended tasks.

    Not made directly: make a :class:`SchedFIFO` or a :class:`SchedBarrier` (or a
    subclass), whose names say what the primitive holding it does with it.  An empty
    scheduler object is false, as an empty queue is.
    """

    __slots__ = ("_waiting",)

    def __init__(self) -> None:
        if type(self) is SchedBase:
            raise TypeError(
                "SchedBase is the base class of scheduler objects: "
                "make a SchedFIFO (locks, queues) or a SchedBarrier (events) instead"
            )
        self._waiting = WaitQueue()

    def __len__(self) -> int:
        """The number of tasks suspended on this object."""
        return len(self._waiting)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} waiting:{len(self._waiting)}>"

    async def suspend(self, reason: str) -> Any:
        """Suspend the calling task on this object until a ``wake`` reaches it.

        *reason* names the wait: it is the task's ``state`` while it sleeps (what the
        monitor shows, ``"EVENT_WAIT"`` say).  Returns the *value* the waker passed to
        :func:`_scheduler_wake` (``None`` after :meth:`wake`), or raises its *exc*.  A
        task cancelled or timed out here has already left the line when the exception
        reaches it.
        """
        return await _scheduler_wait(self, reason)

    async def wake(self, n: int = 1) -> None:
        """Reschedule the *n* tasks that have waited longest (all of them if fewer wait).

        Never blocks and is never interrupted: the woken tasks run once the caller next
        waits or yields.  ``wake(len(s))`` releases every task suspended now, and only
        those; ``wake(0)`` does nothing.
        """
        await _scheduler_wake(self, n)


class SchedFIFO(SchedBase):
    """A scheduler object whose tasks are woken one (or a few) at a time, oldest first.

    The line of a lock, a semaphore or a queue: each ``wake()`` hands one waiter the
    thing that was freed, in the order the waiters arrived.
    """

    __slots__ = ()


class SchedBarrier(SchedBase):
    """A scheduler object whose tasks are usually released together.

    The line of an event or a barrier: ``await s.wake(len(s))`` releases every task
    suspended at that moment; a task that suspends afterwards waits for the next
    release.  ``wake(n)`` releases only *n*, oldest first.
    """

    __slots__ = ()


def _check_sched(sched: object, caller: str, queue_trap: str) -> WaitQueue:
    if not isinstance(sched, SchedBase):
        raise TypeError(
            f"{caller}() needs a scheduler object (SchedFIFO, SchedBarrier), "
            f"not {type(sched).__name__}; a bare WaitQueue or deque goes to {queue_trap}()"
        )
    return sched._waiting


async def _scheduler_wait(sched: SchedBase, state_name: str) -> Any:
    """Sleep on the scheduler object *sched* until a wake-up reaches this task.

    *state_name* is the task's ``state`` while it sleeps.  Returns the *value* given to
    :func:`_scheduler_wake`, or raises its *exc*.  A task cancelled or timed out while it
    sleeps has already been taken off *sched*.  ``await sched.suspend(state_name)`` is
    the same call.
    """
    waiting = _check_sched(sched, "_scheduler_wait", "_wait_on_queue")
    if not isinstance(state_name, str):
        raise TypeError(
            f"_scheduler_wait() needs a str naming the wait state (such as 'LOCK_ACQUIRE'), "
            f"not {type(state_name).__name__}"
        )
    return await _wait_on_queue(waiting, state_name)


async def _scheduler_wake(
    sched: SchedBase,
    n: int = 1,
    value: object = None,
    exc: BaseException | type[BaseException] | None = None,
) -> None:
    """Reschedule the *n* oldest tasks sleeping on *sched* (every one if fewer sleep).

    Each woken task returns *value* from its wait, or, if *exc* is given, has *exc* raised
    at it instead (an exception class is instantiated once, so the woken tasks share one
    exception).  Returns at once: it never blocks and a pending cancellation is not
    delivered here.  A negative *n* raises ``ValueError``; ``0`` wakes no one.
    """
    waiting = _check_sched(sched, "_scheduler_wake", "_reschedule_tasks")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"_scheduler_wake() needs an int count of tasks, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"_scheduler_wake() cannot wake {n} tasks: the count must be >= 0")
    error = None if exc is None else _as_exception(exc)
    if n and waiting:
        await _reschedule_tasks(waiting, n, value, error)


def _as_exception(exc: object) -> BaseException:
    """*exc* as an exception instance (a class is instantiated), or ``TypeError``."""
    if isinstance(exc, BaseException):
        return exc
    if isinstance(exc, type) and issubclass(exc, BaseException):
        return exc()
    raise TypeError(
        f"_scheduler_wake() needs an exception (or None) as exc, not {type(exc).__name__}; "
        "what the woken tasks receive goes in value"
    )
