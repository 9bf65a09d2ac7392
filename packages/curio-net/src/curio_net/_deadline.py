"""A time limit on one awaited operation, reported as ``TimeoutError``.

Connections and handshakes are bounded the way the socket module bounds
them, with ``TimeoutError``, rather than with curio's ``TaskTimeout``: the
caller asked for a limit on this call, not for its task to be cancelled.
An outer ``timeout_after`` still expires as ``TaskTimeout`` in its own block.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from curio_traps import (
    TaskTimeout,
    TimeoutCancellationError,
    _clock,
    _set_timeout,
    _unset_timeout,
)

__all__ = ["bounded"]

T = TypeVar("T")


async def bounded(seconds: float | None, awaitable: Awaitable[T]) -> T:
    """Await *awaitable*; ``TimeoutError`` if it takes more than *seconds* (``None``: no limit)."""
    if seconds is None:
        return await awaitable
    deadline = await _clock() + max(0.0, seconds)
    previous = await _set_timeout(deadline)
    try:
        return await awaitable
    except (TaskTimeout, TimeoutCancellationError) as exc:
        # The kernel names the deadline that expired: only ours becomes TimeoutError.
        if exc.args and exc.args[0] is deadline:
            raise TimeoutError(f"timed out after {seconds:g} s") from exc
        raise
    finally:
        await _unset_timeout(previous)
