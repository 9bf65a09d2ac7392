"""Task groups: spawn related tasks together and wait for them as one.

A group collects its members as they end (the kernel calls the group when a
member finishes), so ``next_done()`` returns tasks in the order they ended.
``join()``, which leaving an ``async with TaskGroup()`` block calls, waits as
the group's *wait* policy says: ``all`` for every member, ``any`` for the
first to end, ``object`` for the first to return something other than
``None``, and ``None`` for nothing.  A member that fails ends the wait too.
Whatever ended the wait, every member still running (daemonic ones too) is
then cancelled and waited for: no member outlives the group.

``join()`` does not raise the members' errors: the group keeps them, and
``result``, ``results``, ``exception`` and ``exceptions`` report them.  A
member that was cancelled is not a failure, but an error it raised while
being cancelled is one.  The wait for cancelled members goes on through
cancellations and timeouts of the waiting task; the strongest interruption
received meanwhile is raised at the end (see :mod:`curio_traps.interruptions`).

An asynchronous thread (:mod:`curio_kernel.thread`) takes part as its backing
task: that task is the member inside the group, and the group shows the
:class:`~curio_kernel.AsyncThread` wherever it hands a member out
(``tasks``, ``next_done()``, ``completed``).  In an asynchronous thread, the
group is also a plain context manager and iterator (``with``, ``for``), each
step run through ``AWAIT`` (:class:`~curio_traps.AwaitedContext`,
:class:`~curio_traps.AwaitedIteration`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from types import TracebackType
from typing import Any, Generic, TypeVar, TypeVarTuple, Unpack, overload

from curio_traps import (
    AwaitedContext,
    AwaitedIteration,
    CancelledError,
    TrapHandlers,
    WaitQueue,
    _wait_on_queue,
    cancel_and_wait,
    clean_up,
    running_kernel,
)
from curio_traps.traps import RESCHEDULE_TASKS

from .kernel import Kernel
from .task import Task, current_task, spawn
from .thread import AsyncThread, spawn_thread

__all__ = ["TaskGroup"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

#: The policies of ``TaskGroup(wait=...)``: the builtins ``all``, ``any``, ``object``, or None.
_POLICIES = (all, any, object, None)


def _failed(task: Task[Any]) -> bool:
    """Did *task* end with an error (a cancellation is not one)?"""
    exc = task._exception
    return exc is not None and not isinstance(exc, CancelledError)


def _cancelled(task: Task[Any]) -> bool:
    return isinstance(task._exception, CancelledError)


class TaskGroup(AwaitedContext, AwaitedIteration["Task[T] | AsyncThread[T]"], Generic[T]):
    """A set of tasks managed together; ``TaskGroup[T]`` when they all return ``T``.

    *tasks* are existing tasks to adopt.  *wait* is ``all``, ``any``,
    ``object`` or ``None`` (see the module's description).
    """

    def __init__(
        self, tasks: Iterable[Task[T] | AsyncThread[T]] = (), *, wait: object = all
    ) -> None:
        if wait not in _POLICIES:
            raise ValueError(f"wait must be all, any, object or None, got {wait!r}")
        self._wait = wait
        #: Every member, daemonic ones included, in the order they joined the group.
        self._members: dict[Task[T], None] = {}
        self._daemons: set[Task[T]] = set()
        #: Members cancelled directly (Task.cancel): not listed in :attr:`tasks`.
        self._hidden: set[Task[T]] = set()
        self._running: set[Task[T]] = set()
        self._done: deque[Task[T]] = deque()
        self._waiting = WaitQueue()
        #: The asynchronous threads among the members, by their backing tasks.
        self._threads: dict[Task[T], AsyncThread[T]] = {}
        self._joined = False
        #: The first member that ended after ``join()`` began, not cancelled
        #: (for ``wait=object``, the first with a result other than ``None``, or a failure).
        self.completed: Task[T] | AsyncThread[T] | None = None
        for task in tasks:
            self._adopt(task, daemon=False)

    # ------------------------------------------------------------------ membership

    def _adopt(self, member: Task[T] | AsyncThread[T], daemon: bool) -> None:
        if isinstance(member, AsyncThread):
            task = member._backing()
        elif isinstance(member, Task):
            task = member
        else:
            raise TypeError(f"a task group holds curio Tasks and AsyncThreads, got {member!r}")
        if task.taskgroup is not None or task._on_finish is not None:
            raise RuntimeError(f"task {task.id} already belongs to a task group")
        if self._joined:
            raise RuntimeError("this task group has been joined; it takes no new tasks")
        self._members[task] = None
        if isinstance(member, AsyncThread):
            self._threads[task] = member
        task.taskgroup = self
        if daemon:
            self._daemons.add(task)
        if task.terminated:
            # It may have failed inside spawn(), in its first step: the group
            # reports that failure, so the kernel must not log it as unwatched.
            kernel = running_kernel()
            if isinstance(kernel, Kernel):
                kernel._answered_for(task)
            self._member_done(None, task)
        else:
            task._on_finish = self._member_done
            self._running.add(task)

    def _member_done(self, kernel: TrapHandlers | None, task: Task[T]) -> None:
        """Called by the kernel when a member ends: queue it and wake a waiter."""
        self._running.discard(task)
        if task in self._daemons:
            return  # a daemonic member's end is not waited for
        self._done.append(task)
        if kernel is not None and self._waiting:
            kernel.trap_reschedule_tasks((RESCHEDULE_TASKS, self._waiting, 1, None, None))

    def _forget(self, task: Task[Any]) -> None:
        """*task* was joined or cancelled directly: it leaves the group."""
        if task in self._members:
            del self._members[task]
            self._running.discard(task)
            self._daemons.discard(task)
            self._hidden.discard(task)
            if task in self._done:
                self._done.remove(task)
            self._threads.pop(task, None)
        task.taskgroup = None
        task._on_finish = None

    def _hide(self, task: Task[Any]) -> None:
        """*task* was cancelled directly: it leaves :attr:`tasks`, but the group still
        answers for it (an error it raises while being cancelled is not lost)."""
        if task in self._members:
            self._hidden.add(task)

    def _face(self, task: Task[T]) -> Task[T] | AsyncThread[T]:
        """*task* as the group shows it: its asynchronous thread, if it backs one."""
        return self._threads.get(task, task)

    def _waited_for(self) -> bool:
        """Is a non-daemonic member still running?"""
        return any(task not in self._daemons for task in self._running)

    # ------------------------------------------------------------------ spawning

    @overload
    async def spawn(self, coro: Coroutine[Any, Any, T], /, *, daemon: bool = False) -> Task[T]: ...
    @overload
    async def spawn(
        self,
        corofunc: Callable[[Unpack[Ts]], Coroutine[Any, Any, T]],
        /,
        *args: *Ts,
        daemon: bool = False,
    ) -> Task[T]: ...
    async def spawn(  # type: ignore[misc]  # the Unpack[Ts] overload against *args: Any
        self, corofunc: Any, /, *args: Any, daemon: bool = False
    ) -> Task[T]:
        """Start a task in the group and return it.

        A *daemon* member's result is disregarded: ``join()`` does not wait
        for it, and cancels it.
        """
        if self._joined:
            raise RuntimeError("this task group has been joined; it takes no new tasks")
        task: Task[T] = await spawn(corofunc, *args, daemon=daemon)
        self._adopt(task, daemon)
        return task

    async def spawn_thread(
        self, func: Callable[[*Ts], T], /, *args: *Ts, daemon: bool = False
    ) -> AsyncThread[T]:
        """Start ``func(*args)`` in an asynchronous thread that is a member of the group.

        It is a member as a task is: waited for, cancelled at the group's end
        (at its next ``AWAIT``), and a *daemon* one is disregarded.
        """
        if self._joined:
            raise RuntimeError("this task group has been joined; it takes no new tasks")
        thread: AsyncThread[T] = await spawn_thread(func, *args, daemon=daemon)
        self._adopt(thread, daemon)
        return thread

    async def add_task(self, task: Task[T] | AsyncThread[T]) -> None:
        """Adopt an existing task (or asynchronous thread) into the group."""
        self._adopt(task, daemon=False)

    # ------------------------------------------------------------------ waiting

    async def next_done(self) -> Task[T] | AsyncThread[T] | None:
        """The next member to end, in the order they ended; ``None`` when none is left."""
        task = await self._next_ended()
        return None if task is None else self._face(task)

    async def _next_ended(self) -> Task[T] | None:
        while not self._done:
            if not self._waited_for():
                return None
            await _wait_on_queue(self._waiting, "TASKGROUP_WAIT")
        return self._done.popleft()

    async def next_result(self) -> T:
        """The result of the next member to end; its exception if it failed."""
        task = await self.next_done()
        if task is None:
            raise RuntimeError("no task is left in the group")
        return task.result

    async def cancel_remaining(self) -> None:
        """Cancel every non-daemonic member still running, then wait for all of them to end.

        They leave :attr:`tasks` (an error one raises while being cancelled
        is still reported in :attr:`exceptions`).  Every member is cancelled
        before the first wait, and the wait goes on through interruptions;
        the strongest of those is raised at the end.
        """
        remaining = [task for task in self._running if task not in self._daemons]
        self._hidden.update(remaining)
        await self._cancel(remaining)

    async def _cancel(self, tasks: list[Task[T]]) -> None:
        me = await current_task()
        await cancel_and_wait(sorted(task for task in tasks if task is not me))

    async def join(self) -> None:
        """Wait for the members as the group's *wait* policy says, then cancel the rest."""
        try:
            if self._wait is not None:
                while (task := await self._next_ended()) is not None:
                    if self._decides(task):
                        break
        except BaseException as exc:
            await self._end(exc)
            raise
        else:
            await self._end(None)

    def _decides(self, task: Task[T]) -> bool:
        """Record *task*, which just ended; whether the group's wait is over."""
        if _cancelled(task):
            return False  # not a failure, and not a result either
        failed = _failed(task)
        if self._wait is object and not failed and task._result is None:
            return False
        if self.completed is None:
            self.completed = self._face(task)
        return failed or self._wait is not all

    async def _end(self, exc: BaseException | None) -> None:
        """Close the group: cancel what still runs and wait for it, while *exc* passes.

        An interruption of that wait stronger than *exc* is raised instead of it.
        """
        self._joined = True
        await clean_up(exc, self._cancel(list(self._running)))

    # ------------------------------------------------------------------ outcomes

    @property
    def tasks(self) -> list[Task[T] | AsyncThread[T]]:
        """The non-daemonic members, by task id (not those joined or cancelled directly)."""
        return [
            self._face(task)
            for task in sorted(self._members)
            if task not in self._daemons and task not in self._hidden
        ]

    def _ended(self) -> list[Task[T]]:
        return sorted(
            task
            for task in self._members
            if task not in self._daemons and task.terminated and not _cancelled(task)
        )

    @property
    def results(self) -> list[T]:
        """The results of the members that ended (not cancelled), by task id.

        Raises the exception of the first (by id) member that failed, if any did.
        """
        return [task.result for task in self._ended()]

    @property
    def exceptions(self) -> list[BaseException]:
        """The errors of the members that failed, by task id (cancellations are not errors)."""
        return [task._exception for task in self._ended() if task._exception is not None]

    @property
    def result(self) -> T:
        """The result of :attr:`completed`; its exception if it failed."""
        if self.completed is None:
            raise RuntimeError("no task of the group completed (join() it first)")
        return self.completed.result

    @property
    def exception(self) -> BaseException | None:
        """The exception of :attr:`completed` (``None`` if it succeeded or there is none)."""
        return None if self.completed is None else self.completed.exception

    # ------------------------------------------------------------------ protocols

    def __aiter__(self) -> TaskGroup[T]:
        return self

    async def __anext__(self) -> Task[T] | AsyncThread[T]:
        task = await self.next_done()
        if task is None:
            raise StopAsyncIteration
        return task

    async def __aenter__(self) -> TaskGroup[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            await self.join()
        elif not isinstance(exc, GeneratorExit):  # closed coroutine: no kernel to wait in
            # The block failed (or was cancelled): its tasks must not outlive it.
            await self._end(exc)
