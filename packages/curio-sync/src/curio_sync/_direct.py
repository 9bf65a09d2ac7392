"""Non-blocking kernel calls made without a trap.

Only blocking operations need a trap: the task must give control back to the
kernel.  Asking which task is running, or moving waiters from a wait queue to
the ready queue, never suspends the caller, and a synchronous method cannot
await anyway (``put_nowait`` must wake a getter).  So the primitives call the
running kernel's handlers for those two traps directly, through the typed
:class:`curio_traps.TrapHandlers` protocol: the same handler, with the same
effect as awaiting ``_current_task()`` / ``_reschedule_tasks()``, at about
half the cost (no generator, no round trip through the kernel's loop).
"""

from __future__ import annotations

from typing import Any, Final

from curio_traps import KernelQueue, TaskLike, TrapHandlers, running_kernel
from curio_traps.traps import CURRENT_TASK, RESCHEDULE_TASKS

__all__ = ["_current_task_now", "_wake_now"]

_CURRENT_TASK_TRAP: Final = (CURRENT_TASK,)


def _no_kernel() -> RuntimeError:
    return RuntimeError(
        "curio synchronization primitives work only in tasks of a running curio kernel "
        "(run the code with curio.run() or Kernel.run())"
    )


def _current_task_now() -> TaskLike[Any]:
    """Return the running task, as ``await _current_task()`` would."""
    # running_kernel() is typed ``object``: every curio kernel implements TrapHandlers.
    kernel: TrapHandlers | None = running_kernel()  # type: ignore[assignment]
    if kernel is None:
        raise _no_kernel()
    task: TaskLike[Any] | None = kernel.trap_current_task(_CURRENT_TASK_TRAP)  # type: ignore[assignment]
    if task is None:
        raise _no_kernel()
    return task


def _wake_now(kqueue: KernelQueue, n: int, value: object) -> None:
    """Reschedule the *n* oldest tasks of *kqueue* with *value*, as ``_reschedule_tasks``."""
    kernel: TrapHandlers | None = running_kernel()  # type: ignore[assignment]
    if kernel is None:
        raise _no_kernel()
    kernel.trap_reschedule_tasks((RESCHEDULE_TASKS, kqueue, n, value, None))
