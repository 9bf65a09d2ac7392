"""What a kernel asks of its clock.

The kernel never reads the time itself: it asks its clock for the current
time, for how long it may wait in the selector before a deadline comes, and,
when every task is blocked, whether the clock wants to move time on by
itself.  The standard clock follows ``time.monotonic``; a test clock
(``curio_kernel.testing.MockClock``) runs virtual time that tests control.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["Clock"]


@runtime_checkable
class Clock(Protocol):
    """The interface ``Kernel(clock=...)`` takes.

    Times are in seconds on the clock's own scale: deadlines of sleeps and
    timeout blocks are values of :meth:`now`.  Every method is called from
    the kernel's thread, so a clock needs no locking for the kernel's sake.
    """

    @property
    def autojump_threshold(self) -> float:
        """Real seconds the kernel must stay idle (every task blocked) before it calls
        :meth:`jump_to`; ``math.inf`` for a clock that never moves by itself."""
        ...

    def now(self) -> float:
        """The current time."""
        ...

    def sleep_time(self, deadline: float) -> float:
        """Real seconds until :meth:`now` reaches *deadline* (0 if it has; ``math.inf``
        if it never will on its own)."""
        ...

    def jump_to(self, deadline: float) -> None:
        """Move time on to *deadline*, the earliest one waited for, because the kernel has
        been idle for :attr:`autojump_threshold` real seconds."""
        ...
