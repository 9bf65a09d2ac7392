"""The console's commands: what someone at the monitor can ask of one kernel.

:class:`Commands` reads a command line and answers with text and an
:class:`Action` (stay in the console, leave it, or stop the kernel).  It
knows nothing of where the line came from: :mod:`._console` carries lines
to and from a terminal or a socket.
"""

from __future__ import annotations

import enum
import linecache
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..task import Task, current_task

if TYPE_CHECKING:
    from ..kernel import Kernel

__all__ = ["Action", "Commands", "format_ps", "format_where"]

_HELP = """\
Commands:
  ps             every task: id, state, cycles run, time in its state, parent, name
  where ID       the stack of task ID, outermost call first
  cancel ID      cancel task ID and wait until it has ended
  signal NAME    send signal NAME (TERM, SIGUSR1, 15, ...) to this process
  continue       leave the console; the program keeps running
  quit           stop the kernel: run() cancels every task and returns
  help           this text
"""


class Action(enum.Enum):
    """How a session ended, or that it goes on."""

    STAY = "stay"
    RESUME = "resume"
    QUIT = "quit"
    EOF = "eof"


def _format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"


def format_ps(kernel: Kernel, now: float | None = None) -> str:
    """The task table: id, state, cycles, time in the current state, parent and name.

    The time shows when the kernel records when a task began to wait
    (``Task.waiting_since``); a ready or running task shows ``-``.
    """
    now = kernel.clock.now() if now is None else now
    running = kernel.current
    rows = [("ID", "STATE", "CYCLES", "TIME", "PARENT", "NAME")]
    for task in kernel.tasks:
        state = "RUNNING" if task is running else task.state
        since = getattr(task, "waiting_since", None)
        waited = "-"
        if isinstance(since, float) and state not in ("READY", "RUNNING", "INITIAL"):
            waited = _format_duration(max(0.0, now - since))
        parent = "-" if task.parent is None else str(task.parent.id)
        name = f"{task.name} (daemon)" if task.daemon else task.name
        rows.append((str(task.id), state, str(task.cycles), waited, parent, name))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [
            row[0].rjust(widths[0]),
            row[1].ljust(widths[1]),
            row[2].rjust(widths[2]),
            row[3].rjust(widths[3]),
            row[4].rjust(widths[4]),
            row[5],
        ]
        lines.append("  ".join(cells))
    return "\n".join(lines) + "\n"


def format_where(task: Task[Any]) -> str:
    """The stack of *task* as a traceback would show it, outermost call first."""
    frames = task.stack()
    if not frames:
        return f"task {task.id} ({task.name}) has no stack: it has ended\n"
    lines = [f"Task {task.id} ({task.name}), {task.state}, outermost call first:"]
    for info in frames:
        lines.append(f'  File "{info.filename}", line {info.lineno}, in {info.function}')
        source = linecache.getline(info.filename, info.lineno).strip()
        if source:
            lines.append(f"    {source}")
    return "\n".join(lines) + "\n"


def _parse_signal(text: str) -> signal.Signals:
    name = text.strip().upper()
    if name.isdigit():
        try:
            return signal.Signals(int(name))
        except ValueError:
            raise ValueError(f"no signal has number {name}") from None
    if not name.startswith("SIG"):
        name = "SIG" + name
    try:
        return signal.Signals[name]
    except KeyError:
        raise ValueError(f"no signal is named {text.strip()!r}") from None


class Commands:
    """Runs the console's commands against one kernel.

    *is_protected* tells which tasks belong to the monitor itself: they
    cannot be cancelled from the console.
    """

    def __init__(self, kernel: Kernel, is_protected: Callable[[Task[Any]], bool]) -> None:
        self._kernel = kernel
        self._is_protected = is_protected

    def _find(self, argument: str) -> Task[Any] | str:
        """The live task whose id is *argument*, or the message saying why there is none."""
        if not argument.strip().isdigit():
            return f"expected a task id (a number), got {argument.strip()!r}\n"
        task_id = int(argument)
        for task in self._kernel.tasks:
            if task.id == task_id:
                return task
        return f"no task has id {task_id} (it may have ended; see 'ps')\n"

    async def execute(self, line: str) -> tuple[str, Action]:
        """Run the command *line*; return the text to show and what the session does next."""
        command, _, argument = line.strip().partition(" ")
        command = command.lower()
        argument = argument.strip()
        if not command:
            return "", Action.STAY
        if command == "help":
            return _HELP, Action.STAY
        if command == "ps":
            return format_ps(self._kernel), Action.STAY
        if command in ("where", "cancel"):
            if not argument:
                return f"usage: {command} ID\n", Action.STAY
            found = self._find(argument)
            if isinstance(found, str):
                return found, Action.STAY
            if command == "where":
                return format_where(found), Action.STAY
            return await self._cancel(found), Action.STAY
        if command == "signal":
            if not argument:
                return "usage: signal NAME (for example: signal TERM)\n", Action.STAY
            try:
                signo = _parse_signal(argument)
            except ValueError as exc:
                return f"{exc}\n", Action.STAY
            os.kill(os.getpid(), signo)
            return f"sent {signo.name} to process {os.getpid()}\n", Action.STAY
        if command == "continue":
            return "leaving the monitor; the program keeps running\n", Action.RESUME
        if command == "quit":
            return "stopping the kernel\n", Action.QUIT
        return f"unknown command {command!r}; type 'help' for the commands\n", Action.STAY

    async def _cancel(self, task: Task[Any]) -> str:
        if self._is_protected(task) or task is await current_task():
            return f"task {task.id} ({task.name}) belongs to the monitor; it cannot be cancelled\n"
        if await task.cancel():
            return f"task {task.id} ({task.name}) cancelled\n"
        return f"task {task.id} ({task.name}) had already ended\n"
