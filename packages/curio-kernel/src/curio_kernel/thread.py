"""Asynchronous threads: plain threads that ask the kernel to run coroutines for them.

An asynchronous thread runs a synchronous function in a thread of its own and
reaches the kernel with :func:`AWAIT`: ``AWAIT(queue.get())`` blocks the thread
while the kernel runs the coroutine, then returns its result or raises its
exception, traceback included.  The kernel never waits for the thread's plain code.

How it works: each thread has a *backing task*, a task of the kernel that waits
(through :func:`~curio_traps._future_wait`) for the thread's next request, runs
the coroutine as its own code and hands back the outcome.  The backing task is
the thread's face towards the kernel: its id is the thread's id, cancelling the
thread cancels it, joining the thread joins it, and it ends with the thread's
outcome once the thread has returned and been joined.

Cancellation: the backing task waits for requests with cancellation disabled, so a
cancellation or a timeout that arrives while the thread runs plain code stays
pending and is raised inside the next coroutine the thread awaits, at its first
blocking call, exactly as in a task; from there it reaches the thread as the
exception of ``AWAIT``, which the thread may catch.  A thread that never calls
``AWAIT`` again finishes its function; ``cancel()`` waits for that.

Shutdown: a non-daemonic thread keeps :meth:`~curio_kernel.Kernel.run` going
until it ends, as a non-daemonic task does.  A daemonic one does not; when the
kernel shuts down it is cancelled at its next ``AWAIT``, and the shutdown waits
for its function to return.  Either way no thread of this module outlives its kernel.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, Generic, ParamSpec, TypeVar, TypeVarTuple, cast, overload

from curio_traps import (
    AWAIT,
    CancelledError,
    TaskCancelled,
    TaskError,
    _check_cancellation,
    _future_wait,
    _set_allow_cancel,
    from_coroutine,
    is_async_thread,
    iscoroutinefunction,
    set_async_thread,
)

from ._work_marks import mark_work
from .task import Task, spawn

__all__ = [
    "AWAIT",
    "AsyncThread",
    "AsyncThreadFunction",
    "async_thread",
    "is_async_thread",
    "spawn_thread",
]

T = TypeVar("T")
P = ParamSpec("P")
Ts = TypeVarTuple("Ts")

#: What an asynchronous thread asks of its backing task: a coroutine to run, and
#: the future that carries the outcome back.  ``None`` says the thread has ended.
_Request = tuple[Any, Future[Any]] | None


class AsyncThread(Generic[T]):
    """A thread running ``target(*args, **kwargs)`` that may ``AWAIT`` coroutines.

    Made and started by :func:`spawn_thread` (or ``AsyncThread(...)`` then
    ``await thread.start()``).  It looks like a :class:`~curio_kernel.Task`
    from the kernel's side: ``join``, ``wait``, ``cancel``, ``result``,
    ``exception``, ``id``, ``terminated``, ``cancelled``, and membership in a
    :class:`~curio_kernel.TaskGroup`.  ``AsyncThread[T]`` when *target* returns ``T``.
    """

    def __init__(
        self,
        target: Callable[..., T],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        daemon: bool = False,
    ) -> None:
        if not callable(target):
            raise TypeError(f"an async thread runs a function, got {target!r}")
        given: object = target
        if inspect.iscoroutine(given) or iscoroutinefunction(given):
            raise TypeError(
                f"an async thread runs a synchronous function, got {target!r}: "
                "run a coroutine with spawn() instead"
            )
        #: The function the thread runs, with its arguments.
        self.target: Callable[..., T] = target
        self.args: tuple[Any, ...] = tuple(args)
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        #: True if the thread does not keep :meth:`Kernel.run` alive (and is disregarded by
        #: its task group).
        self.daemon: bool = bool(daemon)
        #: The name of the thread (and of its backing task): ``thread`` and the function's name.
        self.name: str = f"thread {getattr(target, '__qualname__', None) or type(target).__name__}"
        self._task: Task[T] | None = None
        self._thread: threading.Thread | None = None
        # The mailbox: the backing task waits on _inbox; the thread fills it.
        # _lock orders a request against the backing task going away (_closed).
        self._lock = threading.Lock()
        self._inbox: Future[_Request] = Future()
        self._closed = False
        self._outcome: tuple[bool, Any] = (False, RuntimeError("the thread did not run"))

    # ------------------------------------------------------------------ starting

    async def start(self) -> None:
        """Start the backing task and the thread."""
        if self._task is not None:
            raise RuntimeError(f"{self!r} was already started")
        coro: Any = self._serve()
        coro.__qualname__ = self.name  # the backing task's name
        self._task = await spawn(coro, daemon=self.daemon)
        self._thread = threading.Thread(
            target=self._main, name=f"curio-async-thread-{self._task.id}", daemon=self.daemon
        )
        try:
            self._thread.start()
        except BaseException:
            self._thread = None
            self._inbox.set_result(None)  # the backing task ends without a thread
            raise

    def _main(self) -> None:
        """The body of the thread: run the target, then tell the backing task."""
        set_async_thread(self)
        try:
            self._outcome = (True, self.target(*self.args, **self.kwargs))
        except BaseException as exc:
            self._outcome = (False, exc)
        finally:
            set_async_thread(None)
            with self._lock:
                if not self._closed:
                    self._inbox.set_result(None)

    async def _serve(self) -> T:
        """The backing task: run the thread's requests until it ends, then end as it did."""
        try:
            while True:
                inbox = self._inbox
                # Cancellation held back: it stays pending for the next request's coroutine.
                # (Only the kernel closing the task ends this wait early, and then
                # the task is gone: no need to restore anything.)
                allowed = await _set_allow_cancel(False)
                request = await _future_wait(mark_work(inbox))  # the thread runs meanwhile
                await _set_allow_cancel(allowed)
                if request is None:
                    break
                self._inbox = Future()
                coro, reply = request
                del request
                try:
                    value = await coro
                except GeneratorExit:
                    # The backing task itself is being closed (its kernel went away).
                    reply.set_exception(RuntimeError("the kernel ended during this AWAIT()"))
                    raise
                except BaseException as exc:
                    reply.set_exception(exc)
                else:
                    reply.set_result(value)
                del coro, reply
        finally:
            # Normally the thread has ended; if the backing task is torn down
            # early (its coroutine closed), a request still arriving is refused.
            with self._lock:
                self._closed = True
                inbox = self._inbox
                pending = inbox.result() if inbox.done() and not inbox.cancelled() else None
                if pending is not None:
                    _close(pending[0])
                    pending[1].set_exception(
                        RuntimeError("the kernel ended before it could run this AWAIT()")
                    )
        if self._thread is None:
            return cast(T, None)  # the thread could not be started: start() raised
        self._thread.join()  # it has returned from its function: this takes no time
        ok, value = self._outcome
        self._outcome = (ok, None)
        if ok:
            return cast(T, value)
        raise value

    def await_in_kernel(self, coro: Any, /) -> Any:
        """Called in the thread (by ``AWAIT``): have the backing task await *coro*; its outcome."""
        reply: Future[Any] = Future()
        with self._lock:
            if self._closed:
                _close(coro)
                raise RuntimeError(f"{self!r}: its kernel has ended; AWAIT() cannot run anything")
            self._inbox.set_result((coro, reply))
        return reply.result()

    # ------------------------------------------------------------------ the task's side

    def _backing(self) -> Task[T]:
        if self._task is None:
            raise RuntimeError(f"{self!r} has not been started (await its start())")
        return self._task

    @property
    def id(self) -> int:
        """The thread's id: the id of its backing task, unique among the kernel's tasks."""
        return self._backing().id

    @property
    def state(self) -> str:
        """The backing task's state: ``FUTURE_WAIT`` while the thread runs plain code."""
        return "INITIAL" if self._task is None else self._task.state

    @property
    def terminated(self) -> bool:
        """True once the thread has ended (and its backing task with it)."""
        return self._task is not None and self._task.terminated

    @property
    def cancelled(self) -> bool:
        """True once the thread has been cancelled (by ``cancel()``, a task group, the shutdown)."""
        return self._task is not None and self._task.cancelled

    @property
    def taskgroup(self) -> Any:
        """The task group the thread belongs to, if any."""
        return None if self._task is None else self._task.taskgroup

    @property
    def result(self) -> T:
        """The function's return value; its exception raised again if it failed.

        ``RuntimeError`` if the thread has not ended.
        """
        if not self.terminated:
            raise RuntimeError(f"{self!r} has not ended yet")
        return self._backing().result

    @property
    def exception(self) -> BaseException | None:
        """The exception the function ended with, or ``None`` (also while it runs)."""
        return None if self._task is None else self._task.exception

    async def join(self) -> T:
        """Wait for the thread to end; return its function's value.

        Raises :exc:`~curio_traps.TaskError` chained to the function's
        exception if it failed, as :meth:`Task.join` does.
        """
        return await self._backing().join()

    async def wait(self) -> None:
        """Wait for the thread to end, whatever its outcome."""
        await self._backing().wait()

    async def cancel(
        self, *, blocking: bool = True, exc: type[BaseException] | BaseException = TaskCancelled
    ) -> bool:
        """Cancel the thread with *exc*; with *blocking*, wait until it has ended.

        The thread receives *exc* from its next ``AWAIT`` (or from the one
        it is in); a thread running plain code is not interrupted.  Returns
        ``False`` if it had already ended, as :meth:`Task.cancel` does.
        """
        return await self._backing().cancel(exc=exc, blocking=blocking)

    def __lt__(self, other: Task[Any] | AsyncThread[Any]) -> bool:
        return self.id < other.id

    def __repr__(self) -> str:
        ident = "-" if self._task is None else self._task.id
        return f"<AsyncThread id={ident} name={self.name!r} state={self.state}>"


