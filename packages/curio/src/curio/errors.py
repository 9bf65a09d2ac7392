"""curio's exceptions, at curio 1.x's path: :mod:`curio_traps.errors` and more."""

from curio_sync.errors import (
    QueueEmpty,
    QueueFull,
    SyncUsageError,
)
from curio_traps.errors import (
    AsyncOnlyError,
    CancelledError,
    CurioError,
    ReadResourceBusy,
    ResourceBusy,
    SyncIOError,
    TaskCancelled,
    TaskError,
    TaskTimeout,
    TimeoutCancellationError,
    UncaughtTimeoutError,
    WriteResourceBusy,
)

__all__ = [
    "AsyncOnlyError",
    "CancelledError",
    "CurioError",
    "QueueEmpty",
    "QueueFull",
    "ReadResourceBusy",
    "ResourceBusy",
    "SyncIOError",
    "SyncUsageError",
    "TaskCancelled",
    "TaskError",
    "TaskTimeout",
    "TimeoutCancellationError",
    "UncaughtTimeoutError",
    "WriteResourceBusy",
]
