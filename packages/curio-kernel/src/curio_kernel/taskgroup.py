"""Task groups: spawn related tasks together and wait for them as one.

A group collects its members as they end (the kernel calls the group when a
member finishes), so ``next_done()`` returns tasks in the order they ended,
and leaving an ``async with TaskGroup()`` block applies the group's policy:
``wait=all`` waits for every member and, when one fails, cancels the others
and raises ``TaskError`` chained to the failure; ``wait=any`` keeps the first
task to end and cancels the rest; ``wait=None`` cancels them all.

Members never outlive the block: leaving it, however it is left, cancels
every member still running before waiting for any, and the wait goes on
through further cancellations and timeouts.  The strongest interruption
received meanwhile is raised at the end (see :mod:`curio_traps.interruptions`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from types import TracebackType
from typing import Any, Generic, TypeVar

from curio_traps import (
    CancelledError,
    TaskError,
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

__all__ = ["TaskGroup"]

T = TypeVar("T")


class TaskGroup(Generic[T]):
    """A set of tasks managed together; ``TaskGroup[T]`` when they all return ``T``.

    *tasks* are existing tasks to adopt.  *wait* is ``all``, ``any`` or
    ``None`` (see the module's description).
    """

    def __init__(
        self, tasks: Iterable[Task[T]] = (), *, wait: Callable[..., bool] | None = all
    ) -> None:
        if wait not in (all, any, None):
            raise ValueError(f"wait must be all, any or None, got {wait!r}")
        self._wait = wait
        self._running: set[Task[T]] = set()
        self._done: deque[Task[T]] = deque()
        self._waiting = WaitQueue()
        self._closed = False
        #: Every task the group has had, in the order they were added.
        self.tasks: list[Task[T]] = []
        #: The first task that ended (successfully or not), once there is one.
        self.completed: Task[T] | None = None
        for task in tasks:
            self._adopt(task)

    def _adopt(self, task: Task[T]) -> None:
        if not isinstance(task, Task):
            raise TypeError(f"a task group holds curio Tasks, got {task!r}")
        if task._on_finish is not None:
            raise RuntimeError(f"task {task.id} already belongs to a task group")
        self.tasks.append(task)
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
        self._done.append(task)
        if self.completed is None:
            self.completed = task
        if kernel is not None and self._waiting:
            kernel.trap_reschedule_tasks((RESCHEDULE_TASKS, self._waiting, 1, None, None))

    async def spawn(
        self, corofunc: Callable[..., Coroutine[Any, Any, T]] | Coroutine[Any, Any, T], *args: Any
    ) -> Task[T]:
        """Start a task in the group and return it."""
        if self._closed:
            raise RuntimeError("this task group has been joined; it takes no new tasks")
        task: Task[T] = await spawn(corofunc, *args)
        self._adopt(task)
        return task

    async def add_task(self, task: Task[T]) -> None:
        """Adopt an existing task into the group."""
        if self._closed:
            raise RuntimeError("this task group has been joined; it takes no new tasks")
        self._adopt(task)

    async def next_done(self) -> Task[T] | None:
        """The next member to end, in the order they ended; ``None`` when none is left."""
        while not self._done:
            if not self._running:
                return None
            await _wait_on_queue(self._waiting, "TASKGROUP_WAIT")
        return self._done.popleft()

    async def next_result(self) -> T:
        """The result of the next member to end (``TaskError`` if it failed)."""
        task = await self.next_done()
        if task is None:
            raise RuntimeError("no task is left in the group")
        return await task.join()

    async def cancel_remaining(self) -> None:
        """Cancel every member still running, then wait for all of them to end.

        Every member is cancelled before the first wait, and the wait goes on
        through interruptions; the strongest of those is raised at the end.
        """
        me = await current_task()
        await cancel_and_wait([task for task in self.tasks if task is not me])

    async def join(self) -> None:
        """Wait for the members as the group's *wait* policy says."""
        try:
            if self._wait is all:
                while (task := await self.next_done()) is not None:
                    if task._exception is not None and not isinstance(
                        task._exception, CancelledError
                    ):
                        raise TaskError(
                            f"task {task.id} ({task.name}) of the group failed"
                        ) from task._exception
            elif self._wait is any:
                await self.next_done()
        except BaseException as exc:
            await self._end(exc)
            raise
        else:
            await self._end(None)

    async def _end(self, exc: BaseException | None) -> None:
        """Close the group: cancel what still runs and wait for it, while *exc* passes.

        An interruption of that wait stronger than *exc* is raised instead of it.
        """
        self._closed = True
        await clean_up(exc, self.cancel_remaining())

    @property
    def results(self) -> list[T]:
        """The results of the members that ended well, in the order they were added."""
        return [task.result for task in self.tasks if task.terminated and task._exception is None]

    @property
    def exceptions(self) -> list[BaseException]:
        """The exceptions of the members that failed, in the order they were added."""
        return [task._exception for task in self.tasks if task._exception is not None]

    @property
    def result(self) -> T:
        """The result of the first member to end (``TaskError`` if it failed)."""
        if self.completed is None:
            raise RuntimeError("no task of the group has ended yet")
        return self.completed.result

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
