"""A timeout block that raises :exc:`subprocess.TimeoutExpired`.

The ``timeout=`` arguments of the standard library's subprocess API raise
``TimeoutExpired``, not curio's ``TaskTimeout``, so callers written for
:mod:`subprocess` keep working.  The block is built directly on the
``_set_timeout``/``_unset_timeout`` traps: it nests correctly inside the
caller's own ``timeout_after`` blocks (an outer deadline that expires first
propagates as the kernel raised it, untouched).
"""

from __future__ import annotations

import subprocess
from types import TracebackType
from typing import Any

from curio_traps import TaskTimeout, TimeoutState, _clock, _set_timeout, _unset_timeout

__all__ = ["Deadline"]


class Deadline:
    """``async with Deadline(cmd, seconds):`` fails the block after *seconds*.

    *seconds* ``None`` means no limit.  On expiry the block raises
    ``subprocess.TimeoutExpired(cmd, seconds)``.
    """

    __slots__ = ("_cmd", "_previous", "_seconds")

    def __init__(self, cmd: Any, seconds: float | None) -> None:
        if seconds is not None and not isinstance(seconds, int | float):
            raise TypeError(f"timeout must be a number of seconds or None, not {seconds!r}")
        self._cmd = cmd
        self._seconds = seconds
        self._previous: TimeoutState | None = None

    async def __aenter__(self) -> None:
        if self._seconds is not None:
            deadline = await _clock() + self._seconds
            self._previous = await _set_timeout(deadline)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        previous, self._previous = self._previous, None
        if self._seconds is None or previous is None:
            return
        await _unset_timeout(previous)
        # Only the innermost deadline surfaces as TaskTimeout, and nothing inside
        # this block sets one of its own: a TaskTimeout here is this deadline.
        if isinstance(exc, TaskTimeout):
            raise subprocess.TimeoutExpired(self._cmd, self._seconds) from exc
