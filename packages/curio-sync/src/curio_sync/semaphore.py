"""Semaphore and BoundedSemaphore: a counter of free slots that tasks take and give back."""

from __future__ import annotations

from types import TracebackType

from curio_traps import AwaitedContext, WaitQueue, _wait_on_queue

from ._direct import _wake_now
from .errors import SyncUsageError

__all__ = ["BoundedSemaphore", "Semaphore"]


def _check_value(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"semaphore value must be an int, not {type(value).__name__}")
    if value < 0:
        raise SyncUsageError(f"semaphore value must be >= 0, not {value}")
    return value


class Semaphore(AwaitedContext):
    """A counter of free slots, ``value`` at the start.

    ``acquire`` takes a slot, waiting while there is none; ``release`` gives
    one back.  A released slot goes straight to the task that has waited
    longest, so waiters are served first in, first out, and a waiter that is
    cancelled leaves the count as it was.
    """

    __slots__ = ("_value", "_waiting")

    def __init__(self, value: int = 1) -> None:
        self._value = _check_value(value)
        self._waiting = WaitQueue()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [value:{self._value}, waiting:{len(self._waiting)}]>"

    @property
    def value(self) -> int:
        """The number of free slots."""
        return self._value

    def locked(self) -> bool:
        """Return ``True`` if no slot is free (``acquire`` would wait)."""
        return self._value == 0

    async def acquire(self) -> bool:
        """Take a slot, waiting for one if none is free; return ``True``."""
        if self._value > 0:
            self._value -= 1
        else:
            # release() hands its slot to us directly: the count stays at 0.
            await _wait_on_queue(self._waiting, "SEMA_ACQUIRE")
        return True

    async def release(self) -> None:
        """Give a slot back, to the longest waiter if any; never blocks."""
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, 1, None)
        else:
            self._value += 1

    async def __aenter__(self) -> None:
        if self._value > 0:
            self._value -= 1
        else:
            await _wait_on_queue(self._waiting, "SEMA_ACQUIRE")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.release()


class BoundedSemaphore(Semaphore):
    """A :class:`Semaphore` whose count may never exceed its initial value.

    Releasing it more often than it was acquired raises an error (a
    ``ValueError``, as in :mod:`threading`) instead of silently adding a slot.
    """

    __slots__ = ("_bound",)

    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        self._bound = value

    def __repr__(self) -> str:
        base = super().__repr__()
        return f"{base[:-2]}, bound:{self._bound}]>"

    async def release(self) -> None:
        """Give a slot back; raise if that would exceed the initial value."""
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, 1, None)
        elif self._value >= self._bound:
            raise SyncUsageError(
                f"BoundedSemaphore released too many times (initial value {self._bound})"
            )
        else:
            self._value += 1
