"""Sleeping and the kernel's clock."""

from __future__ import annotations

import math
import types
from collections.abc import Generator
from typing import Any

from curio_traps.traps import SLEEP, YIELD, _clock, outside_kernel_error

__all__ = ["clock", "sleep"]


@types.coroutine
def sleep(seconds: float) -> Generator[Any, Any, None]:
    """Sleep for *seconds*; 0 just lets the other ready tasks run.

    Written as a generator coroutine that yields the trap itself, so that a
    sleep costs one frame, not two (the switching benchmark measures this).
    """
    cls = seconds.__class__
    if cls is not float and cls is not int:
        _check_seconds(seconds)
    elif seconds != seconds or seconds < 0:
        raise ValueError(f"sleep() needs a non-negative number of seconds, got {seconds!r}")
    try:
        yield YIELD if seconds == 0 else (SLEEP, seconds)
    except BaseException as exc:
        raise outside_kernel_error(exc)  # noqa: B904 - it chains exc itself


def _check_seconds(seconds: object) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"sleep() needs a number of seconds, got {seconds!r}")
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"sleep() needs a non-negative number of seconds, got {seconds!r}")


async def clock() -> float:
    """The kernel's clock, in seconds (``time.monotonic``)."""
    return await _clock()
