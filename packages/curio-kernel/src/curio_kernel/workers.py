"""External work: calls run in threads, processes or a user's executor.

The kernel never blocks on them.  A task cancelled while waiting returns at
once; a thread finishes its call in the background (threads cannot be
interrupted), a worker process is terminated and replaced.

``MAX_WORKER_THREADS`` and ``MAX_WORKER_PROCESSES`` are read when a
kernel first needs its pool of threads or of processes: change them before
any task runs.
"""

from __future__ import annotations

import builtins
import functools
import logging
import os
import threading
import types
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from curio_traps import _future_wait, _run_in_thread, running_kernel

from ._slots import Slots
from ._work_marks import mark_work

if TYPE_CHECKING:
    from ._work_traps import WorkTraps

__all__ = [
    "MAX_WORKER_PROCESSES",
    "MAX_WORKER_THREADS",
    "block_in_thread",
    "run_in_executor",
    "run_in_process",
    "run_in_thread",
]

T = TypeVar("T")
P = ParamSpec("P")

_log = logging.getLogger("curio")

#: The most threads a kernel runs ``run_in_thread`` calls in at once (read when
#: the kernel first starts one); calls beyond it wait for a thread to be free.  A
#: thread whose call was given up on (cancelled) stops counting at once.
MAX_WORKER_THREADS: int = 64

#: The most worker processes a kernel keeps for ``run_in_process`` (read when the
#: kernel first starts one); calls beyond it wait for a worker to be free.
MAX_WORKER_PROCESSES: int = os.cpu_count() or 1


