"""Tools for testing curio programs: virtual time and a way to wait until every task is blocked.

``Kernel(clock=MockClock())`` (or ``run(..., clock=MockClock())``) runs a
kernel on virtual time, which moves only when a test says so (:meth:`MockClock.jump`),
at a chosen rate of real time, or, with ``autojump_threshold=0``, straight to
the next deadline whenever every task is blocked: an hour of sleeps and
timeouts takes no real time at all, and what the program sees of the clock is
exactly what the hour would have shown.

:func:`wait_all_tasks_blocked` lets a test step through an interleaving: it
returns once every other task has gone as far as it can.
"""

from __future__ import annotations

import math
import time

from curio_traps import _wait_idle, check_seconds

__all__ = ["MockClock", "wait_all_tasks_blocked"]


def _non_negative(value: float, what: str) -> float:
    seconds = check_seconds(value, what)
    if seconds < 0:
        raise ValueError(f"{what} must be 0 or more, got {value!r}")
    return seconds


class MockClock:
    """A virtual clock for :class:`~curio_kernel.Kernel`, starting at 0.0.

    *rate* is how many virtual seconds pass per real second: 0 (the
    default) stands still until :meth:`jump`; 1 runs at real speed from
    wherever jumps left it.  *autojump_threshold* is how many real seconds
    every task must stay blocked before the kernel moves the clock to the
    next deadline (a sleep's end, a timeout): ``math.inf`` never, 0 at
    once.  Both can be changed at any time.

    What counts as blocked for an autojump: every task waits on something.
    A task waiting on a timer, another task, a queue or a lock is blocked.
    So is a task waiting on something from outside the kernel (a socket, a
    pipe, a signal, a universal queue's item from a thread): the kernel
    polls once without waiting and, if nothing has arrived, jumps, so a
    peer outside the kernel (another process, a server elsewhere, a thread
    of the test's own) may see a timeout expire at once in real time; a
    threshold above 0 gives such peers that many real seconds to answer
    first.  Work the kernel itself runs in real time is different: while a
    call of ``run_in_thread``, ``block_in_thread``, ``run_in_process`` or
    ``run_in_executor`` is outstanding, or an async thread runs its code,
    the clock does not jump and the kernel waits for the result in real
    time, so at rate 0 a timeout around such work expires only by a
    :meth:`jump` (or a rate above 0).

    Change the clock from a task of its kernel, or while the kernel is not
    running: the kernel reads the time at each pass and in no other thread.
    """

    __slots__ = ("_autojump_threshold", "_rate", "_real_base", "_virtual_base")

    def __init__(self, rate: float = 0.0, autojump_threshold: float = math.inf) -> None:
        self._virtual_base = 0.0
        self._real_base = time.monotonic()
        self._rate = _non_negative(rate, "the clock's rate")
        self._autojump_threshold = _non_negative(autojump_threshold, "autojump_threshold")

    def __repr__(self) -> str:
        return (
            f"MockClock(time={self.now():.6f}, rate={self._rate}, "
            f"autojump_threshold={self._autojump_threshold})"
        )

    @property
    def rate(self) -> float:
        """Virtual seconds per real second (0: time stands still between jumps)."""
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        rate = _non_negative(rate, "the clock's rate")
        self._virtual_base = self.now()
        self._real_base = time.monotonic()
        self._rate = rate

    @property
    def autojump_threshold(self) -> float:
        """Real seconds of every task being blocked before time jumps to the next deadline."""
        return self._autojump_threshold

    @autojump_threshold.setter
    def autojump_threshold(self, seconds: float) -> None:
        self._autojump_threshold = _non_negative(seconds, "autojump_threshold")

    def now(self) -> float:
        """The virtual time, in seconds since the clock was made (plus jumps)."""
        if self._rate == 0.0:
            return self._virtual_base
        return self._virtual_base + (time.monotonic() - self._real_base) * self._rate

    def jump(self, seconds: float) -> None:
        """Move the clock *seconds* forward (``ValueError`` if negative: time never goes back).

        The sleeps and timeouts that fall due wake at the kernel's next pass.
        """
        self._virtual_base += _non_negative(seconds, "a jump")

    def sleep_time(self, deadline: float) -> float:
        """Real seconds until *deadline* at the current rate (``math.inf`` at rate 0)."""
        remaining = deadline - self.now()
        if remaining <= 0:
            return 0.0
        if self._rate == 0.0:
            return math.inf
        return remaining / self._rate

    def jump_to(self, deadline: float) -> None:
        """The kernel's autojump: move the clock on to *deadline* if it is ahead."""
        now = self.now()
        if deadline > now:
            self._virtual_base += deadline - now


async def wait_all_tasks_blocked(cushion: float = 0.0) -> None:
    """Return once every other task of the kernel is blocked, and has been for *cushion*.

    *cushion* is in real seconds: how long nothing may happen before this
    returns, for a peer that answers from outside the kernel.  Among several
    callers the smallest cushion returns first, one caller at a time; they
    go before an autojump of a :class:`MockClock` whose threshold is the
    same or longer.  ``ValueError`` for a negative or NaN cushion.
    """
    await _wait_idle(_non_negative(cushion, "the cushion"))
