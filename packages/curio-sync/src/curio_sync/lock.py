"""Lock and RLock: mutual exclusion between tasks, with an owner.

Both record the task holding them, so a task that releases a lock it does
not hold gets a clear error, and both hand a released lock straight to the
task that has waited longest: a task arriving later can never take it first.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Final

from curio_traps import AwaitedContext, TaskLike, WaitQueue, _wait_on_queue

from ._direct import _current_task_now, _wake_now
from .errors import SyncUsageError

__all__ = ["Lock", "RLock"]

#: Owner of a lock between its release to a waiter and that waiter resuming.
#: The lock counts as held, so no other task can take it in between.  Once
#: the kernel has rescheduled the waiter it resumes from its wait (a cancel
#: arriving meanwhile is delivered at its next blocking call), so the lock
#: always reaches it.
_HANDED_OVER: Final = object()


class _OwnedLock(AwaitedContext):
    """What ``Lock`` and ``RLock`` share: the owner and the FIFO of waiters."""

    __slots__ = ("_owner", "_waiting")

    def __init__(self) -> None:
        self._owner: object = None
        self._waiting = WaitQueue()

    def __repr__(self) -> str:
        state = "locked" if self._owner is not None else "unlocked"
        return f"<{type(self).__name__} [{state}, waiting:{len(self._waiting)}]>"

    def locked(self) -> bool:
        """Return ``True`` if some task holds the lock."""
        return self._owner is not None

    def _owned_by(self, task: TaskLike[Any]) -> bool:
        return self._owner is task

    def _hand_over(self) -> None:
        """Give the lock to the longest waiter, or free it if none waits."""
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, 1, None)
            self._owner = _HANDED_OVER
        else:
            self._owner = None

    def _not_held_error(self) -> SyncUsageError:
        if self._owner is None:
            return SyncUsageError(f"{type(self).__name__}.release(): the lock is not held")
        return SyncUsageError(
            f"{type(self).__name__}.release(): the lock is held by another task, not this one"
        )

    async def _take(self, me: TaskLike[Any]) -> None:
        """Take the lock for *me*, queueing behind its holder if needed.

        A task cancelled while queued is dropped from the queue by the kernel
        and leaves the lock as it found it.
        """
        if self._owner is None:
            self._owner = me
        else:
            await _wait_on_queue(self._waiting, "LOCK_ACQUIRE")
            self._owner = me


class Lock(_OwnedLock):
    """A mutual exclusion lock for tasks (not for threads).

    Not reentrant: a task acquiring a ``Lock`` it already holds gets a
    ``RuntimeError`` instead of a deadlock (use :class:`RLock` to nest).
    Prefer ``async with lock:``, which releases on every way out.
    """

    __slots__ = ()

    async def acquire(self) -> bool:
        """Wait until the lock is free, take it for this task and return ``True``."""
        me = _current_task_now()
        owner = self._owner
        if owner is None:
            self._owner = me
        elif owner is me:
            raise SyncUsageError("Lock.acquire(): this task already holds the lock (use RLock)")
        else:
            await _wait_on_queue(self._waiting, "LOCK_ACQUIRE")
            self._owner = me
        return True

    async def release(self) -> None:
        """Release the lock held by this task, waking the longest waiter."""
        if self._owner is not _current_task_now():
            raise self._not_held_error()
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, 1, None)
            self._owner = _HANDED_OVER
        else:
            self._owner = None

    # The context manager repeats acquire() and release() rather than calling
    # them: one coroutine frame less on the hottest path of a lock.

    async def __aenter__(self) -> None:
        me = _current_task_now()
        owner = self._owner
        if owner is None:
            self._owner = me
        elif owner is me:
            raise SyncUsageError("Lock.acquire(): this task already holds the lock (use RLock)")
        else:
            await _wait_on_queue(self._waiting, "LOCK_ACQUIRE")
            self._owner = me

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # release() repeated: one coroutine frame less.  The owner check stays:
        # after a release() by hand inside the block, another task may hold
        # the lock now, and leaving the block must not free it for them.
        if self._owner is not _current_task_now():
            raise self._not_held_error()
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, 1, None)
            self._owner = _HANDED_OVER
        else:
            self._owner = None

    def _release_for_wait(self) -> int:
        """Release the lock for ``Condition.wait``; return what ``_reacquire`` restores."""
        self._hand_over()
        return 1

    async def _reacquire(self, me: TaskLike[Any], depth: int) -> None:
        await self._take(me)


class RLock(_OwnedLock):
    """A reentrant lock: the task holding it may acquire it again.

    Each ``acquire`` must be matched by a ``release``; the lock is free again
    when the last one is released.
    """

    __slots__ = ("_depth",)

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0

    def __repr__(self) -> str:
        base = super().__repr__()
        return f"{base[:-2]}, depth:{self._depth}]>"

    async def acquire(self) -> bool:
        """Take the lock (or one more level of it) for this task; return ``True``."""
        me = _current_task_now()
        if self._owner is me:
            self._depth += 1
        else:
            await self._take(me)
            self._depth = 1
        return True

    async def release(self) -> None:
        """Release one level; the last release frees the lock for the longest waiter."""
        if self._owner is not _current_task_now():
            raise self._not_held_error()
        depth = self._depth - 1
        self._depth = depth
        if depth == 0:
            self._hand_over()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.release()

    def _release_for_wait(self) -> int:
        depth = self._depth
        self._depth = 0
        self._hand_over()
        return depth

    async def _reacquire(self, me: TaskLike[Any], depth: int) -> None:
        await self._take(me)
        self._depth = depth