# ---------------------------------------------------------------------- spawning


async def _started(thread: AsyncThread[T]) -> AsyncThread[T]:
    await thread.start()
    return thread


def spawn_thread(
    func: Callable[[*Ts], T], /, *args: *Ts, daemon: bool = False
) -> Coroutine[Any, Any, AsyncThread[T]]:
    """Start ``func(*args)`` in a new asynchronous thread: ``thread = await spawn_thread(...)``.

    *func* is a synchronous function (a coroutine is refused with
    ``TypeError``, right away).  A *daemon* thread does not keep
    :meth:`Kernel.run` alive and is cancelled at shutdown.
    """
    return _started(AsyncThread(func, args, daemon=daemon))


def _close(awaitable: object) -> None:
    """Close a coroutine that will never run (no "never awaited" warning)."""
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()


# ---------------------------------------------------------------------- the decorator


class AsyncThreadFunction(Generic[P, T]):
    """A synchronous function that runs in an asynchronous thread when a coroutine calls it.

    What :func:`~curio_kernel.async_thread` makes.  Called from a coroutine, it returns a
    coroutine: ``await func(...)`` runs the function in a new asynchronous
    thread and returns its result (or raises its exception itself, not a
    ``TaskError``).  Called anywhere else, an asynchronous thread included,
    it is a plain call.  A type checker sees the plain call; typed
    asynchronous code awaits ``func.in_thread(...)``, the same thing.
    """

    __name__: str
    __qualname__: str

    def __init__(self, func: Callable[P, T], daemon: bool, name: str | None = None) -> None:
        functools.update_wrapper(self, func)
        self.__wrapped__ = func
        self._daemon = daemon
        if name is not None:
            self.__name__ = self.__qualname__ = name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        if from_coroutine() and not is_async_thread():
            return cast(T, self.in_thread(*args, **kwargs))
        return self.__wrapped__(*args, **kwargs)

    async def in_thread(self, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the function in a new asynchronous thread and return its result.

        If the caller is cancelled meanwhile, the thread is cancelled too (at
        its next ``AWAIT``) and waited for, then the caller's cancellation goes on.
        """
        await _check_cancellation(None)  # a pending cancellation: do not start a thread at all
        thread = AsyncThread(self.__wrapped__, args, kwargs, daemon=self._daemon)
        await thread.start()
        try:
            return await thread.join()
        except TaskError as err:
            cause = err.__cause__
            if cause is None:
                raise
            raise cause from None  # the function's own error, as a plain call would raise
        except CancelledError:
            await thread.cancel()
            raise

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        method = functools.partial(cast(Callable[..., T], self.__wrapped__), instance)
        bound = cast(Callable[P, T], method)
        return AsyncThreadFunction(bound, self._daemon, self.__qualname__)

    def __repr__(self) -> str:
        return f"<async_thread function {self.__qualname__}>"


@overload
def async_thread(func: Callable[P, T], /) -> AsyncThreadFunction[P, T]: ...
@overload
def async_thread(
    *, daemon: bool = False
) -> Callable[[Callable[P, T]], AsyncThreadFunction[P, T]]: ...
def async_thread(
    func: Callable[P, T] | None = None, /, *, daemon: bool = False
) -> AsyncThreadFunction[P, T] | Callable[[Callable[P, T]], AsyncThreadFunction[P, T]]:
    """Decorate a synchronous function to run in an asynchronous thread when awaited.

    ``@async_thread`` or ``@async_thread(daemon=True)``; see
    :class:`~curio_kernel.thread.AsyncThreadFunction`.  A coroutine function is refused
    with ``TypeError``.
    """
    if func is None:
        return lambda f: _decorate(f, daemon)
    return _decorate(func, daemon)


def _decorate(func: Callable[P, T], daemon: bool) -> AsyncThreadFunction[P, T]:
    if not callable(func):
        raise TypeError(f"async_thread decorates a function, got {func!r}")
    if iscoroutinefunction(func):
        raise TypeError(f"async_thread decorates a synchronous function, got {func!r}")
    return AsyncThreadFunction(func, daemon)
