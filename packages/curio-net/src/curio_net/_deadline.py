"""A time limit on one awaited operation, reported as ``TimeoutError``.

Connections and handshakes are bounded the way the socket module bounds
them, with ``TimeoutError``, rather than with curio's ``TaskTimeout``: the
caller asked for a limit on this call, not for its task to be cancelled.
It is curio's one timeout block (:class:`curio_traps.TimeoutBlock`), so an
enclosing ``timeout_after`` still expires as ``TaskTimeout`` in its own block.
"""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine
from typing import TypeVar

from curio_traps import TimeoutBlock

__all__ = ["bounded"]

T = TypeVar("T")


async def bounded(seconds: float | None, awaitable: Awaitable[T]) -> T:
    """Await *awaitable*; ``TimeoutError`` if it takes more than *seconds* (``None``: no limit)."""
    if seconds is None:
        return await awaitable
    try:
        block = TimeoutBlock(seconds)
    except (TypeError, ValueError):
        if isinstance(awaitable, Coroutine):
            awaitable.close()  # refused before it ran: no "never awaited" warning
        raise
    await block.enter()
    try:
        result = await awaitable
    except BaseException as exc:
        if await block.leave(exc):
            raise TimeoutError(f"timed out after {seconds:g} s") from exc
        raise
    await block.leave(None)
    return result
