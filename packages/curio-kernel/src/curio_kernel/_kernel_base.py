"""What the trap handlers may use of the kernel, declared once for the type checker.

:class:`~curio_kernel.kernel.Kernel` is assembled from mixins, one module per
concept (``_task_traps``, ``_queue_traps``, ``_time_traps``, ``_io_traps``,
``_work_traps``, ``_signal_traps``); each holds the handlers of its traps and
the kernel's code for that concept.  A mixin is written against
:class:`KernelBase`: the state that several of them share, and the core
methods that ``kernel.py`` defines (how a task waits, wakes, is cancelled).
Each mixin declares in its own class body the state only it uses, and, for
the type checker alone, the few methods it calls in another mixin.

Nothing here runs: the annotations make no attributes (``Kernel.__init__``
sets them all) and the methods are declared under ``TYPE_CHECKING`` only, so
a call always reaches the one real definition.  This module, like the
mixins, never imports ``kernel.py``: the kernel sits on top of its parts.
"""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from curio_traps import TaskError

from .task import Task

__all__ = ["KernelBase"]


class KernelBase:
    """The kernel's state and core methods that more than one trap mixin uses."""

    #: The task running right now, if any.
    current: Task[Any] | None
    _ready: deque[Task[Any]]
    #: The clock of the current pass while a monitor runs, else None.
    _now: float | None
    #: The kernel clock's ``now()``.
    _time: Callable[[], float]
    #: Waits that only something outside the kernel ends (threads, signals).
    _external: int
    #: The futures of those waits that are the kernel's own work in threads (``_work_marks``).
    _work_waits: set[Future[Any]]
    _max_poll: float
    _wake_send: socket.socket
    _completions: deque[tuple[Task[Any], Future[Any], bool]]

    if TYPE_CHECKING:
        # Defined in kernel.py.

        def _step(self, task: Task[Any]) -> None: ...
        def _first_step_observed(
            self, parent: Task[Any], child: Task[Any], trap: object
        ) -> None: ...
        def _wake(
            self, task: Task[Any], value: object = None, exc: BaseException | None = None
        ) -> None: ...
        def _suspend(
            self,
            task: Task[Any],
            state: str,
            unwait: Callable[[Task[Any]], None],
            obj: object = None,
        ) -> object: ...
        def _cancel(self, task: Task[Any], exc: BaseException) -> None: ...
        def _blocking(self, task: Task[Any]) -> None: ...
        def _answered_for(self, task: Task[Any]) -> None: ...
        @staticmethod
        def _task_error(task: Task[Any]) -> TaskError: ...
