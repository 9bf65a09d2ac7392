"""The exceptions shared by every curio package.

They live beside the traps because the kernel raises them into tasks and
every layer above catches them; none of them depends on a kernel.
"""

from __future__ import annotations

__all__ = [
    "AsyncOnlyError",
    "CancelledError",
    "CurioError",
    "ReadResourceBusy",
    "ResourceBusy",
    "SyncIOError",
    "TaskCancelled",
    "TaskError",
    "TaskTimeout",
    "TimeoutCancellationError",
    "UncaughtTimeoutError",
    "WriteResourceBusy",
]


class CurioError(Exception):
    """Base class of curio's ordinary errors."""


class CancelledError(BaseException):
    """Raised inside a task that is being cancelled.

    A ``BaseException``, so that ``except Exception`` in user code never
    swallows a cancellation by accident.
    """


class TaskCancelled(CancelledError):
    """A cancellation requested explicitly by another task."""


class TaskTimeout(CancelledError):
    """Raised when the innermost timeout in effect for a task expires.

    ``args[0]`` is the clock value of the deadline that expired.
    """


class TimeoutCancellationError(CancelledError):
    """Raised inside a nested timeout block when an *outer* timeout expired.

    Code guarding an inner operation with ``timeout_after`` therefore never
    mistakes the outer deadline for its own.
    """


class UncaughtTimeoutError(CurioError):
    """A ``TaskTimeout`` of an inner block escaped through an outer block."""


class TaskError(CurioError):
    """Raised by ``Task.join()`` when the task failed.

    ``__cause__`` holds the task's own exception (a ``CancelledError`` when
    the task was cancelled).
    """


class ResourceBusy(CurioError, RuntimeError):
    """A task asked to wait on a descriptor another task already waits on the same way.

    Also a ``RuntimeError``: it is a misuse of the descriptor, not a failure of it.
    """


class ReadResourceBusy(ResourceBusy):
    """Another task is already waiting to read the descriptor."""


class WriteResourceBusy(ResourceBusy):
    """Another task is already waiting to write the descriptor."""


class SyncIOError(CurioError):
    """A synchronous operation was used on an object that only supports asynchronous I/O."""


class AsyncOnlyError(CurioError):
    """An operation that needs an asynchronous thread was used outside one."""
