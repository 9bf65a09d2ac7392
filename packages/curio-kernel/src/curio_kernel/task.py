"""Tasks: coroutines run by the kernel, and the calls that create and find them."""

from __future__ import annotations

import contextvars
import inspect
import os
import sys
import traceback
import types
from collections.abc import Callable, Coroutine, Generator
from types import CoroutineType, GenericAlias, TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    NamedTuple,
    TypeVar,
    TypeVarTuple,
    Unpack,
    cast,
    overload,
)

from curio_traps import (
    TaskCancelled,
    _cancel_task,
    _current_task,
    _join_task,
    _wait_task,
    outside_kernel_error,
    wait_through,
)
from curio_traps.traps import SPAWN

from .sleep import _switch

__all__ = ["ContextTask", "Task", "Where", "current_task", "schedule", "spawn"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

if TYPE_CHECKING:
    from typing import Generic as _Generic

    from ._timers import Scope
else:

    class _Generic:
        """Run-time stand-in for ``typing.Generic``: ``Task[int]`` works, and
        creating a task skips ``Generic``'s instantiation cost (about a
        sixth of a spawn, in the spawn benchmark)."""

        __slots__ = ()

        def __class_getitem__(cls, item):
            return GenericAlias(cls, item)


class Where(NamedTuple):
    """Where a task is: the file and line of its innermost frame."""

    filename: str | None
    lineno: int | None

    def __await__(self) -> Generator[Any, Any, Where]:
        # A generator that returns at once: ``await task.where()`` works too.
        yield from ()
        return self


class Task(_Generic[T]):
    """A coroutine running in a kernel; ``Task[T]`` when the coroutine returns ``T``.

    Tasks are made by :func:`spawn` or :meth:`Kernel.add_task`, never by
    calling the class.  Everything but the public attributes below belongs to
    the kernel that runs the task.
    """

    # __slots__ keep a sleeping task small (see the "sleepers" benchmark).
    __slots__ = (
        "__weakref__",
        "_allow_cancel",
        "_cancel_pending",
        "_exception",
        "_joiners",
        "_next_exc",
        "_next_value",
        "_on_finish",
        "_result",
        "_scopes",
        "_timer",
        "_unwait",
        "_wait_obj",
        "_watched",
        "cancelled",
        "coro",
        "cycles",
        "daemon",
        "id",
        "name",
        "parent",
        "spawned_at",
        "state",
        "taskgroup",
        "terminated",
        "waiting_since",
    )

    #: The task's integer id, unique within its kernel.
    id: int
    #: A name for the task, by default the coroutine's qualified name.
    name: str
    # Kernel bookkeeping (only the kernel reads or writes these).
    _next_value: Any
    _next_exc: BaseException | None
    _result: Any
    _exception: BaseException | None
    #: The tasks waiting for this one to end, each with whether it cancelled it (in order).
    _joiners: dict[Task[Any], bool] | None
    _on_finish: Callable[[Any, Task[Any]], None] | None
    _cancel_pending: BaseException | None
    #: False inside ``disable_cancellation()``: cancellations wait, pending.
    _allow_cancel: bool
    _unwait: Callable[[Task[Any]], None] | None
    _wait_obj: Any
    _timer: tuple[float, int, Task[Any]] | None
    _scopes: list[Scope] | None
    _watched: Any
    #: The coroutine the task runs.
    coro: Coroutine[Any, Any, T]
    #: The task that spawned this one (``None`` for daemons and added tasks).
    parent: Task[Any] | None
    #: True if the task does not keep :meth:`Kernel.run` alive.
    daemon: bool
    #: The name of the task's current state (``READY``, ``TIME_SLEEP``, ``TERMINATED``, ...).
    state: str
    #: True once the task has ended.
    terminated: bool
    #: True once the task has been cancelled (by ``cancel()``, a task group,
    #: or ``_cancel_task``); an expired timeout does not count.
    cancelled: bool
    #: The task group the task belongs to, if any.
    taskgroup: Any
    #: ``(filename, line)`` of the spawn() or add_task() call, recorded in
    #: Python's development mode (``python -X dev``) or with ``CURIO_DEBUG=1``.
    spawned_at: tuple[str, int] | None
    #: The kernel's clock when the task began its current wait, recorded while
    #: the kernel runs with a monitor (``None`` otherwise).
    waiting_since: float | None
    #: How many times the kernel has resumed the task.
    cycles: int

    def __init__(self, coro: Coroutine[Any, Any, T], parent: Task[Any] | None = None) -> None:
        """Refuse to be called directly: tasks are made by the kernel.

        A subclass given to the kernel as *taskcls* may extend ``__init__``
        (calling this one): the kernel calls it on each new task, with the
        coroutine and the task that spawned it (``None`` for a task added
        before the kernel runs), after setting every attribute above.
        """
        if type(self) is Task or not hasattr(self, "id"):
            raise TypeError("Task objects are made by spawn() or Kernel.add_task(), not directly")

    def send(self, value: Any) -> Any:
        """Resume the coroutine with *value* (``coro.send``); the kernel's step.

        Only a *taskcls* subclass is run through ``send`` and ``throw``: it
        may override them to wrap each step (``ContextTask`` runs them in the
        task's ``contextvars`` context).
        """
        return self.coro.send(value)

    def throw(self, exc: BaseException) -> Any:
        """Resume the coroutine by raising *exc* in it (``coro.throw``)."""
        return self.coro.throw(exc)

    def __lt__(self, other: Task[Any]) -> bool:
        # Orders timer entries whose deadlines tie (see the kernel's timers).
        return self.id < other.id

    def __repr__(self) -> str:
        return f"<Task id={self.id} name={self.name!r} state={self.state}>"

    @property
    def exc_info(self) -> ExcInfo | None:
        """``sys.exc_info()``-style details of the exception that ended the task, or ``None``."""
        exc = self._exception
        if exc is None:
            return None
        return (type(exc), exc, exc.__traceback__)

    @property
    def exception(self) -> BaseException | None:
        """The exception the task ended with, or ``None``."""
        return self._exception

    @property
    def result(self) -> T:
        """The task's return value.

        ``RuntimeError`` if it has not ended; if it failed (or was
        cancelled), its exception is raised again.
        """
        if not self.terminated:
            raise RuntimeError(f"task {self.id} ({self.name}) has not ended yet")
        if self._exception is not None:
            raise self._exception
        return cast(T, self._result)

    @property
    def parentid(self) -> int | None:
        """The id of the task that spawned this one (``None`` without a parent)."""
        return None if self.parent is None else self.parent.id

    async def join(self) -> T:
        """Wait for the task to end; return its value.

        Raises ``TaskError`` chained to the task's exception if it failed.
        """
        if self.taskgroup is not None:
            self.taskgroup._forget(self)  # joined directly: the group no longer answers for it
        if self.terminated and self._exception is None:
            result: T = self._result  # ended well: no need to ask the kernel
            return result
        return await _join_task(self)

    async def cancel(
        self, *, exc: type[BaseException] | BaseException = TaskCancelled, blocking: bool = True
    ) -> bool:
        """Cancel the task with *exc*; with *blocking*, wait until it has ended.

        Returns ``True`` if the task was cancelled, ``False`` if it had
        already ended.  A request made while an earlier one has not reached
        the task yet only waits for it; once the task has received (or
        taken) a cancellation, a new request sends another.  The wait goes on through
        cancellations and timeouts of the caller, which are raised once the
        task has ended (the strongest of them), so the task is never left
        running.
        """
        if self.taskgroup is not None:
            self.taskgroup._hide(self)  # cancelled directly: no longer in its group's tasks
        if self.terminated:
            return False
        await _cancel_task(self, exc, blocking=False)  # the kernel keeps one that is pending
        if blocking:
            await wait_through((self,))
        return True

    async def wait(self) -> None:
        """Wait for the task to end, whatever its outcome (its error is not raised)."""
        if not self.terminated:
            await _wait_task(self)

    def where(self) -> Where:
        """``(filename, lineno)`` where the task is now, ``(None, None)`` once it has ended.

        Also awaitable (``filename, lineno = await task.where()``), as curio
        1.x documented it both ways.
        """
        frames = self.stack()
        if not frames:
            return Where(None, None)
        return Where(frames[-1].filename, frames[-1].lineno)

    def traceback(self) -> str:
        """The task's current stack as text, like a traceback (outermost call first)."""
        frames = self.stack()
        if not frames:
            return f"task {self.id} ({self.name}) has ended: it has no stack\n"
        summary = traceback.StackSummary.extract(
            (info.frame, info.frame.f_lineno) for info in frames
        )
        return "".join(summary.format())

    def stack(self) -> list[inspect.FrameInfo]:
        """The task's current stack of coroutine frames, outermost first (empty once ended)."""
        frames: list[inspect.FrameInfo] = []
        coro: Any = self.coro
        while coro is not None:
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
            if frame is None:
                break
            frames.append(inspect.FrameInfo(frame, *inspect.getframeinfo(frame, 0)))
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        return frames


class ContextTask(Task[T]):
    """A task that runs in its own :mod:`contextvars` context.

    Each one starts with a copy of the context of the task that spawned it
    (of the caller of ``run()`` for the first), as asyncio and trio tasks do:
    a ``ContextVar`` set in a task is seen by the tasks it spawns afterwards,
    never by its parent or its siblings.  Use ``run(..., taskcls=ContextTask)``
    or ``Kernel(taskcls=ContextTask)``.  Each step enters the context, which
    costs a little (the ContextTask rows of ``nox -s bench``).
    """

    __slots__ = ("_context",)

    _context: contextvars.Context

    def __init__(self, coro: Coroutine[Any, Any, T], parent: Task[Any] | None = None) -> None:
        super().__init__(coro, parent)
        if isinstance(parent, ContextTask):
            self._context = parent._context.copy()
        else:
            self._context = contextvars.copy_context()

    def send(self, value: Any) -> Any:
        return self._context.run(self.coro.send, value)

    def throw(self, exc: BaseException) -> Any:
        return self._context.run(self.coro.throw, exc)


def _make_task(
    task_id: int,
    coro: Coroutine[Any, Any, T],
    parent: Task[Any] | None,
    daemon: bool,
    cls: type[Task[Any]] = Task,
) -> Task[T]:
    """Make a task of class *cls* for the kernel (calling the class is refused).

    ``object.__new__`` and plain stores, without ``type.__call__`` and
    ``__init__``: a quarter of the cost of making a task (the spawn benchmark).
    The kernel calls a subclass's ``__init__`` itself, afterwards.
    """
    self: Task[T] = object.__new__(cls)
    self.id = task_id
    self.coro = coro
    if coro.__class__ is CoroutineType:
        self.name = coro.__qualname__
    else:
        self.name = getattr(coro, "__qualname__", None) or type(coro).__name__
    self.parent = parent
    self.daemon = daemon
    self.state = "INITIAL"
    self.terminated = False
    self.cancelled = False
    self.taskgroup = None
    self._allow_cancel = True
    self.cycles = 0
    self._timer = None
    self._next_value = None
    self._next_exc = None
    self._exception = None
    self._joiners = None
    self._on_finish = None
    self.waiting_since = None
    self.spawned_at = None
    self._cancel_pending = None
    self._unwait = None
    self._wait_obj = None
    self._scopes = None
    self._watched = None
    return self


def _make_custom_task(
    cls: type[Task[Any]],
    task_id: int,
    coro: Coroutine[Any, Any, T],
    parent: Task[Any] | None,
    daemon: bool,
    spawner: Task[Any] | None,
) -> Task[T]:
    """:func:`_make_task` for a *taskcls* subclass, whose ``__init__`` it then calls.

    *spawner* is the task that spawned it, also for a daemon (which has no
    parent): ``ContextTask`` copies its context.
    """
    task: Task[T] = _make_task(task_id, coro, parent, daemon, cls)
    if cls.__init__ is not Task.__init__:
        task.__init__(coro, spawner)  # type: ignore[misc]  # the subclass's own hook
    return task


#: Whether tasks remember where they were spawned (it costs a frame lookup per spawn).
RECORD_SPAWN_SITES: Final = bool(sys.flags.dev_mode or os.environ.get("CURIO_DEBUG"))


def _caller_site(depth: int) -> tuple[str, int]:
    """``(filename, line)`` of the frame *depth* levels above the caller."""
    frame = sys._getframe(depth + 1)
    return (frame.f_code.co_filename, frame.f_lineno)


def _is_coroutine(obj: object) -> bool:
    """A native coroutine, or a generator made a coroutine by ``types.coroutine``."""
    if isinstance(obj, Coroutine):
        return True
    return inspect.isgenerator(obj) and bool(obj.gi_code.co_flags & inspect.CO_ITERABLE_COROUTINE)


def _call_corofunc(corofunc: object, args: tuple[Any, ...], what: str) -> Coroutine[Any, Any, Any]:
    """``corofunc(*args)``, which must give a coroutine; a clear TypeError otherwise."""
    if not callable(corofunc):
        raise TypeError(f"{what} needs a coroutine or a coroutine function, got {corofunc!r}")
    coro = corofunc(*args)
    if not _is_coroutine(coro):
        raise TypeError(f"{what} needs a coroutine; {corofunc!r} returned {coro!r}")
    return cast("Coroutine[Any, Any, Any]", coro)


def _check_coroutine(coro: object, what: str) -> None:
    """Refuse anything that is not a fresh coroutine, naming the problem."""
    if coro.__class__ is CoroutineType:
        # The common case, checked inline: spawn's cost is on the benchmark.
        if coro.cr_frame is not None and not coro.cr_suspended and not coro.cr_running:
            return
        raise RuntimeError(f"{what}: coroutine {coro!r} was already started; a coroutine runs once")
    if not _is_coroutine(coro):
        hint = " (did you forget to call it?)" if inspect.iscoroutinefunction(coro) else ""
        raise TypeError(f"{what} needs a coroutine, got {type(coro).__name__} {coro!r}{hint}")
    if inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) != inspect.CORO_CREATED:
        raise RuntimeError(f"{what}: coroutine {coro!r} was already started; a coroutine runs once")


