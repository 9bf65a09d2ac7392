"""Tasks, task groups and cancellation control, at curio 1.x's path."""

from curio_kernel.cancellation import (
    CancellationDisabled,
    check_cancellation,
    disable_cancellation,
    set_cancellation,
)
from curio_kernel.task import (
    ContextTask,
    Task,
    Where,
    current_task,
    schedule,
    spawn,
)
from curio_kernel.taskgroup import (
    TaskGroup,
)

__all__ = [
    "CancellationDisabled",
    "ContextTask",
    "Task",
    "TaskGroup",
    "Where",
    "check_cancellation",
    "current_task",
    "disable_cancellation",
    "schedule",
    "set_cancellation",
    "spawn",
]
