"""curio 1.6's blocking operations and external work, as 1.x programs use them.

From the 1.6 reference ("Blocking Operations and External Work") and 1.6's
``workers`` module: ``run_in_thread(callable, *args, call_on_cancel=None)``,
``block_in_thread``, ``run_in_process`` on the spawn method, ``run_in_executor``, and
``MAX_WORKER_THREADS`` / ``MAX_WORKER_PROCESSES`` set before any task runs.  The
differences curio-kernel documents: keyword arguments pass through to the callable too,
and a keyword named ``call_on_cancel`` is always run_in_thread's own.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from curio_kernel import (
    TaskTimeout,
    block_in_thread,
    run,
    run_in_executor,
    run_in_process,
    run_in_thread,
    spawn,
    timeout_after,
    workers,
)

Until = Callable[[Callable[[], bool]], Awaitable[None]]


@pytest.fixture(autouse=True)
def _no_leaks(no_process_leak: None, no_thread_leak: None, no_fd_leak: None) -> None:
    """No test here leaves a thread, a process or a descriptor behind."""


def test_the_limits_are_module_attributes_with_16s_defaults() -> None:
    assert workers.MAX_WORKER_THREADS == 64
    assert os.cpu_count() == workers.MAX_WORKER_PROCESSES
    assert {"run_in_thread", "block_in_thread", "run_in_process", "run_in_executor"} <= set(
        workers.__all__
    )


def test_a_limit_changed_before_the_run_is_the_one_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # The manual: change them before any task runs.  The pools read them when created.
    monkeypatch.setattr(workers, "MAX_WORKER_THREADS", 1)
    monkeypatch.setattr(workers, "MAX_WORKER_PROCESSES", 1)

    async def main() -> tuple[set[int], set[int]]:
        threads = [await spawn(run_in_thread(threading.get_ident)) for _ in range(8)]
        processes = [await spawn(run_in_process(os.getpid)) for _ in range(3)]
        return {await t.join() for t in threads}, {await t.join() for t in processes}

    threads, processes = run(main)
    assert len(threads) == 1
    assert len(processes) == 1


def test_1x_call_on_cancel_closes_what_a_cancelled_accept_returned() -> None:
    # A 1.x idiom: a blocking accept() in a thread, given up on, whose late
    # connection is closed by the call_on_cancel hook instead of leaking.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    closed: queue.Queue[bool] = queue.Queue()

    def close_accepted(future: Future[tuple[socket.socket, object]]) -> None:
        conn, _ = future.result()
        conn.close()
        closed.put(True)

    async def main() -> bytes:
        task = await spawn(run_in_thread(listener.accept, call_on_cancel=close_accepted))
        await task.cancel()
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            assert closed.get(timeout=10)
            # Real time on purpose: a safety bound on a thread's recv from a real socket.
            return await timeout_after(10, run_in_thread(client.recv, 1))
        finally:
            client.close()

    try:
        assert run(main) == b""  # the server side was closed by the hook
    finally:
        listener.close()


def test_1x_many_tasks_blocking_on_one_foreign_queue_use_one_thread(until: Until) -> None:
    # The 1.6 reference's case for block_in_thread: a hundred tasks blocked on a
    # shared thread queue, served by one thread.
    shared: queue.Queue[int] = queue.Queue()

    async def consumer() -> int:
        return await block_in_thread(shared.get)

    async def main() -> tuple[list[int], int]:
        tasks = [await spawn(consumer()) for _ in range(100)]
        await until(lambda: sum(t.state == "BLOCK_IN_THREAD" for t in tasks) == 99)
        threads = sum(t.name.startswith("curio-worker") for t in threading.enumerate())
        for item in range(100):
            shared.put(item)
        return [await t.join() for t in tasks], threads

    items, threads = run(main)
    assert sorted(items) == list(range(100))
    assert threads <= 1


def test_1x_run_in_process_positional_form_and_timeout() -> None:
    async def main() -> tuple[int, bool]:
        value = await run_in_process(pow, 3, 5)
        try:
            # Real time on purpose: the timeout stops a worker process sleeping in real time.
            await timeout_after(0.2, run_in_process(time.sleep, 30))
        except TaskTimeout:
            return value, True
        return value, False

    assert run(main) == (243, True)


def test_1x_run_in_executor_with_a_thread_pool() -> None:
    async def main() -> int:
        with ThreadPoolExecutor(2) as pool:
            return await run_in_executor(pool, sum, [1, 2, 3])

    assert run(main) == 6
