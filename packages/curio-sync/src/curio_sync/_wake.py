"""Waking waiters from synchronous code (the ``*_nowait`` queue methods).

A trap can only be awaited, yet ``put_nowait`` must hand its item to a task
asleep in ``get`` without awaiting anything.  The kernel running this thread
answers traps through the :class:`curio_traps.TrapHandlers` protocol, and the
handler of ``_reschedule_tasks`` only moves tasks from a wait queue to the
ready queue, so calling it directly from the running task has exactly the
effect of awaiting the trap.
"""

from __future__ import annotations

from typing import cast

from curio_traps import KernelQueue, TrapHandlers, running_kernel
from curio_traps.traps import RESCHEDULE_TASKS

__all__ = ["_wake_now"]


def _wake_now(kqueue: KernelQueue, n: int, value: object) -> None:
    """Reschedule the *n* oldest tasks of *kqueue* with *value*, without a trap."""
    kernel = running_kernel()
    if kernel is None:
        raise RuntimeError(
            "waking a waiting task needs the curio kernel running in this thread "
            "(call the *_nowait methods from a curio task)"
        )
    cast(TrapHandlers, kernel).trap_reschedule_tasks((RESCHEDULE_TASKS, kqueue, n, value, None))
