"""External work: calls run in threads, processes or a user's executor.

The kernel never blocks on them.  A task cancelled while waiting returns at
once; a thread finishes its call in the background (threads cannot be
interrupted), a process is terminated and reaped.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.connection
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


async def run_in_process(callable: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``callable(*args, **kwargs)`` in a new process and return its result.

    The callable, its arguments and its result must be picklable.  If the
    waiting task is cancelled, the process is terminated and reaped.
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child_main, args=(sender, callable, args, kwargs), daemon=True)
    try:
        await _run_in_thread(process.start)
        sender.close()
        # The pipe becomes readable when the outcome arrives or the child dies.
        await _read_wait(receiver)
        try:
            ok, value = await _run_in_thread(receiver.recv)
        except EOFError:
            raise RuntimeError(
                f"the process running {callable!r} died (exit code {process.exitcode})"
            ) from None
    finally:
        sender.close()
        if process.is_alive():
            process.terminate()
        if process.pid is not None:
            await _run_in_thread(process.join)
            process.close()
        receiver.close()
    if ok:
        result: T = value
        return result
    raise value
