"""A timeout block that raises :exc:`subprocess.TimeoutExpired`.

The ``timeout=`` arguments of the standard library's subprocess API raise
``TimeoutExpired``, not curio's ``TaskTimeout``, so callers written for
:mod:`subprocess` keep working.  It is curio's one timeout block
(:class:`curio_traps.TimeoutBlock`): it nests correctly inside the caller's
own ``timeout_after`` blocks, and an outer deadline that expires first
propagates as the kernel raised it, untouched.
"""

from __future__ import annotations

import subprocess
from types import TracebackType
from typing import Any

from curio_traps import TimeoutBlock

__all__ = ["Deadline"]


class Deadline:
    """``async with Deadline(cmd, seconds):`` fails the block after *seconds*.

    *seconds* ``None`` means no limit.  On expiry the block raises
    ``subprocess.TimeoutExpired(cmd, seconds)``.  A timeout that is not a
    number, or is NaN, is refused at once (``TypeError`` / ``ValueError``).
    """

    __slots__ = ("_block", "_cmd", "_seconds")

    def __init__(self, cmd: Any, seconds: float | None) -> None:
        self._cmd = cmd
        self._seconds = seconds
        self._block = None if seconds is None else TimeoutBlock(seconds)

    async def __aenter__(self) -> None:
        if self._block is not None:
            await self._block.enter()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._block is not None and await self._block.leave(exc):
            raise subprocess.TimeoutExpired(self._cmd, self._seconds or 0.0) from exc
