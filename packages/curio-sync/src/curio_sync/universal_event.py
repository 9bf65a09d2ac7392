"""UniversalEvent: a flag shared by curio tasks, threads and asyncio tasks in other threads."""

from __future__ import annotations

import threading
from concurrent.futures import Future

from curio_traps import from_coroutine

from ._universal_wait import _block, _check_world, _typed_as_awaited, _wait, _Waiters

__all__ = ["UniversalEvent"]


class UniversalEvent:
    """A flag, initially clear, that curio tasks, threads and asyncio tasks wait on together.

    ``await ev.wait()`` / ``await ev.set()`` in a curio task or an asyncio task (in a
    thread of its own), ``ev.wait()`` / ``ev.set()`` in any other thread.  ``set()`` wakes
    every waiter in every world; the flag then stays set until ``clear()``.  A waiter
    cancelled or timed out leaves nothing behind.
    """

    __slots__ = ("_lock", "_set", "_waiting")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._waiting: _Waiters[bool] = _Waiters()

    def __repr__(self) -> str:
        state = "set" if self._set else "unset"
        return f"<{type(self).__name__} [{state}, waiting:{len(self._waiting)}]>"

    def is_set(self) -> bool:
        """Return ``True`` if the event is set."""
        return self._set

    def clear(self) -> None:
        """Clear the flag; later waits block until the next ``set()``."""
        self._set = False

    def _leave(self, future: Future[bool], give_back: bool) -> bool:
        with self._lock:
            return self._waiting.withdraw(future)

    @_typed_as_awaited
    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the event is set (return at once if it is) and return ``True``.

        ``await ev.wait()`` in a coroutine.  In a thread, *timeout* (seconds) bounds the
        wait, which then returns ``False``, as :meth:`threading.Event.wait` does.
        """
        if from_coroutine():
            return self._wait_async(timeout)  # type: ignore[return-value]  # awaited
        with self._lock:
            if self._set:
                return True
            future = self._waiting.add()
        try:
            return _block(future, timeout, self._leave)
        except TimeoutError:
            return False

    async def _wait_async(self, timeout: float | None) -> bool:
        if timeout is not None:
            raise TypeError(
                "UniversalEvent.wait(timeout=...) applies to a thread's blocking call; in a "
                "coroutine, bound the wait with curio's timeout_after() or asyncio.wait_for()"
            )
        curio = _check_world("UniversalEvent.wait()")
        with self._lock:
            if self._set:
                return True
            future = self._waiting.add()
        return await _wait(future, curio, self._leave)

    @_typed_as_awaited
    def set(self) -> None:
        """Set the flag and wake every waiter, in every world.

        ``await ev.set()`` in a coroutine, ``ev.set()`` in a thread (it never waits).
        """
        if from_coroutine():
            return self._set_async()  # type: ignore[return-value]  # awaited
        self._set_now()

    async def _set_async(self) -> None:
        self._set_now()

    def _set_now(self) -> None:
        with self._lock:
            self._set = True
            self._waiting.wake_all(True)
