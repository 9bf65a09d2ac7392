"""The monitor of one kernel: it takes Ctrl-C and serves the console.

A :class:`Monitor` owns the kernel's Ctrl-C handler and the remote console's
listening socket, and runs each console session as a daemon task of the
kernel it watches.  The kernel is handed in, never imported (but for type
checking): ``Kernel.run`` imports the monitor when it first needs one, and
the import must not come back round to the kernel.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import weakref
from types import FrameType
from typing import TYPE_CHECKING, Any

from curio_traps import CancelledError, _io_release, _read_wait, _sleep, running_kernel

from ..task import Task, spawn
from ._address import MONITOR_ENV, Address, address_from_env, format_address, listen
from ._commands import Action, Commands
from ._console import SocketChannel, TerminalChannel, run_session

if TYPE_CHECKING:
    from ..kernel import Kernel

__all__ = ["Monitor", "attach_monitor"]

_log = logging.getLogger("curio.monitor")


def _closing_by_gc() -> bool:
    """True inside a ``finally`` run because a coroutine is being closed without its kernel.

    No trap can be awaited then; cleanup must stay synchronous.
    """
    return isinstance(sys.exception(), GeneratorExit)


class Monitor:
    """The monitor of one kernel: takes Ctrl-C and serves the console.

    Made by :func:`attach_monitor`.  Its tasks are daemons of the kernel, so
    they never keep :meth:`Kernel.run` alive, and they end (putting the
    Ctrl-C handler back) when the kernel shuts down.
    """

    def __init__(self, kernel: Kernel, address: Address | None = None) -> None:
        self.kernel = kernel
        #: Where the remote console listens (with the port actually bound), or ``None``.
        self.address: Address | None = None
        self._wanted_address = address
        self._commands = Commands(kernel, self._owns)
        self._tasks: weakref.WeakSet[Task[Any]] = weakref.WeakSet()
        self._console: Task[Any] | None = None
        self._interrupt_pending = False
        self._wake_recv: socket.socket | None = None
        self._wake_send: socket.socket | None = None
        self._previous_sigint: Any = None
        self._started = False

    def __repr__(self) -> str:
        where = "no remote console" if self.address is None else format_address(self.address)
        return f"<Monitor of {self.kernel!r}, {where}>"

    def _owns(self, task: Task[Any]) -> bool:
        return task in self._tasks

    def _start(self) -> None:
        """Open the remote console's socket, take Ctrl-C, and add the monitor's tasks."""
        if self._started:
            raise RuntimeError("this monitor has already started")
        self._started = True
        kernel = self.kernel
        if self._wanted_address is not None:
            server, self.address = listen(self._wanted_address)
            self._tasks.add(kernel.add_task(self._serve(server), daemon=True))
            print(
                f"curio monitor: listening on {format_address(self.address)}",
                file=sys.stderr,
                flush=True,
            )
        # Ctrl-C is taken only from Python's default handler: a program (or a
        # shell running it in the background) that chose otherwise keeps its choice.
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._wake_recv, self._wake_send = socket.socketpair()
            self._wake_recv.setblocking(False)
            self._wake_send.setblocking(False)
            self._previous_sigint = signal.signal(signal.SIGINT, self._on_sigint)
            self._tasks.add(kernel.add_task(self._watch_interrupts(), daemon=True))

    # ------------------------------------------------------------------ Ctrl-C

    def _on_sigint(self, signo: int, frame: FrameType | None) -> None:
        """Ask the monitor task for the console; interrupt at once if it cannot answer."""
        wake = self._wake_send
        # Not running, or the previous Ctrl-C is still unanswered (a task
        # computing without yielding holds the kernel): behave as Python does.
        if wake is None or self._interrupt_pending or running_kernel() is not self.kernel:
            raise KeyboardInterrupt
        self._interrupt_pending = True
        with contextlib.suppress(OSError):
            wake.send(b"\0")

    def _restore_sigint(self) -> None:
        previous, self._previous_sigint = self._previous_sigint, None
        if previous is not None and signal.getsignal(signal.SIGINT) == self._on_sigint:
            signal.signal(signal.SIGINT, previous)

    async def _watch_interrupts(self) -> None:
        """Open the console on Ctrl-C; a Ctrl-C while it is open ends the program."""
        wake = self._wake_recv
        assert wake is not None
        try:
            while True:
                await _read_wait(wake)
                with contextlib.suppress(BlockingIOError, InterruptedError):
                    while wake.recv(256):
                        pass
                if not self._interrupt_pending:
                    continue
                self._interrupt_pending = False
                if self._console is not None and not self._console.terminated:
                    raise KeyboardInterrupt
                self._console = await spawn(self._local_console(), daemon=True)
                self._tasks.add(self._console)
        finally:
            self._restore_sigint()
            if not _closing_by_gc():
                await _io_release(wake)
            wake.close()
            if self._wake_send is not None:
                self._wake_send.close()
            self._wake_recv = self._wake_send = None

    def _banner(self, local: bool) -> str:
        count = len(self.kernel.tasks)
        if local:
            ending = "Ctrl-C again, or the end of input, ends the program"
        else:
            ending = f"process {os.getpid()}; 'continue' or the end of input disconnects"
        return (
            f"\ncurio monitor: {count} tasks ({ending}).\n"
            "Commands: ps, where ID, cancel ID, signal NAME, continue, quit, help.\n"
        )

    async def _local_console(self) -> None:
        """The console on this process's terminal (standard input and output)."""
        fd: int | None = None
        if sys.stdin is not None:
            with contextlib.suppress(ValueError, OSError):
                fd = sys.stdin.fileno()
        channel = TerminalChannel(fd, sys.stdout)
        try:
            action = await run_session(channel, self._commands, self._banner(local=True))
        except CancelledError:
            await channel.write("\n")  # the program ends: leave the prompt's line
            raise
        if action is Action.EOF:
            await channel.write("\n")
            raise KeyboardInterrupt
        if action is Action.QUIT:
            self.kernel.stop()

    # ------------------------------------------------------------------ remote console

    async def _serve(self, server: socket.socket) -> None:
        """Accept remote consoles until the kernel shuts down."""
        path = server.getsockname() if server.family == socket.AF_UNIX else None
        try:
            while True:
                await _read_wait(server)
                try:
                    conn, _ = server.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    continue
                except OSError as exc:
                    # Out of descriptors, most likely: give the others time to close some.
                    _log.warning("the monitor cannot accept a console connection: %s", exc)
                    await _sleep(0.5)
                    continue
                self._tasks.add(await spawn(self._remote_console(conn), daemon=True))
        finally:
            if not _closing_by_gc():
                await _io_release(server)
            server.close()
            if isinstance(path, str) and path:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    async def _remote_console(self, conn: socket.socket) -> None:
        """One remote console; ``quit`` stops the kernel, anything else just disconnects."""
        channel = SocketChannel(conn)
        try:
            action = await run_session(channel, self._commands, self._banner(local=False))
            if action is Action.QUIT:
                self.kernel.stop()
        except OSError as exc:
            _log.debug("monitor console connection lost: %s", exc)
        finally:
            if _closing_by_gc():
                conn.close()
            else:
                await channel.close()


def attach_monitor(kernel: Kernel) -> Monitor:
    """Start the monitor of *kernel*; :meth:`Kernel.run` calls it once, before the kernel runs.

    Takes Ctrl-C when Python's default handler has it and the kernel runs in
    the main thread.  Serves the remote console where ``CURIO_MONITOR`` says
    (nowhere when it is unset); a bad or non-loopback address raises
    ``ValueError`` here, before any task runs.
    """
    monitor = Monitor(kernel, address_from_env(os.environ.get(MONITOR_ENV)))
    monitor._start()
    return monitor
