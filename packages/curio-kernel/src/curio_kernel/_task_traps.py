"""Tasks acting on tasks: spawn, join, wait, cancel, and the control of cancellation.

A task that joins, waits for or cancels another is parked in the target's
``_joiners`` (a dict, so that cancelling many joiners stays linear); the
kernel's ``_finish`` wakes them when the target ends, with its result, its
error as a ``TaskError``, or ``True`` for those that only wait for the end.

``trap_spawn`` is a benchmark row: it builds the task with ``Kernel._new_task``
inlined and runs the child's first step at once, inside the trap, so that
``spawn()`` returns without a trip through the ready queue.

The cancellation-control traps (``set_allow_cancel``, ``check_cancellation``,
``set_cancellation``) read and write a task's pending cancellation; the rules
that deliver it are ``Kernel._cancel`` and ``Kernel._blocking`` (docs:
"Cancellation and timeouts").
"""

from __future__ import annotations

import itertools
from collections.abc import Coroutine
from types import CoroutineType
from typing import Any

from curio_traps import CancelledError, TaskLike

from ._kernel_base import KernelBase
from ._timers import name_expiry, spend_scopes
from .activation import Activation
from .task import Task, _check_coroutine, _make_custom_task, _make_task

__all__ = ["TaskTraps"]


def _was_finished(exc: BaseException | None) -> bool:
    """Is *exc* what a finished coroutine raises when it is sent a value?"""
    return type(exc) is RuntimeError and str(exc) == "cannot reuse already awaited coroutine"


def _task_of(target: object, what: str) -> Task[Any]:
    """*target* if it is a task of this kernel's kind; else a TypeError naming *what*."""
    if not isinstance(target, Task):
        raise TypeError(f"{what} needs a curio Task, got {target!r}")
    return target


def _to_exception(
    exc: type[BaseException] | BaseException, what: str = "cancel()"
) -> BaseException:
    if isinstance(exc, type):
        if not issubclass(exc, BaseException):
            raise TypeError(f"{what} needs an exception class or instance, got {exc!r}")
        return exc()
    if not isinstance(exc, BaseException):
        raise TypeError(f"{what} needs an exception class or instance, got {exc!r}")
    return exc


class TaskTraps(KernelBase):
    """The traps of tasks and of cancellation control."""

    _tasks: dict[int, Task[Any]]
    _ids: itertools.count[int]
    _nondaemon: int
    _taskcls: type[Task[Any]]
    _observers: tuple[Activation, ...]
    _added: set[Coroutine[Any, Any, Any]]
    _shutting_down: bool
    #: Declared again here, as in KernelBase: trap_spawn sets it back to the spawner.
    current: Task[Any] | None

    def trap_join_task(self, trap: tuple[int, TaskLike[Any]], /) -> object:
        task = self.current
        assert task is not None
        target = _task_of(trap[1], "join")
        if target.terminated:
            if target._exception is not None:
                self._answered_for(target)  # joined in time: no need to log it
                raise self._task_error(target)
            return target._result
        if target is task:
            raise RuntimeError(f"task {task.id} cannot join itself")
        self._blocking(task)
        return self._wait_for_end(task, target, False)

    def _wait_for_end(self, task: Task[Any], target: Task[Any], cancelling: bool) -> object:
        if target._joiners is None:
            target._joiners = {}
        target._joiners[task] = cancelling
        return self._suspend(task, "TASK_JOIN", self._unwait_join, target)

    @staticmethod
    def _unwait_join(task: Task[Any]) -> None:
        del task._wait_obj._joiners[task]  # O(1): cancelling many joiners stays linear

    def trap_cancel_task(
        self, trap: tuple[int, TaskLike[Any], type[BaseException] | BaseException, bool], /
    ) -> object:
        task = self.current
        assert task is not None
        _, target_like, exc, blocking = trap
        target = _task_of(target_like, "cancel")
        if target.terminated:
            return False
        error = _to_exception(exc)
        if target is task:
            task.cancelled = True
            raise error
        if blocking:
            self._blocking(task)  # the caller's own pending cancellation comes first
        self._cancel(target, error)
        if not blocking:
            return True
        return self._wait_for_end(task, target, True)

    def trap_spawn(self, trap: tuple[int, Coroutine[Any, Any, Any], bool], /) -> object:
        task = self.current
        assert task is not None
        _, coro, daemon = trap
        # cr_frame is not read here: it would give every task a frame object
        # (160 bytes, +11% spawn cost); a finished coroutine shows up below.
        if coro.__class__ is not CoroutineType or coro.cr_suspended or coro.cr_running:
            _check_coroutine(coro, "spawn()")  # not a fresh native coroutine: explain
        if self._added and coro in self._added:
            raise RuntimeError(f"spawn(): coroutine {coro!r} was already added as a task")
        # Kernel._new_task inlined: spawn is a benchmark row.
        if self._taskcls is Task:
            child = _make_task(next(self._ids), coro, None if daemon else task, daemon)
        else:
            child = _make_custom_task(
                self._taskcls, next(self._ids), coro, None if daemon else task, daemon, task
            )
        self._tasks[child.id] = child
        if not daemon:
            self._nondaemon += 1
        if self._shutting_down:
            self._cancel(child, CancelledError("kernel shutdown"))
        # The child's first step runs right now, so spawn() returns after it
        # without a trip through the ready queue (a third of spawn's cost).
        if self._observers:
            self._first_step_observed(task, child, trap)
        else:
            self._step(child)
            self.current = task
        if child._exception is not None and child.cycles == 1 and _was_finished(child._exception):
            self._answered_for(child)
            raise RuntimeError(
                f"spawn(): coroutine {coro!r} was already run; a coroutine runs once"
            ) from child._exception
        return child

    def trap_current_task(self, trap: tuple[int], /) -> object:
        return self.current

    def trap_wait_task(self, trap: tuple[int, TaskLike[Any]], /) -> object:
        task = self.current
        assert task is not None
        target = _task_of(trap[1], "wait")
        if target.terminated:
            return None
        if target is task:
            raise RuntimeError(f"task {task.id} cannot wait for itself")
        self._blocking(task)
        return self._wait_for_end(task, target, True)

    def trap_set_allow_cancel(self, trap: tuple[int, bool], /) -> object:
        task = self.current
        assert task is not None
        previous = task._allow_cancel
        task._allow_cancel = bool(trap[1])
        return previous

    def trap_check_cancellation(
        self, trap: tuple[int, type[BaseException] | tuple[type[BaseException], ...] | None], /
    ) -> object:
        task = self.current
        assert task is not None
        match = trap[1]
        pending = task._cancel_pending
        if pending is None:
            return None
        named = name_expiry(task, pending)  # matched as it would be raised now
        if match is not None and not isinstance(named, match):
            return None
        if task._allow_cancel:
            task._cancel_pending = None
            raise spend_scopes(task, pending)
        if match is None:
            return named
        # Taken: the caller handles it.  A cancellation the task took is no longer
        # one a later Task.cancel() would merely wait for.
        task._cancel_pending = None
        task.cancelled = False
        return spend_scopes(task, pending)

    def trap_set_cancellation(
        self, trap: tuple[int, type[BaseException] | BaseException | None], /
    ) -> object:
        task = self.current
        assert task is not None
        exc = trap[1]
        previous = task._cancel_pending
        task._cancel_pending = None if exc is None else _to_exception(exc, "set_cancellation()")
        if previous is not None:
            task.cancelled = False  # the task replaced what it was sent: cancellable again
        return previous
