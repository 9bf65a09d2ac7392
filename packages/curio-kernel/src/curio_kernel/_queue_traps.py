"""The two traps every synchronization primitive is built on: wait on a queue, wake from it.

A primitive of curio-sync keeps its waiting tasks in a kernel queue: a
:class:`~curio_traps.WaitQueue` (an ordered dict, so a cancelled waiter
leaves in O(1)) or, as curio 1.x primitives pass, a plain ``deque``.
``wait_on_queue`` parks the running task at the end of the queue;
``reschedule_tasks`` makes up to *n* of its first waiters ready, with a
value or an exception.  The kernel knows nothing else of the primitive.

Both are the hot path of every lock, event and queue, so they are speed
copies: ``Kernel._suspend`` is inlined in the first (which calls
``_blocking`` only when a cancellation is pending) and ``Kernel._wake`` in
the second; a change to those is made here too.
"""

from __future__ import annotations

from typing import Any

from curio_traps import SUSPEND, KernelQueue, WaitQueue

from ._kernel_base import KernelBase
from .task import Task

__all__ = ["QueueTraps"]


def _unwait_queue(task: Task[Any]) -> None:
    task._wait_obj.remove(task)  # a plain deque, as curio 1.x primitives pass: O(n)


def _unwait_wait_queue(task: Task[Any]) -> None:
    del task._wait_obj[task]  # a WaitQueue: O(1)


class QueueTraps(KernelBase):
    """The wait-queue traps."""

    def trap_wait_on_queue(self, trap: tuple[int, KernelQueue, str], /) -> object:
        # _blocking() and _suspend() inlined: every sync primitive waits here.
        task = self.current
        assert task is not None
        if task._cancel_pending is not None:
            self._blocking(task)
        kqueue = trap[1]
        if kqueue.__class__ is WaitQueue or isinstance(kqueue, WaitQueue):
            kqueue[task] = None
            task._unwait = _unwait_wait_queue
        else:
            kqueue.append(task)
            task._unwait = _unwait_queue
        task.state = trap[2]
        task.waiting_since = self._now
        task._wait_obj = kqueue
        return SUSPEND

    def trap_reschedule_tasks(
        self, trap: tuple[int, KernelQueue, int, object, BaseException | None], /
    ) -> object:
        # _wake() inlined: every sync primitive wakes its waiters here.
        _, kqueue, n, value, exc = trap
        ready = self._ready
        ordered = kqueue.__class__ is WaitQueue or isinstance(kqueue, WaitQueue)
        while n > 0 and kqueue:
            task = kqueue.popitem(False)[0] if ordered else kqueue.popleft()  # type: ignore[union-attr]
            task._unwait = None
            task._wait_obj = None
            task._next_value = value
            task._next_exc = exc
            task.state = "READY"
            ready.append(task)
            n -= 1
        return None