def _check_limit(name: str, value: object) -> int:
    """Return *value* if it is a valid worker limit, else raise naming ``workers.<name>``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"curio_kernel.workers.{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"curio_kernel.workers.{name} must be at least 1, not {value}")
    return value


def _work_kernel(caller: str) -> WorkTraps:
    kernel = running_kernel()
    if kernel is None:
        raise RuntimeError(f"{caller}() must be awaited in a task of a running curio kernel")
    if not hasattr(kernel, "_process_pool"):
        raise RuntimeError(f"{caller}() needs curio_kernel's Kernel, not {type(kernel).__name__}")
    return cast("WorkTraps", kernel)


# ---------------------------------------------------------------- threads


class _GuardedCall(Generic[T]):
    """A thread call with a ``call_on_cancel`` hook, run in the kernel's thread pool.

    Whichever of the worker thread and the cancelled task comes second
    decides: a call abandoned before it started never runs; one abandoned
    while it runs calls the hook in its thread once it returns; one whose
    outcome was dropped after it finished has the hook called in a thread of
    its own (never in the kernel's).
    """

    __slots__ = ("_abandoned", "_call", "_finished", "_hook", "_lock", "_outcome")

    def __init__(self, call: Callable[[], T], hook: Callable[[Future[T]], object]) -> None:
        self._call = call
        self._hook = hook
        self._lock = threading.Lock()
        self._abandoned = False
        self._finished = False
        self._outcome: Future[T] = Future()

    def __call__(self) -> T | None:
        with self._lock:
            if self._abandoned:
                return None  # its waiter is gone: the result would be dropped
        outcome = self._outcome
        outcome.set_running_or_notify_cancel()
        try:
            outcome.set_result(self._call())
        except BaseException as exc:
            outcome.set_exception(exc)
        if self._finish():
            self._run_hook()
        return outcome.result()

    def _finish(self) -> bool:
        """Mark the call finished; True if its waiter has given up meanwhile."""
        with self._lock:
            self._finished = True
            return self._abandoned

    def abandon(self, raised: BaseException) -> None:
        """The waiting task got *raised* instead of the call's outcome (or with it)."""
        with self._lock:
            if not self._finished:
                self._abandoned = True
                return
        if self._outcome.exception() is raised:
            return  # the call's own exception: its outcome reached the task
        threading.Thread(target=self._run_hook, name="curio-call-on-cancel").start()

    def _run_hook(self) -> None:
        try:
            self._hook(self._outcome)
        except Exception:
            _log.exception("call_on_cancel %r raised", self._hook)


async def run_in_thread(
    callable: Callable[..., T],
    *args: Any,
    call_on_cancel: Callable[[Future[T]], object] | None = None,
    **kwargs: Any,
) -> T:
    """Run ``callable(*args, **kwargs)`` in a worker thread and return its result.

    A cancelled (or timed-out) caller returns at once; a call not yet
    started is dropped, and one already running finishes in the background,
    its outcome dropped and its thread no longer counted against
    :data:`~curio_kernel.workers.MAX_WORKER_THREADS`.  If the
    call did run, *call_on_cancel* is then called, in the worker thread,
    with a done :class:`concurrent.futures.Future` holding that outcome, so
    that the caller can undo it (close a connection the call opened, say).
    *call_on_cancel* is never passed on to *callable*: bind an argument of
    that name with ``functools.partial``.
    """
    call = functools.partial(callable, *args, **kwargs)
    if call_on_cancel is None:
        return await _run_in_thread(call)
    if not builtins.callable(call_on_cancel):
        raise TypeError(f"call_on_cancel must be callable or None, not {call_on_cancel!r}")
    guarded = _GuardedCall(call, call_on_cancel)
    try:
        return cast(T, await _run_in_thread(guarded))
    except BaseException as exc:
        guarded.abandon(exc)
        raise


class _Line:
    """The callers of one callable in ``block_in_thread``: one place, and how many want it."""

    __slots__ = ("callers", "slots")

    def __init__(self) -> None:
        self.slots = Slots(1, "BLOCK_IN_THREAD")
        self.callers = 0


_METHODS = (types.MethodType, types.BuiltinMethodType, types.MethodWrapperType)


def _call_key(func: object) -> object:
    """What identifies *func* among live objects: a bound method is made anew at each access."""
    owner = getattr(func, "__self__", None)
    if isinstance(func, _METHODS) and owner is not None:
        return (id(owner), getattr(func, "__name__", None))
    return id(func)


async def block_in_thread(
    callable: Callable[..., T],
    *args: Any,
    call_on_cancel: Callable[[Future[T]], object] | None = None,
    **kwargs: Any,
) -> T:
    """Run ``callable(*args, **kwargs)`` in a thread, one caller of the same callable at a time.

    However many tasks call it at once (waiting on one foreign lock, event
    or queue, say), only one thread blocks in *callable*; the other tasks
    wait their turn in the kernel, first come, first served, without taking
    a thread each.  The same callable is the same function object, or a
    method bound to the same object (``queue.get`` of one queue).
    Otherwise as :func:`run_in_thread`: a cancelled caller waiting its turn
    just leaves the line; one whose call runs leaves it to finish in the
    background, and the next caller starts.
    """
    lines = _work_kernel("block_in_thread")._blocking_lines
    key = _call_key(callable)
    line = lines.get(key)
    if line is None:
        line = lines[key] = _Line()
    line.callers += 1
    try:
        await line.slots.take()
        try:
            return await run_in_thread(callable, *args, call_on_cancel=call_on_cancel, **kwargs)
        finally:
            line.slots.give_back()
    finally:
        line.callers -= 1
        if line.callers == 0:
            del lines[key]


# ---------------------------------------------------------------- executors and processes


async def run_in_executor(
    exc: Executor, callable: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``callable(*args, **kwargs)`` in the ``concurrent.futures`` executor *exc*."""
    if not isinstance(exc, Executor):
        raise TypeError(f"run_in_executor() needs a concurrent.futures.Executor, got {exc!r}")
    return await _future_wait(mark_work(exc.submit(callable, *args, **kwargs)))


async def run_in_process(callable: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``callable(*args, **kwargs)`` in a worker process and return its result.

    The workers are started with the ``spawn`` method of
    ``multiprocessing`` (fresh interpreters that share no state and no
    descriptor with this one) and reused; a kernel keeps at most
    :data:`~curio_kernel.workers.MAX_WORKER_PROCESSES`, and calls beyond them wait their turn.
    The callable, its arguments and its outcome must be picklable: if they
    are not, the call fails with a clear error and the worker stays in
    service.  A cancelled (or timed-out) caller terminates its worker at
    once (SIGTERM, then SIGKILL if it lingers); a worker that dies mid-call
    raises a ``RuntimeError`` naming the callable.  Every worker has ended
    when the kernel's ``run()`` returns.
    """
    pool = _work_kernel("run_in_process")._process_pool()
    result: T = await pool.apply(callable, args, kwargs)
    return result
