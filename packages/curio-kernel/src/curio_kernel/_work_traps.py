"""Work done outside the kernel: waiting on futures, and the kernel's thread pool.

``future_wait`` waits for any :class:`concurrent.futures.Future`;
``run_in_thread`` runs a function in the kernel's own pool (created on first
use, shut down once the kernel's tasks are done) and waits for its future.
A future's done callback runs in whatever thread finishes it: it only queues
the completion in ``Kernel._completions`` and wakes the selector; the
kernel's thread wakes the task when it drains the wake socket
(``_io_traps.py``).  A task cancelled meanwhile cancels its future, and its
completion, if one still arrives, is ignored.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ._kernel_base import KernelBase
from .task import Task

__all__ = ["WorkTraps"]


class WorkTraps(KernelBase):
    """The traps that wait for futures and threads."""

    _threads: ThreadPoolExecutor | None

    if TYPE_CHECKING:
        # Defined in _io_traps.py.

        def _wake_selector(self) -> None: ...

    def trap_future_wait(self, trap: tuple[int, Future[Any]], /) -> object:
        task = self.current
        assert task is not None
        self._blocking(task)
        future = trap[1]
        if future.done():
            return None
        return self._wait_future(task, future, False)

    def trap_run_in_thread(self, trap: tuple[int, Callable[[], Any]], /) -> object:
        task = self.current
        assert task is not None
        self._blocking(task)
        return self._wait_future(task, self._thread_pool().submit(trap[1]), True)

    def _wait_future(self, task: Task[Any], future: Future[Any], want_result: bool) -> object:
        completions = self._completions
        wake_selector = self._wake_selector

        def done(fut: Future[Any]) -> None:
            completions.append((task, fut, want_result))
            wake_selector()

        self._external += 1
        future.add_done_callback(done)
        return self._suspend(task, "FUTURE_WAIT", self._unwait_future, future)

    def _unwait_future(self, task: Task[Any]) -> None:
        self._external -= 1
        task._wait_obj.cancel()

    def _thread_pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(
                max_workers=min(64, (os.cpu_count() or 1) * 8), thread_name_prefix="curio-worker"
            )
        return self._threads

    def _close_threads(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True, cancel_futures=True)
            self._threads = None
