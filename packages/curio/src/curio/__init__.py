"""curio: the whole coroutine concurrency library under one name.

Every name here is the very object its distribution defines (``curio.Lock is
curio_sync.Lock``), so code written against a distribution's own name keeps working
next to code written against ``curio``.  The modules :mod:`curio.io`,
:mod:`curio.socket`, :mod:`curio.ssl`, :mod:`curio.subprocess` and :mod:`curio.traps`
hold the names that would clash at the top level or that few programs need.
"""

from curio_kernel import (
    CancelledError,
    CurioError,
    IgnoreAfter,
    Kernel,
    Task,
    TaskCancelled,
    TaskError,
    TaskGroup,
    TaskTimeout,
    TimeoutAfter,
    TimeoutCancellationError,
    UncaughtTimeoutError,
    clock,
    current_task,
    ignore_after,
    run,
    run_in_executor,
    run_in_process,
    run_in_thread,
    sleep,
    spawn,
    timeout_after,
)
from curio_net import (
    ClientHandler,
    Server,
    create_server,
    create_unix_server,
    open_connection,
    open_unix_connection,
    run_server,
    run_unix_server,
)
from curio_signal import SignalSet
from curio_sync import (
    BoundedSemaphore,
    Condition,
    Event,
    LifoQueue,
    Lock,
    PriorityQueue,
    Queue,
    QueueEmpty,
    QueueFull,
    RLock,
    Semaphore,
    SyncUsageError,
)

from . import io as io
from . import socket as socket
from . import ssl as ssl
from . import subprocess as subprocess
from . import traps as traps

__all__ = [
    "BoundedSemaphore",
    "CancelledError",
    "ClientHandler",
    "Condition",
    "CurioError",
    "Event",
    "IgnoreAfter",
    "Kernel",
    "LifoQueue",
    "Lock",
    "PriorityQueue",
    "Queue",
    "QueueEmpty",
    "QueueFull",
    "RLock",
    "Semaphore",
    "Server",
    "SignalSet",
    "SyncUsageError",
    "Task",
    "TaskCancelled",
    "TaskError",
    "TaskGroup",
    "TaskTimeout",
    "TimeoutAfter",
    "TimeoutCancellationError",
    "UncaughtTimeoutError",
    "clock",
    "create_server",
    "create_unix_server",
    "current_task",
    "ignore_after",
    "open_connection",
    "open_unix_connection",
    "run",
    "run_in_executor",
    "run_in_process",
    "run_in_thread",
    "run_server",
    "run_unix_server",
    "sleep",
    "spawn",
    "timeout_after",
]

__version__ = "0.1.0"
