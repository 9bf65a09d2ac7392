"""Debuggers: activations that log what the kernel does.

Pass one or more to ``run(..., debug=...)`` or ``Kernel(debug=...)``, as a
class (made with its defaults) or an instance, alone or in a list::

    run(main, debug=schedtrace)
    run(main, debug=[schedtrace(filter={"spam"}), logcrash])
    run(main, debug=longblock(max_time=0.1))

``debug=True`` gives ``longblock`` and ``logcrash``.  Every debugger takes
*level* (a :mod:`logging` level), *log* (a ``Logger``; ``curio.debug`` by
default) and *filter* (a set of task names to report on; all tasks if
``None``).  Logging is synchronous: a slow handler slows the kernel down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable
from typing import Any, ClassVar, TypeAlias

from curio_traps import HANDLERS

from .activation import Activation
from .task import Task

__all__ = [
    "DebugBase",
    "DebugSpec",
    "Debugger",
    "logcrash",
    "longblock",
    "schedtrace",
    "traptrace",
]

_log = logging.getLogger("curio.debug")


class Debugger(Activation):
    """An activation that logs, for the tasks its *filter* names.

    *level* is the debugger's own (:attr:`default_level`) unless given.
    """

    #: The logging level of this kind of debugger.
    default_level: ClassVar[int] = logging.INFO

    def __init__(
        self,
        *,
        level: int | None = None,
        log: logging.Logger | None = None,
        filter: Collection[str] | None = None,
    ) -> None:
        self.level: int = self.default_level if level is None else level
        self.log: logging.Logger = log if log is not None else _log
        self.filter: frozenset[str] | None = None if filter is None else frozenset(filter)

    def watches(self, task: Task[Any]) -> bool:
        """Whether *task* is one this debugger reports on."""
        return self.filter is None or task.name in self.filter


#: curio 1.x's name of the debuggers' base class.
DebugBase = Debugger


class schedtrace(Debugger):
    """Log each task's creation, steps, suspensions and end."""

    def created(self, task: Task[Any]) -> None:
        if self.watches(task):
            self.log.log(self.level, "CREATE: %r", task)

    def running(self, task: Task[Any]) -> None:
        if self.watches(task):
            self.log.log(self.level, "RUN: %r", task)

    def suspended(self, task: Task[Any], trap: object) -> None:
        if self.watches(task):
            self.log.log(self.level, "SUSPEND: %r", task)

    def terminated(self, task: Task[Any]) -> None:
        if self.watches(task):
            self.log.log(self.level, "TERMINATE: %r", task)


class traptrace(schedtrace):
    """Like :class:`schedtrace`, naming the trap each step ended on."""

    def suspended(self, task: Task[Any], trap: object) -> None:
        if self.watches(task):
            self.log.log(self.level, "SUSPEND: %r on %s", task, _trap_text(trap))


def _trap_text(trap: object) -> str:
    """A trap as ``name(arguments)``, named after its handler."""
    if trap is None:
        return "its end"
    if isinstance(trap, tuple) and trap and isinstance(trap[0], int) and trap[0] < len(HANDLERS):
        arguments = ", ".join(repr(arg) for arg in trap[1:])
        return f"{HANDLERS[trap[0]].removeprefix('trap_')}({arguments})"
    return repr(trap)


class logcrash(Debugger):
    """Log every task that ends with an error (cancellations are not errors)."""

    default_level = logging.ERROR

    def terminated(self, task: Task[Any]) -> None:
        exc = task.exception
        if exc is not None and isinstance(exc, Exception) and self.watches(task):
            self.log.log(self.level, "Task %d (%s) crashed", task.id, task.name, exc_info=exc)


class longblock(Debugger):
    """Warn when a task runs longer than *max_time* seconds without suspending.

    Such a task blocks every other: it computes, or calls something that
    blocks, where it should ``await``.
    """

    default_level = logging.WARNING

    def __init__(
        self,
        *,
        max_time: float = 0.05,
        level: int | None = None,
        log: logging.Logger | None = None,
        filter: Collection[str] | None = None,
    ) -> None:
        super().__init__(level=level, log=log, filter=filter)
        if not max_time > 0:
            raise ValueError(f"longblock needs a positive max_time, got {max_time!r}")
        self.max_time: float = max_time
        self._started: dict[int, float] = {}

    def running(self, task: Task[Any]) -> None:
        self._started[task.id] = time.perf_counter()

    def suspended(self, task: Task[Any], trap: object) -> None:
        started = self._started.pop(task.id, None)
        if started is None or not self.watches(task):
            return
        took = time.perf_counter() - started
        if took > self.max_time:
            self.log.log(
                self.level,
                "Task %d (%s) ran %.3f s without suspending (at %s:%s)",
                task.id,
                task.name,
                took,
                *task.where(),
            )


#: What ``debug=`` accepts: ``True``, a debugger class or instance, or several.
DebugSpec: TypeAlias = (
    bool | type[Activation] | Activation | Iterable[type[Activation] | Activation] | None
)


def create_debuggers(debug: DebugSpec) -> list[Activation]:
    """The activations that *debug* (a ``debug=`` argument) asks for."""
    if debug is None or debug is False:
        return []
    if debug is True:
        return [longblock(), logcrash()]
    items: Iterable[Any] = (debug,) if isinstance(debug, (type, Activation)) else debug
    made: list[Activation] = []
    for item in items:
        if isinstance(item, type) and issubclass(item, Activation):
            made.append(item())
        elif isinstance(item, Activation):
            made.append(item)
        else:
            raise TypeError(
                f"debug= takes debugger classes or instances (curio.debug), got {item!r}"
            )
    return made
