"""curio: the whole coroutine concurrency library under one name.

Every name here is the very object its distribution defines (``curio.Lock is
curio_sync.Lock``), so code written against a distribution's own name keeps working
next to code written against ``curio``.  The modules :mod:`curio.io`,
:mod:`curio.socket`, :mod:`curio.ssl`, :mod:`curio.subprocess` and :mod:`curio.traps`
hold the names that would clash at the top level or that few programs need; the
others (:mod:`curio.kernel`, :mod:`curio.task`, :mod:`curio.time`, :mod:`curio.sync`,
:mod:`curio.meta`, ...) are curio 1.x's module paths, holding the same objects.
"""

from curio_io.file import anext, aopen
from curio_kernel import (
    AWAIT,
    Activation,
    AsyncThread,
    CancellationDisabled,
    CancelledError,
    ContextTask,
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
    async_thread,
    block_in_thread,
    check_cancellation,
    clock,
    current_task,
    disable_cancellation,
    ignore_after,
    ignore_at,
    is_async_thread,
    run,
    run_in_executor,
    run_in_process,
    run_in_thread,
    schedule,
    set_cancellation,
    sleep,
    spawn,
    spawn_thread,
    timeout_after,
    timeout_at,
    wake_at,
)
from curio_net import (
    Channel,
    ClientHandler,
    Server,
    create_server,
    create_unix_server,
    open_connection,
    open_unix_connection,
    run_server,
    run_unix_server,
    tcp_server,
    tcp_server_socket,
    unix_server,
    unix_server_socket,
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
    Result,
    RLock,
    Semaphore,
    SyncUsageError,
    UniversalEvent,
    UniversalQueue,
    UniversalResult,
)
from curio_traps import (
    AsyncOnlyError,
    ReadResourceBusy,
    ResourceBusy,
    SyncIOError,
    WriteResourceBusy,
)

from . import activation as activation
from . import channel as channel
from . import debug as debug
from . import errors as errors
from . import file as file
from . import io as io
from . import kernel as kernel
from . import meta as meta
from . import network as network
from . import queue as queue
from . import sched as sched
from . import socket as socket
from . import ssl as ssl
from . import subprocess as subprocess
from . import sync as sync
from . import task as task
from . import thread as thread
from . import time as time
from . import timequeue as timequeue
from . import traps as traps
from . import workers as workers

__all__ = [
    "AWAIT",
    "Activation",
    "AsyncOnlyError",
    "AsyncThread",
    "BoundedSemaphore",
    "CancellationDisabled",
    "CancelledError",
    "Channel",
    "ClientHandler",
    "Condition",
    "ContextTask",
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
    "ReadResourceBusy",
    "ResourceBusy",
    "Result",
    "Semaphore",
    "Server",
    "SignalSet",
    "SyncIOError",
    "SyncUsageError",
    "Task",
    "TaskCancelled",
    "TaskError",
    "TaskGroup",
    "TaskTimeout",
    "TimeoutAfter",
    "TimeoutCancellationError",
    "UncaughtTimeoutError",
    "UniversalEvent",
    "UniversalQueue",
    "UniversalResult",
    "WriteResourceBusy",
    "anext",
    "aopen",
    "async_thread",
    "block_in_thread",
    "check_cancellation",
    "clock",
    "create_server",
    "create_unix_server",
    "current_task",
    "disable_cancellation",
    "ignore_after",
    "ignore_at",
    "is_async_thread",
    "open_connection",
    "open_unix_connection",
    "run",
    "run_in_executor",
    "run_in_process",
    "run_in_thread",
    "run_server",
    "run_unix_server",
    "schedule",
    "set_cancellation",
    "sleep",
    "spawn",
    "spawn_thread",
    "tcp_server",
    "tcp_server_socket",
    "timeout_after",
    "timeout_at",
    "unix_server",
    "unix_server_socket",
    "wake_at",
]

__version__ = "0.1.0"
