"""Non-blocking kernel calls made without a trap.

Only blocking operations need a trap: the task must give control back to the
kernel.  Asking which task is running, or moving waiters from a wait queue to
the ready queue, never suspends the caller, and a synchronous method cannot
await anyway (``put_nowait`` must wake a getter).  So the primitives call the
running kernel's handlers for those two traps directly, through the typed
:class:`curio_traps.TrapHandlers` protocol: the same handler, with the same
effect as awaiting ``_reschedule_tasks()``, at about half the cost (no
generator, no round trip through the kernel's loop); the running task is the
kernel's ``current`` attribute.
"""

from __future__ import annotations

from typing import Any

from curio_traps import KernelQueue, TaskLike, running_kernel
from curio_traps.traps import RESCHEDULE_TASKS

__all__ = ["_current_task_now", "_wake_now"]


def _no_kernel() -> RuntimeError:
    return RuntimeError(
        "curio synchronization primitives work only in tasks of a running curio kernel "
        "(run the code with curio.run() or Kernel.run())"
    )


def _current_task_now() -> TaskLike[Any]:
    """Return the running task, as ``await _current_task()`` would."""
    kernel = running_kernel()
    task = kernel.current if kernel is not None else None
    if task is None:
        raise _no_kernel()
    return task


def _wake_now(kqueue: KernelQueue, n: int, value: object) -> None:
    """Reschedule the *n* oldest tasks of *kqueue* with *value*, as ``_reschedule_tasks``."""
    kernel = running_kernel()
    if kernel is None:
        raise _no_kernel()
    kernel.trap_reschedule_tasks((RESCHEDULE_TASKS, kqueue, n, value, None))