if TYPE_CHECKING:

    @overload
    async def spawn(coro: Coroutine[Any, Any, T], /, *, daemon: bool = False) -> Task[T]: ...
    @overload
    async def spawn(
        corofunc: Callable[[Unpack[Ts]], Coroutine[Any, Any, T]],
        /,
        *args: *Ts,
        daemon: bool = False,
    ) -> Task[T]: ...
    async def spawn(  # type: ignore[misc]
        coro: Any, /, *args: Any, daemon: bool = False
    ) -> Task[Any]:
        """Start a new task and return it once it has run its first step."""

else:

    @types.coroutine
    def spawn(coro, /, *args, daemon=False):
        """Start a new task and return it once it has run its first step.

        Takes a coroutine, or (as in curio 1.x) a coroutine function and its
        arguments.  A *daemon* task has no parent and does not keep
        :meth:`Kernel.run` alive.  Use as ``task = await spawn(...)``.

        A generator coroutine that yields the spawn trap itself: one frame
        instead of two on the spawn benchmark's path.  (A forgotten ``await``
        is still reported: the never-started coroutine warns.)  The kernel
        checks that *coro* is a fresh coroutine.
        """
        if args or (callable(coro) and not _is_coroutine(coro)):
            if not callable(coro):
                raise TypeError(f"spawn() got arguments but {coro!r} is not callable")
            coro = coro(*args)
        try:
            task = yield (SPAWN, coro, daemon)
        except BaseException as exc:
            raise outside_kernel_error(exc)  # noqa: B904 - it chains exc itself
        if RECORD_SPAWN_SITES:
            task.spawned_at = _caller_site(1)
        return task


def schedule() -> Coroutine[Any, Any, None]:
    """Let the other ready tasks run, then go on: ``await schedule()`` is ``await sleep(0)``."""
    return _switch()


async def current_task() -> Task[Any]:
    """Return the task that is running."""
    return cast("Task[Any]", await _current_task())
