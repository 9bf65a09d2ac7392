"""Kernel.stop(): from a task and from another thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from curio_kernel import Kernel, sleep, spawn


def test_stop_from_a_task_returns_from_run(flag: Callable[[], Any]) -> None:
    never = flag()
    reached: list[str] = []

    async def main(kernel: Kernel) -> None:
        kernel.stop()
        await sleep(0)
        reached.append("after stop")  # the kernel stopped at the yield: never here
        await never.wait()

    with Kernel() as kernel:
        assert kernel.run(main(kernel)) is None
        # The main task is still there, suspended; shutdown (on exit) ends it.
        assert len(kernel.tasks) == 1
        assert reached == []


def test_stop_from_a_task_leaves_other_tasks_to_resume(flag: Callable[[], Any]) -> None:
    gate = flag()
    log: list[str] = []

    async def waiter() -> None:
        await gate.wait()
        log.append("waiter resumed")

    async def main(kernel: Kernel) -> str:
        await spawn(waiter())
        kernel.stop()
        await gate.set()
        await sleep(0)
        log.append("main resumed")
        return "done"

    with Kernel() as kernel:
        coro = main(kernel)
        assert kernel.run(coro) is None
        assert log == []
        # A second run() continues where the first stopped.
        kernel.run()
        assert sorted(log) == ["main resumed", "waiter resumed"]


def test_stop_from_another_thread_wakes_a_sleeping_kernel() -> None:
    entered = threading.Event()
    stopped = threading.Event()

    def stopper(kernel: Kernel) -> None:
        entered.wait(5)
        kernel.stop()
        stopped.set()

    async def main(kernel: Kernel) -> str:
        entered.set()
        # Real time on purpose: another thread's stop() must wake the real selector wait.
        await sleep(30)  # the selector sleeps ~30 s unless stop() wakes it
        return "slept"

    with Kernel() as kernel:
        thread = threading.Thread(target=stopper, args=(kernel,))
        thread.start()
        start = time.monotonic()
        assert kernel.run(main(kernel)) is None
        assert time.monotonic() - start < 5
        thread.join()
        assert stopped.is_set()
        assert [task.state for task in kernel.tasks] == ["TIME_SLEEP"]
