"""Signals: watching them, waiting for them, and turning Ctrl-C into an orderly stop.

``sigwatch`` and ``sigunwatch`` start and stop a signal set's watch (the
bookkeeping of which sets watch which signals is ``_signals.py``);
``sigwait`` parks a task until its set has a signal pending, watching the
set for the length of the wait if it is not watched already.  Signals arrive
as bytes on the kernel's wake socket (``signal.set_wakeup_fd``), which
``_io_traps.py`` drains into :meth:`SignalTraps._deliver_signal`.

While the kernel runs in the main thread and SIGINT has Python's default
handler, Ctrl-C only sets a flag that the loop checks after each poll, so
the loop raises ``KeyboardInterrupt`` between passes, not inside a task; a
second Ctrl-C before the loop has seen the first is raised at once, for a
task stuck computing.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Any

from curio_traps import SignalWatcher

from ._kernel_base import KernelBase
from ._signals import _SignalHub
from .task import Task

__all__ = ["SignalTraps"]


class SignalTraps(KernelBase):
    """The signal traps and the kernel's SIGINT handler."""

    _signals: _SignalHub
    #: The task waiting on each signal set, by the set's id.
    _signal_waiters: dict[int, Task[Any]]
    #: Set by the SIGINT handler; the loop raises KeyboardInterrupt when it sees it.
    _interrupted: int

    if TYPE_CHECKING:
        # Defined in _io_traps.py.

        def _drain_wake_socket(self) -> None: ...

    def trap_sigwatch(self, trap: tuple[int, SignalWatcher], /) -> object:
        self._watch(trap[1])
        return None

    def _watch(self, sigset: SignalWatcher) -> None:
        # Signals that arrived before the watch began belong to the watchers
        # of that moment: hand them out before adding the new one.
        self._drain_wake_socket()
        self._signals.watch(sigset)

    def trap_sigunwatch(self, trap: tuple[int, SignalWatcher], /) -> object:
        self._signals.unwatch(trap[1])
        return None

    def trap_sigwait(self, trap: tuple[int, SignalWatcher], /) -> object:
        task = self.current
        assert task is not None
        self._blocking(task)
        sigset = trap[1]
        if sigset.pending:
            return sigset.pending.popleft()
        if id(sigset) in self._signal_waiters:
            raise RuntimeError(f"another task is already waiting on {sigset!r}")
        if not self._signals.is_watched(sigset):
            self._watch(sigset)
            task._watched = sigset
        self._signal_waiters[id(sigset)] = task
        self._external += 1
        return self._suspend(task, "SIGNAL_WAIT", self._unwait_signal, sigset)

    def _unwait_signal(self, task: Task[Any]) -> None:
        self._signal_waiters.pop(id(task._wait_obj), None)
        self._external -= 1
        self._end_temporary_watch(task)

    def _deliver_signal(self, signo: int) -> None:
        for sigset in self._signals.deliver(signo):
            waiter = self._signal_waiters.pop(id(sigset), None)
            if waiter is not None:
                self._external -= 1
                self._end_temporary_watch(waiter)
                self._wake(waiter, sigset.pending.popleft())

    def _end_temporary_watch(self, task: Task[Any]) -> None:
        if task._watched is not None:
            self._signals.unwatch(task._watched)
            task._watched = None

    # ------------------------------------------------------------------ interrupts

    def _install_interrupt(self) -> None:
        """Turn Ctrl-C into a flag the loop checks, so tasks unwind cleanly."""
        self._saved_sigint: Any = None
        self._saved_wakeup = -1
        if threading.current_thread() is not threading.main_thread():
            return
        self._saved_wakeup = signal.set_wakeup_fd(
            self._wake_send.fileno(), warn_on_full_buffer=False
        )
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._saved_sigint = signal.signal(signal.SIGINT, self._on_sigint)

    def _restore_interrupt(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        signal.set_wakeup_fd(self._saved_wakeup)
        if self._saved_sigint is not None:
            if signal.getsignal(signal.SIGINT) == self._on_sigint:
                signal.signal(signal.SIGINT, self._saved_sigint)
            else:
                # A signal set still watches SIGINT: when it stops, it must
                # put back the handler from before the kernel, not the kernel's.
                self._signals.replace_restore(signal.SIGINT, self._on_sigint, self._saved_sigint)
            self._saved_sigint = None

    def _on_sigint(self, signo: int, frame: object) -> None:
        if self._interrupted:
            raise KeyboardInterrupt  # a second Ctrl-C: a task may be stuck computing
        self._interrupted = 1
