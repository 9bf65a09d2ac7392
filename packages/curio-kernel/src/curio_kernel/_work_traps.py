"""Work done outside the kernel: waiting on futures, and the kernel's pools.

``future_wait`` waits for any :class:`concurrent.futures.Future`;
``run_in_thread`` runs a function in the kernel's own thread pool and waits
for its future.  The pools of threads and of worker processes
(``_process_pool.py``) are created on first use, sized by
``workers.MAX_WORKER_THREADS`` and ``workers.MAX_WORKER_PROCESSES`` as they
are then, and shut down once the kernel's tasks are done
(``_close_pools``); when ``run()`` returns with tasks left, only the idle
worker processes are ended.
A future's done callback runs in whatever thread finishes it: it only queues
the completion in ``Kernel._completions`` and wakes the selector; the
kernel's thread wakes the task when it drains the wake socket
(``_io_traps.py``).  A task cancelled meanwhile cancels its future, and its
completion, if one still arrives, is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from curio_traps import FileLike
from curio_traps.traps import IO_RELEASE

from . import workers
from ._kernel_base import KernelBase
from ._process_pool import ProcessPool
from ._thread_pool import ThreadPool
from ._work_marks import is_work
from .task import Task

__all__ = ["WorkTraps"]


class WorkTraps(KernelBase):
    """The traps that wait for futures and threads."""

    _threads: ThreadPool | None
    _processes: ProcessPool | None
    #: block_in_thread's callers, by callable (workers._call_key).
    _blocking_lines: dict[object, workers._Line]

    if TYPE_CHECKING:
        # Defined in _io_traps.py.

        def _wake_selector(self) -> None: ...

        def trap_io_release(self, trap: tuple[int, FileLike | int], /) -> object: ...

    def trap_future_wait(self, trap: tuple[int, Future[Any]], /) -> object:
        task = self.current
        assert task is not None
        self._blocking(task)
        future = trap[1]
        if future.done():
            return None
        return self._wait_future(task, future, False, is_work(future))

    def trap_run_in_thread(self, trap: tuple[int, Callable[[], Any]], /) -> object:
        task = self.current
        assert task is not None
        self._blocking(task)
        return self._wait_future(task, self._thread_pool().submit(trap[1]), True, True)

    def _wait_future(
        self, task: Task[Any], future: Future[Any], want_result: bool, work: bool
    ) -> object:
        """Suspend *task* until *future* is done; *work*: it is the kernel's own work."""
        completions = self._completions
        wake_selector = self._wake_selector

        def done(fut: Future[Any]) -> None:
            completions.append((task, fut, want_result))
            wake_selector()

        self._external += 1
        if work:
            self._work_waits.add(future)
        future.add_done_callback(done)
        return self._suspend(task, "FUTURE_WAIT", self._unwait_future, future)

    def _unwait_future(self, task: Task[Any]) -> None:
        self._external -= 1
        future = task._wait_obj
        self._work_waits.discard(future)
        if not future.cancel() and self._threads is not None:
            # Running already: if it is a call of our pool, its thread stops
            # counting against the limit (it ends once the call returns).
            self._threads.abandon(future)

    def _thread_pool(self) -> ThreadPool:
        if self._threads is None:
            limit = workers._check_limit("MAX_WORKER_THREADS", workers.MAX_WORKER_THREADS)
            self._threads = ThreadPool(limit)
        return self._threads

    def _process_pool(self) -> ProcessPool:
        if self._processes is None:
            limit = workers._check_limit("MAX_WORKER_PROCESSES", workers.MAX_WORKER_PROCESSES)
            self._processes = ProcessPool(limit, self._forget_fd)
        return self._processes

    def _forget_fd(self, fd: int) -> None:
        self.trap_io_release((IO_RELEASE, fd))

    def _close_pools(self) -> None:
        """Shut both pools down, waiting for their threads and reaping their processes."""
        if self._threads is not None:
            self._threads.shutdown()
            self._threads = None
        if self._processes is not None:
            self._processes.close()
            self._processes = None

    def _close_idle_processes(self) -> None:
        """End the idle worker processes; busy ones belong to tasks still alive."""
        if self._processes is not None:
            self._processes.close()
