"""curio 1.x's module paths: each import a 1.x program makes works and gives the same object."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(60)

#: (1.x import statement, the distribution object it must give).
IMPORTS = [
    ("from curio.kernel import Kernel, run", "curio_kernel.run"),
    ("from curio.kernel import Activation", "curio_kernel.Activation"),
    ("from curio.activation import Activation", "curio_kernel.Activation"),
    ("from curio.task import TaskGroup, spawn, current_task", "curio_kernel.TaskGroup"),
    ("from curio.task import ContextTask", "curio_kernel.ContextTask"),
    ("from curio.task import disable_cancellation", "curio_kernel.disable_cancellation"),
    ("from curio.task import check_cancellation", "curio_kernel.check_cancellation"),
    ("from curio.task import set_cancellation", "curio_kernel.set_cancellation"),
    ("from curio.task import schedule", "curio_kernel.schedule"),
    ("from curio.time import sleep, clock, wake_at", "curio_kernel.wake_at"),
    ("from curio.time import timeout_after, ignore_after", "curio_kernel.timeout_after"),
    ("from curio.time import timeout_at, ignore_at", "curio_kernel.ignore_at"),
    ("from curio.sync import Event, Lock, RLock, Semaphore, Condition", "curio_sync.Lock"),
    ("from curio.sync import Result", "curio_sync.Result"),
    ("from curio.queue import Queue, PriorityQueue, LifoQueue", "curio_sync.Queue"),
    ("from curio.sched import SchedFIFO, SchedBarrier", "curio_traps.SchedBarrier"),
    ("from curio.errors import TaskCancelled, TaskTimeout", "curio_traps.TaskCancelled"),
    ("from curio.errors import ReadResourceBusy", "curio_traps.ReadResourceBusy"),
    ("from curio.traps import _scheduler_wait, _scheduler_wake", "curio_traps._scheduler_wake"),
    ("from curio.traps import _get_kernel, _get_current", "curio_traps._get_kernel"),
    ("from curio.traps import _io_waiting, _io_release", "curio_traps._io_waiting"),
    ("from curio.meta import curio_running, awaitable", "curio_traps.curio_running"),
    ("from curio.debug import schedtrace, traptrace, logcrash", "curio_kernel.debug.logcrash"),
    ("from curio.debug import longblock", "curio_kernel.debug.longblock"),
    ("from curio.monitor import Monitor", "curio_kernel.monitor.Monitor"),
    ("from curio.timequeue import TimeQueue", "curio_kernel.timequeue.TimeQueue"),
    ("from curio.workers import run_in_thread, run_in_process", "curio_kernel.run_in_process"),
    ("from curio.network import open_connection, run_server", "curio_net.run_server"),
    ("from curio.network import tcp_server, unix_server", "curio_net.network.tcp_server"),
    ("from curio.network import tcp_server_socket", "curio_net.network.tcp_server_socket"),
    ("from curio.network import unix_server_socket", "curio_net.network.unix_server_socket"),
    ("from curio.workers import block_in_thread", "curio_kernel.block_in_thread"),
    ("from curio.thread import AWAIT, spawn_thread", "curio_kernel.spawn_thread"),
    ("from curio.thread import is_async_thread", "curio_kernel.is_async_thread"),
    ("from curio.thread import AsyncThread", "curio_kernel.AsyncThread"),
    ("from curio.queue import UniversalQueue", "curio_sync.UniversalQueue"),
    ("from curio.sync import UniversalEvent, UniversalResult", "curio_sync.UniversalResult"),
    ("from curio.file import aopen, anext", "curio_io.file.aopen"),
    ("from curio.file import AsyncFile", "curio_io.file.AsyncFile"),
    ("from curio.io import Socket, SocketStream, FileStream", "curio_io.FileStream"),
    ("from curio.channel import Channel", "curio_net.channel.Channel"),
    ("from curio.channel import Connection", "curio_net.channel.Connection"),
    ("from curio.channel import AuthenticationError", "curio_net.channel.AuthenticationError"),
    ("from curio.meta import asyncioable", "curio_traps.asyncioable"),
    ("from curio.debug import DebugBase", "curio_kernel.debug.DebugBase"),
]

#: curio 1.6's top-level names (the union of its modules' ``__all__``).
NAMES_16 = [
    "AWAIT", "AsyncOnlyError", "CancelledError", "Channel", "Condition", "CurioError",
    "Event", "Kernel", "LifoQueue", "Lock", "PriorityQueue", "Queue", "RLock",
    "ReadResourceBusy", "ResourceBusy", "Result", "Semaphore", "SyncIOError", "Task",
    "TaskCancelled", "TaskError", "TaskGroup", "TaskTimeout", "TimeoutCancellationError",
    "UncaughtTimeoutError", "UniversalEvent", "UniversalQueue", "UniversalResult",
    "WriteResourceBusy", "anext", "aopen", "block_in_thread", "check_cancellation",
    "clock", "current_task", "disable_cancellation", "ignore_after", "open_connection",
    "open_unix_connection", "run", "run_in_executor", "run_in_process", "run_in_thread",
    "set_cancellation", "sleep", "spawn", "spawn_thread", "tcp_server", "tcp_server_socket",
    "timeout_after", "unix_server", "unix_server_socket",
]  # fmt: skip


@pytest.mark.parametrize(("statement", "original"), IMPORTS, ids=[i[0] for i in IMPORTS])
def test_a_1x_import_gives_the_distributions_object(statement: str, original: str) -> None:
    module, _, attribute = original.rpartition(".")
    assert attribute in statement
    code = (
        f"{statement}\n"
        f"import importlib\n"
        f"assert {attribute} is getattr(importlib.import_module({module!r}), {attribute!r})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_star_import_gives_the_1x_names() -> None:
    code = "\n".join(
        [
            "from curio import *",
            "names = [run, Kernel, spawn, current_task, sleep, clock, schedule, wake_at,",
            "    timeout_after, timeout_at, ignore_after, ignore_at, TaskGroup, Task,",
            "    disable_cancellation, check_cancellation, set_cancellation,",
            "    Event, Lock, RLock, Semaphore, BoundedSemaphore, Condition, Result,",
            "    Queue, PriorityQueue, LifoQueue, run_in_thread, run_in_process,",
            "    run_in_executor, open_connection, open_unix_connection, run_server,",
            "    CurioError, CancelledError, TaskCancelled, TaskTimeout, TaskError,",
            "    TimeoutCancellationError, UncaughtTimeoutError, SyncIOError,",
            "    AsyncOnlyError, ResourceBusy, ReadResourceBusy, WriteResourceBusy]",
            "assert all(n is not None for n in names)",
        ]
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_star_import_gives_every_top_level_name_of_curio_1_6() -> None:
    code = (
        f"from curio import *\nnames = {NAMES_16!r}\n"
        "missing = [n for n in names if n not in globals()]\nassert not missing, missing\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_a_worker_limit_set_on_curio_workers_reaches_the_kernel() -> None:
    # curio.workers is curio_kernel.workers itself, so the setting is the one the kernel
    # reads when it makes its pools (tests/kernel checks that it obeys it).
    code = "\n".join(
        [
            "import curio.workers, curio_kernel.workers",
            "assert curio.workers is curio_kernel.workers",
            "curio.workers.MAX_WORKER_THREADS = 3",
            "curio.workers.MAX_WORKER_PROCESSES = 2",
            "assert curio_kernel.workers.MAX_WORKER_THREADS == 3",
            "assert curio_kernel.workers.MAX_WORKER_PROCESSES == 2",
        ]
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_a_1x_program_runs_from_its_own_imports() -> None:
    code = "\n".join(
        [
            "from curio import run, spawn, TaskGroup, timeout_after, TaskTimeout",
            "from curio.sync import Event",
            "async def child(n, ev):",
            "    await ev.wait()",
            "    return n * 2",
            "async def main():",
            "    ev = Event()",
            "    async with TaskGroup(wait=all) as g:",
            "        for n in range(3):",
            "            await g.spawn(child, n, ev)",
            "        await ev.set()",
            "    try:",
            "        await timeout_after(0.01, Event().wait())",
            "    except TaskTimeout:",
            "        pass",
            "    return g.results",
            "assert run(main) == [0, 2, 4]",
        ]
    )
    # Real time on purpose: the 1.x program runs in an interpreter of its own.
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
