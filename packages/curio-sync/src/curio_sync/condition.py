"""Condition: a lock plus a queue of tasks waiting to be notified of a change."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from curio_traps import (
    AwaitedContext,
    CancelledError,
    TaskLike,
    WaitQueue,
    _wait_on_queue,
    stronger,
)

from ._direct import _current_task_now, _wake_now
from .errors import SyncUsageError
from .lock import Lock, RLock

__all__ = ["Condition"]

T = TypeVar("T")


class Condition(AwaitedContext):
    """A condition variable built on *lock* (a new :class:`Lock` if ``None``).

    Tasks holding the lock ``wait()`` for another task to ``notify()`` them
    of a change in shared state; waiting releases the lock and returning
    takes it back.  Notifications with nobody waiting do nothing, as in
    :mod:`threading`.
    """

    __slots__ = ("_lock", "_waiting")

    def __init__(self, lock: Lock | RLock | None = None) -> None:
        if lock is None:
            lock = Lock()
        elif not isinstance(lock, (Lock, RLock)):
            raise TypeError(f"Condition needs a curio Lock or RLock, not {type(lock).__name__}")
        self._lock: Lock | RLock = lock
        self._waiting = WaitQueue()

    def __repr__(self) -> str:
        state = "locked" if self._lock.locked() else "unlocked"
        return f"<{type(self).__name__} [{state}, waiting:{len(self._waiting)}]>"

    def locked(self) -> bool:
        """Return ``True`` if the underlying lock is held."""
        return self._lock.locked()

    async def acquire(self) -> bool:
        """Acquire the underlying lock; return ``True``."""
        return await self._lock.acquire()

    async def release(self) -> None:
        """Release the underlying lock."""
        await self._lock.release()

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._lock.release()

    def _owner_check(self, what: str) -> TaskLike[Any]:
        me = _current_task_now()
        if not self._lock._owned_by(me):
            raise SyncUsageError(
                f"Condition.{what}(): the condition's lock is not held by this task"
            )
        return me

    async def wait(self) -> None:
        """Release the lock, sleep until notified, then take the lock back.

        The lock is held again whenever this returns or raises, including on
        cancellation or timeout.  A task that was notified but is cancelled
        while taking the lock back passes its notification to the next waiter,
        so no notification is lost.
        """
        me = self._owner_check("wait")
        depth = self._lock._release_for_wait()
        try:
            await _wait_on_queue(self._waiting, "COND_WAIT")
        except GeneratorExit:
            raise  # the coroutine is being closed: no kernel to wait in any more
        except BaseException as exc:
            await self._take_back(me, depth, exc)
            raise
        await self._take_back(me, depth, None)

    async def _take_back(self, me: TaskLike[Any], depth: int, first: BaseException | None) -> None:
        """Reacquire the lock after ``wait``, even through cancellations.

        *first* is what ended the wait, if not a notification.  Interruptions
        during the reacquisition are held until the lock is ours again; then
        the strongest of them and *first* is raised (a timeout never replaces
        a cancellation).  A notified task that is interrupted here passes its
        notification on to the next waiter, so none is lost.
        """
        interruption: BaseException | None = None
        while True:
            try:
                await self._lock._reacquire(me, depth)
                break
            except CancelledError as exc:
                interruption = stronger(interruption, exc)
        if interruption is None:
            return
        if first is None and self._waiting:
            _wake_now(self._waiting, 1, None)
        winner = stronger(first, interruption)
        if winner is not first:
            raise winner

    async def wait_for(self, predicate: Callable[[], T]) -> T:
        """Wait until ``predicate()`` is true (checked with the lock held); return its value."""
        self._owner_check("wait_for")
        result = predicate()
        while not result:
            await self.wait()
            result = predicate()
        return result

    async def notify(self, n: int = 1) -> None:
        """Wake up to *n* of the waiting tasks, oldest first; the lock must be held."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"notify() needs an int count, not {type(n).__name__}")
        self._owner_check("notify")
        waiting = self._waiting
        count = min(n, len(waiting))
        if count > 0:
            _wake_now(waiting, count, None)

    async def notify_all(self) -> None:
        """Wake every waiting task; the lock must be held."""
        self._owner_check("notify_all")
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, len(waiting), None)
