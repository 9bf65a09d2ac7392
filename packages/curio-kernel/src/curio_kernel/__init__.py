"""curio-kernel: the curio kernel, tasks, sleeping, timeouts and external work."""

from curio_traps import (
    CancelledError,
    CurioError,
    TaskCancelled,
    TaskError,
    TaskTimeout,
    TimeoutCancellationError,
    UncaughtTimeoutError,
)

from .kernel import Kernel, run
from .sleep import clock, sleep
from .task import Task, current_task, spawn
from .taskgroup import TaskGroup
from .timeouts import IgnoreAfter, TimeoutAfter, ignore_after, timeout_after
from .workers import run_in_executor, run_in_process, run_in_thread

__all__ = [
    "CancelledError",
    "CurioError",
    "IgnoreAfter",
    "Kernel",
    "Task",
    "TaskCancelled",
    "TaskError",
    "TaskGroup",
    "TaskTimeout",
    "TimeoutAfter",
    "TimeoutCancellationError",
    "UncaughtTimeoutError",
    "clock",
    "current_task",
    "ignore_after",
    "run",
    "run_in_executor",
    "run_in_process",
    "run_in_thread",
    "sleep",
    "spawn",
    "timeout_after",
]

__version__ = "0.1.0"
