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

from .activation import Activation
from .cancellation import (
    CancellationDisabled,
    check_cancellation,
    disable_cancellation,
    set_cancellation,
)
from .kernel import Kernel, run
from .sleep import clock, sleep, wake_at
from .task import ContextTask, Task, current_task, schedule, spawn
from .taskgroup import TaskGroup
from .thread import (
    AWAIT,
    AsyncThread,
    async_thread,
    is_async_thread,
    spawn_thread,
)
from .timeouts import (
    IgnoreAfter,
    TimeoutAfter,
    ignore_after,
    ignore_at,
    timeout_after,
    timeout_at,
)
from .workers import block_in_thread, run_in_executor, run_in_process, run_in_thread

__all__ = [
    "AWAIT",
    "Activation",
    "AsyncThread",
    "CancellationDisabled",
    "CancelledError",
    "ContextTask",
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
    "async_thread",
    "block_in_thread",
    "check_cancellation",
    "clock",
    "current_task",
    "disable_cancellation",
    "ignore_after",
    "ignore_at",
    "is_async_thread",
    "run",
    "run_in_executor",
    "run_in_process",
    "run_in_thread",
    "schedule",
    "set_cancellation",
    "sleep",
    "spawn",
    "spawn_thread",
    "timeout_after",
    "timeout_at",
    "wake_at",
]

__version__ = "0.1.0"
