"""Sleeping and the kernel's clock."""

from __future__ import annotations

import math
import types
from collections.abc import Coroutine, Generator
from typing import Any, final

from curio_traps import _clock, check_seconds
from curio_traps.traps import SLEEP, YIELD, outside_kernel_error

__all__ = ["clock", "sleep", "wake_at"]


@final
class _Sleep:
    """The awaitable of one sleep: yields its trap once, then finishes.

    A plain object instead of a generator: a sleeping task then carries
    about 50 bytes for its sleep rather than a whole generator frame (the
    "sleepers: memory" benchmark).
    """

    __slots__ = ("_trap",)

    def __init__(self, trap: tuple[int, float]) -> None:
        self._trap: tuple[int, float] | None = trap

    def __await__(self) -> Generator[Any, Any, float]:
        # The object is its own iterator: it has the generator methods the
        # interpreter calls (__next__, send, throw, close).
        return self  # type: ignore[return-value]

    def __next__(self) -> tuple[int, float]:
        return self.send(None)

    def send(self, value: object) -> tuple[int, float]:
        trap = self._trap
        if trap is None:
            raise StopIteration(value)  # the kernel wakes a sleeper with its clock
        self._trap = None
        return trap

    def throw(self, exc: Any, value: Any = None, tb: Any = None) -> tuple[int, float]:
        if value is None:
            value = exc() if isinstance(exc, type) else exc
        self._trap = None
        raise outside_kernel_error(value)

    def close(self) -> None:
        self._trap = None


@types.coroutine
def _switch() -> Generator[Any, Any, None]:
    """The awaitable of ``sleep(0)``: a generator, the fastest way to yield a trap."""
    try:
        yield YIELD
    except BaseException as exc:
        raise outside_kernel_error(exc)  # noqa: B904 - it chains exc itself


def sleep(seconds: float) -> Coroutine[Any, Any, float | None]:
    """Sleep for *seconds*; 0 just lets the other ready tasks run.

    Use as ``await sleep(seconds)``.  A sleep returns the kernel's clock
    when it wakes; ``sleep(0)`` returns ``None`` (it is built for switching
    speed, a longer sleep for a small footprint while it waits).
    """
    cls = seconds.__class__
    if cls is not float and cls is not int:
        _check_seconds(seconds)
    elif seconds != seconds or seconds < 0:
        raise ValueError(f"sleep() needs a non-negative number of seconds, got {seconds!r}")
    # Both awaitables have the coroutine methods (spawn() accepts them too).
    if seconds == 0:
        return _switch()
    return _Sleep((SLEEP, seconds))


def _check_seconds(seconds: object) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"sleep() needs a number of seconds, got {seconds!r}")
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"sleep() needs a non-negative number of seconds, got {seconds!r}")


async def clock() -> float:
    """The time on the kernel's clock, in seconds (``time.monotonic`` unless
    ``Kernel(clock=...)`` gave it another)."""
    return await _clock()


async def wake_at(deadline: float) -> float:
    """Sleep until the kernel's :func:`clock` reaches *deadline*; return the clock then.

    A deadline already past just lets the other ready tasks run.
    """
    remaining = check_seconds(deadline, "wake_at()") - await _clock()
    await sleep(remaining if remaining > 0 else 0)
    return await _clock()
