"""The kernel's signal bookkeeping: which signal sets watch which signals.

Signals reach the kernel through ``signal.set_wakeup_fd``: the interpreter
writes each arriving signal's number to the kernel's wake-up socket, so a
kernel asleep in its selector wakes at once.  Python-level handlers for
watched signals do nothing; all the work happens when the kernel reads the
numbers back.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from curio_traps import SignalWatcher

__all__: list[str] = []

_Handler = Callable[[int, Any], Any] | int | signal.Handlers | None


def _ignore_here(signo: int, frame: object) -> None:
    """Handler for watched signals: the wake-up descriptor carries the signal."""


def _signal_name(signo: int) -> str:
    try:
        return signal.Signals(signo).name
    except ValueError:
        return f"signal {signo}"


class _SignalHub:
    """Which signal sets watch each signal, and the dispositions to restore."""

    def __init__(self) -> None:
        self.watchers: dict[int, list[SignalWatcher]] = {}
        self._previous: dict[int, _Handler] = {}

    def watch(self, sigset: SignalWatcher) -> None:
        """Start queuing *sigset*'s signals into ``sigset.pending``."""
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("signals can only be watched by a kernel running in the main thread")
        for signo in sigset.signos:
            if signo not in self.watchers and signal.getsignal(signo) is None:
                raise ValueError(
                    f"{_signal_name(signo)} has a handler installed outside Python "
                    "(faulthandler, say), which could not be restored afterwards"
                )
        for signo in sigset.signos:
            watchers = self.watchers.get(signo)
            if watchers is None:
                self._previous[signo] = signal.signal(signo, _ignore_here)
                self.watchers[signo] = watchers = []
            if sigset not in watchers:
                watchers.append(sigset)

    def unwatch(self, sigset: SignalWatcher) -> None:
        """Stop queuing *sigset*'s signals; restore a signal's handler when nobody watches it."""
        for signo in sigset.signos:
            watchers = self.watchers.get(signo)
            if watchers is None or sigset not in watchers:
                continue
            watchers.remove(sigset)
            if not watchers:
                del self.watchers[signo]
                signal.signal(signo, self._previous.pop(signo))

    def replace_restore(self, signo: int, old: _Handler, new: _Handler) -> None:
        """While *signo* is watched, put back *new* instead of *old* when the watch ends."""
        if signo in self._previous and self._previous[signo] == old:
            self._previous[signo] = new

    def is_watched(self, sigset: SignalWatcher) -> bool:
        """True while *sigset* is watched."""
        return any(sigset in self.watchers.get(signo, ()) for signo in sigset.signos)

    def deliver(self, signo: int) -> list[SignalWatcher]:
        """Queue *signo* on every set watching it; return those sets."""
        watchers = self.watchers.get(signo, [])
        for sigset in watchers:
            sigset.pending.append(signo)
        return watchers

    def close(self) -> None:
        """Restore every handler this hub replaced."""
        for signo, previous in self._previous.items():
            signal.signal(signo, previous)
        self._previous.clear()
        self.watchers.clear()
