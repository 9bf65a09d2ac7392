"""Event: a flag that tasks can wait for."""

from __future__ import annotations

from curio_traps import WaitQueue, _wait_on_queue

from ._direct import _wake_now

__all__ = ["Event"]


class Event:
    """A flag, initially clear, that tasks wait on until another task sets it.

    ``set()`` wakes every waiting task at once; the flag then stays set (later
    ``wait()`` calls return immediately) until ``clear()``.
    """

    __slots__ = ("_set", "_waiting")

    def __init__(self) -> None:
        self._set = False
        self._waiting = WaitQueue()

    def __repr__(self) -> str:
        state = "set" if self._set else "unset"
        return f"<{type(self).__name__} [{state}, waiting:{len(self._waiting)}]>"

    def is_set(self) -> bool:
        """Return ``True`` if the event is set."""
        return self._set

    def clear(self) -> None:
        """Clear the flag; later ``wait()`` calls block until the next ``set()``."""
        self._set = False

    async def wait(self) -> None:
        """Return once the event is set (at once if it already is).

        A task cancelled while waiting leaves the event untouched.
        """
        if self._set:
            return
        await _wait_on_queue(self._waiting, "EVENT_WAIT")

    async def set(self) -> None:
        """Set the flag and wake every task waiting for it."""
        self._set = True
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, len(waiting), None)
