"""The kernel's standard clock: ``time.monotonic``, read directly.

Every kernel reads the time through a :class:`curio_traps.Clock`; this is the
one it uses unless ``Kernel(clock=...)`` names another.  Its ``now`` is
``time.monotonic`` itself, so the kernel's time readings cost what they cost
before clocks could be chosen (the sleep, timeout and switch rows of
``nox -s bench``).
"""

from __future__ import annotations

import math
import time
from typing import Final

__all__ = ["MonotonicClock"]


class MonotonicClock:
    """Real time from ``time.monotonic``; never jumps."""

    __slots__ = ()

    #: Never idle long enough to jump.
    autojump_threshold: Final = math.inf

    #: The current time: ``time.monotonic`` itself, with no call in between.
    now: staticmethod[[], float] = staticmethod(time.monotonic)

    def sleep_time(self, deadline: float) -> float:
        """Seconds until *deadline*: real time is the clock's own time."""
        return max(0.0, deadline - time.monotonic())

    def jump_to(self, deadline: float) -> None:
        """Never called (the threshold is infinite): real time cannot be moved."""

    def __repr__(self) -> str:
        return "MonotonicClock()"
