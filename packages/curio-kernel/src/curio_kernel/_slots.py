"""Slots: a fixed number of places that tasks take in turn, first come, first served.

The external-work helpers use it to bound how many calls run at once (the
worker processes of a kernel, one thread per callable for
``block_in_thread``).  A freed place goes straight to the task that has
waited longest, so a later arrival never overtakes it; once the kernel has
rescheduled that task it resumes from its wait with the place (a cancel
arriving meanwhile is delivered at its next blocking call), so no place is
ever lost.  A task cancelled while it waits has already been taken out of
the line by the kernel and leaves the count as it was.
"""

from __future__ import annotations

from curio_traps import WaitQueue, _wait_on_queue, running_kernel
from curio_traps.traps import RESCHEDULE_TASKS

__all__ = ["Slots"]


class Slots:
    """*count* places; :meth:`take` waits for one, :meth:`give_back` frees it."""

    __slots__ = ("_free", "_state", "_waiting")

    def __init__(self, count: int, state: str) -> None:
        self._free = count
        self._state = state
        self._waiting = WaitQueue()

    def __repr__(self) -> str:
        return f"<Slots free:{self._free} waiting:{len(self._waiting)}>"

    @property
    def waiting(self) -> int:
        """How many tasks wait for a place."""
        return len(self._waiting)

    async def take(self) -> None:
        """Take a place, waiting in line for one if none is free."""
        if self._free > 0:
            self._free -= 1
        else:
            # give_back() hands its place to us directly: the count stays at 0.
            await _wait_on_queue(self._waiting, self._state)

    def give_back(self) -> None:
        """Free a place, handing it to the longest waiter if any; never blocks.

        Synchronous, so that it is safe in a ``finally`` block of a task that
        is being cancelled (again).
        """
        if self._waiting:
            kernel = running_kernel()
            assert kernel is not None, "Slots.give_back() outside a running kernel"
            kernel.trap_reschedule_tasks((RESCHEDULE_TASKS, self._waiting, 1, None, None))
        else:
            self._free += 1
