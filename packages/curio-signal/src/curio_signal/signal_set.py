"""``SignalSet``: Unix signals delivered to curio tasks one at a time.

A signal set names one or more signals.  While a task is inside
``async with sigset:`` the kernel queues every arrival of those signals in
``sigset.pending`` and :meth:`SignalSet.wait` hands them out in order, so a
burst is never lost.  Outside the block, :meth:`SignalSet.wait` watches the
signals only for the duration of the wait and returns the first to arrive.
The kernel does the watching through the ``_sigwatch``/``_sigunwatch``/
``_sigwait`` traps; this module never touches the ``signal`` handlers itself
except in :meth:`SignalSet.ignore`.
"""

from __future__ import annotations

import signal
import threading
from collections import deque
from collections.abc import Callable, Generator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any, Final, Self

from curio_traps import _sigunwatch, _sigwait, _sigwatch

__all__ = ["SignalSet"]

#: Signals no process can catch or ignore.
_UNCATCHABLE: Final = frozenset(
    getattr(signal, name) for name in ("SIGKILL", "SIGSTOP") if hasattr(signal, name)
)

#: A signal disposition, as ``signal.signal()`` takes it.
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers


def _signal_name(signo: int) -> str:
    """A readable name for *signo* (``SIGUSR1``), or its number when it has none."""
    try:
        return signal.Signals(signo).name
    except ValueError:
        return str(signo)


def _validate(sig: object) -> int:
    """Return *sig* as a signal number, or raise naming what is wrong with it."""
    if isinstance(sig, bool) or not isinstance(sig, int):
        raise TypeError(f"SignalSet() takes signal numbers (such as signal.SIGUSR1), not {sig!r}")
    signo = int(sig)
    if signo not in signal.valid_signals():
        raise ValueError(f"{signo} is not a valid signal number on this platform")
    if signo in _UNCATCHABLE:
        raise ValueError(f"{_signal_name(signo)} cannot be caught or ignored")
    return signo


class SignalSet:
    """A set of one or more Unix signals that tasks can wait for.

    *signals* are signal numbers from the :mod:`signal` module.  Duplicates
    are dropped; an unknown number raises :exc:`ValueError` naming it.
    Signals reach curio only when the kernel runs in the main thread; a
    kernel in another thread raises an error from the traps.
    """

    __slots__ = ("_active", "_pending", "_signos")

    def __init__(self, *signals: int) -> None:
        if not signals:
            raise ValueError("SignalSet() needs at least one signal")
        self._signos: tuple[int, ...] = tuple(dict.fromkeys(_validate(s) for s in signals))
        self._pending: deque[int] = deque()
        self._active = False

    @property
    def signos(self) -> tuple[int, ...]:
        """The signal numbers of this set, in the order given."""
        return self._signos

    @property
    def pending(self) -> deque[int]:
        """Signals received and not yet returned by :meth:`wait` (filled by the kernel)."""
        return self._pending

    def __repr__(self) -> str:
        names = ", ".join(_signal_name(s) for s in self._signos)
        state = "watching" if self._active else "idle"
        return f"<SignalSet {names} ({state}, {len(self._pending)} pending)>"

    async def __aenter__(self) -> Self:
        """Start queuing the set's signals until the block ends."""
        if self._active:
            raise RuntimeError(f"{self!r} is already in use by an 'async with' block")
        self._pending.clear()
        await _sigwatch(self)
        self._active = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop queuing and drop the signals nobody waited for.

        The kernel restores the handlers that were in place before once no
        other set watches the same signals.  ``_sigunwatch`` never blocks, so
        this runs to the end even when the task is being cancelled.
        """
        self._active = False
        try:
            await _sigunwatch(self)
        finally:
            self._pending.clear()

    async def wait(self) -> int:
        """Return the next signal of the set, waiting until one arrives.

        Inside ``async with`` the signals queued so far come first, oldest
        first; outside it the set is watched only while this call waits.
        """
        return await _sigwait(self)

    @contextmanager
    def ignore(self) -> Generator[None, None, None]:
        """Ignore the set's signals for the duration of a ``with`` block.

        Each signal's previous disposition is put back afterwards, even when
        the block raises or the task is cancelled.  Only possible in the main
        thread, like any change of signal disposition, and not for a signal
        whose handler was installed outside Python (``faulthandler``, say),
        which could not be put back.
        """
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError(
                "SignalSet.ignore() changes signal dispositions, which Python allows "
                "only in the main thread"
            )
        for signo in self._signos:
            if signal.getsignal(signo) is None:
                raise ValueError(
                    f"{_signal_name(signo)} has a handler installed outside Python "
                    "(faulthandler, say), which could not be put back after ignore()"
                )
        previous: list[tuple[int, _Handler]] = []
        try:
            for signo in self._signos:
                old = signal.signal(signo, signal.SIG_IGN)
                if old is not None:  # checked above; keeps the type checker informed
                    previous.append((signo, old))
            yield
        finally:
            for signo, old in reversed(previous):
                signal.signal(signo, old)
