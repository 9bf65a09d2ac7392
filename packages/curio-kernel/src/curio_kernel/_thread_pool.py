"""The worker threads of a kernel, for ``run_in_thread``.

At most *limit* threads run calls at once; a call beyond them waits, first
come, first served, for one to be free.  A call whose task gives up on it
while it runs cannot be stopped: its thread finishes it in the background
and then ends, and it stops counting against the limit at once, so that a
cancellation never keeps other tasks from using threads (the zombie thread
of curio 1.x).  A call given up on before it started is dropped.

A thread waits for work on a lock of its own, which the submitter releases
after handing it the call: one C-level handoff per call, no condition
variable.  The threads are daemons, so that a kernel dropped without
``close()`` cannot keep the interpreter from exiting; :meth:`shutdown` ends
the idle ones and waits for every thread, zombies included.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["ThreadPool"]

_Job = tuple[Future[Any], Callable[[], Any]]


class _Worker:
    __slots__ = ("job", "thread", "wake", "zombie")

    def __init__(self) -> None:
        self.job: _Job | None = None
        self.wake = threading.Lock()
        self.wake.acquire()  # released when a job (or the order to end) is handed over
        self.zombie = False
        self.thread: threading.Thread | None = None


class ThreadPool:
    """Runs calls in at most *limit* threads at once, started as needed and reused."""

    def __init__(self, limit: int, name: str = "curio-worker") -> None:
        self._limit = limit
        self._name = name
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._pending: deque[_Job] = deque()
        self._running: dict[Future[Any], _Worker] = {}
        self._counted = 0  # threads that count against the limit (not zombies)
        self._threads: set[threading.Thread] = set()
        self._started = 0
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"<ThreadPool limit:{self._limit} threads:{len(self._threads)} "
            f"idle:{len(self._idle)} pending:{len(self._pending)}>"
        )

    def submit(self, call: Callable[[], Any]) -> Future[Any]:
        """Schedule ``call()``; its future completes with the call's outcome."""
        future: Future[Any] = Future()
        job = (future, call)
        thread = None
        with self._lock:
            if self._closed:
                raise RuntimeError("the kernel's thread pool is shut down")
            if self._idle:
                worker = self._idle.pop()
                worker.job = job
                worker.wake.release()
            elif self._counted < self._limit:
                thread = self._new_thread(job)
            else:
                self._pending.append(job)
        if thread is not None:
            thread.start()  # outside the lock, which the new thread takes at once
        return future

    def abandon(self, future: Future[Any]) -> None:
        """The waiter of *future* gave up while its call runs: free that thread's place."""
        with self._lock:
            worker = self._running.get(future)
            if worker is None or worker.zombie:
                return
            worker.zombie = True
            self._counted -= 1
            if not self._pending or self._closed:
                return
            thread = self._new_thread(self._pending.popleft())
        thread.start()

    def _new_thread(self, job: _Job) -> threading.Thread:
        # Called with the lock held; the caller starts the thread once it is released.
        worker = _Worker()
        worker.job = job
        worker.wake.release()
        self._counted += 1
        self._started += 1
        thread = threading.Thread(
            target=self._work, args=(worker,), name=f"{self._name}_{self._started}", daemon=True
        )
        worker.thread = thread
        self._threads.add(thread)
        return thread

    def _work(self, worker: _Worker) -> None:
        lock = self._lock
        running = self._running
        while True:
            worker.wake.acquire()
            job = worker.job
            worker.job = None
            while job is not None:
                future, call = job
                with lock:  # with the lock: abandon() sees a started call as running
                    started = future.set_running_or_notify_cancel()
                    if started:
                        running[future] = worker
                if started:
                    try:
                        result = call()
                    except BaseException as exc:
                        with lock:
                            del running[future]
                        future.set_exception(exc)
                        del exc
                    else:
                        with lock:
                            del running[future]
                        future.set_result(result)
                        del result
                del future, call
                with lock:
                    if worker.zombie or self._closed:
                        self._threads.discard(threading.current_thread())
                        if not worker.zombie:
                            self._counted -= 1
                        return
                    job = self._pending.popleft() if self._pending else None
                    if job is None:
                        self._idle.append(worker)
            if self._closed_and_idle(worker):
                return

    def _closed_and_idle(self, worker: _Worker) -> bool:
        # Woken with no job: the pool is shutting down.
        with self._lock:
            if worker.job is None and self._closed:
                self._threads.discard(threading.current_thread())
                self._counted -= 1
                return True
            return False

    def shutdown(self) -> None:
        """Drop the calls not started, end the idle threads, wait for every thread."""
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, deque()
            idle, self._idle = self._idle, []
            threads = list(self._threads)
        for future, _ in pending:
            future.cancel()
        for worker in idle:
            worker.wake.release()
        for thread in threads:
            thread.join()
