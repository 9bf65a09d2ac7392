"""External work: calls run in threads, processes or a user's executor.

The kernel never blocks on them.  A task cancelled while waiting returns at
once; a thread finishes its call in the background (threads cannot be
interrupted), a process is terminated and reaped.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.connection
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, ParamSpec, TypeVar

from curio_traps import _future_wait, _read_wait, _run_in_thread

__all__ = ["run_in_executor", "run_in_process", "run_in_thread"]

T = TypeVar("T")
P = ParamSpec("P")


async def run_in_thread(callable: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``callable(*args, **kwargs)`` in a worker thread and return its result."""
    return await _run_in_thread(functools.partial(callable, *args, **kwargs))


async def run_in_executor(
    exc: Executor, callable: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``callable(*args, **kwargs)`` in the ``concurrent.futures`` executor *exc*."""
    if not isinstance(exc, Executor):
        raise TypeError(f"run_in_executor() needs a concurrent.futures.Executor, got {exc!r}")
    return await _future_wait(exc.submit(callable, *args, **kwargs))


def _child_main(
    conn: multiprocessing.connection.Connection,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Body of the worker process: run the call, send back ``(ok, value)``."""
    try:
        outcome: tuple[bool, Any] = (True, func(*args, **kwargs))
    except BaseException as exc:
        outcome = (False, exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # the result or exception could not be pickled
        conn.send((False, RuntimeError(f"run_in_process could not send back its outcome: {exc!r}")))
    finally:
        conn.close()


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class _ProcessStart:
    """Starts a process in a worker thread; if its waiter gives up, the thread cleans up.

    A cancelled waiter returns while ``Process.start`` may still be running;
    the start then finishes in the thread, which terminates and reaps the
    process itself instead of leaving it to run unsupervised.
    """

    def __init__(self, process: Any) -> None:
        self._process = process
        self._lock = threading.Lock()
        self._started = False
        self._abandoned = False

    def __call__(self) -> None:
        self._process.start()
        with self._lock:
            self._started = True
            abandoned = self._abandoned
        if abandoned:
            _reap(self._process)

    def abandon(self) -> bool:
        """Give the process up if it is still starting; True if the thread will reap it."""
        with self._lock:
            self._abandoned = not self._started
            return self._abandoned


def _reap(process: Any) -> None:
    """Terminate *process* if it still runs, wait for it and free its resources (blocking)."""
    if process.is_alive():
        process.terminate()
    process.join()
    process.close()


async def run_in_process(callable: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``callable(*args, **kwargs)`` in a new process and return its result.

    The callable, its arguments and its result must be picklable.  If the
    waiting task is cancelled, the process is terminated and reaped.
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child_main, args=(sender, callable, args, kwargs), daemon=True)
    start = _ProcessStart(process)
    try:
        await _run_in_thread(start)
        sender.close()
        # The pipe becomes readable when the outcome arrives or the child dies.
        await _read_wait(receiver)
        try:
            ok, value = await _run_in_thread(receiver.recv)
        except EOFError:
            await _run_in_thread(process.join)
            raise RuntimeError(
                f"the process running {callable!r} died (exit code {process.exitcode})"
            ) from None
    finally:
        sender.close()
        if not start.abandon():
            await _run_in_thread(functools.partial(_reap, process))
        receiver.close()
    if ok:
        result: T = value
        return result
    raise value
