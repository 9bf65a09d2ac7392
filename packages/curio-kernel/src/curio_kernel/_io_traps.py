"""Waiting on descriptors, and the poll of the selector that ends those waits.

The traps ``read_wait``, ``write_wait``, ``io_release`` and ``io_waiting``
park a task on a descriptor of the I/O registry (``_io_registry.py``: which
descriptors the selector watches, and why a read interest stays registered
after a wake-up).  :meth:`IOTraps._poll` is the loop's only wait: it sleeps
in the selector, wakes the tasks whose descriptors are ready and, at most
once a second when a poll finds nothing, wakes with ``EBADF`` those whose
descriptor was closed behind the kernel's back.

The selector also watches the kernel's wake socket.  Threads write a zero
byte to it when a future completes (:meth:`IOTraps._wake_selector`), and
``signal.set_wakeup_fd`` writes each arriving signal's number;
:meth:`IOTraps._drain_wake_socket` hands the signals to ``_signal_traps``
and the completed futures to their waiting tasks.

Discussion: the read hot path.  An echo server waits to read the same socket
after every message, and that socket is still registered for reading since
the last wait.  ``trap_read_wait`` finds that case first, in the registry's
own dict (``Kernel._io``), and parks the task inline with the cached bound
method ``_unwait_read_cb``; everything else goes through ``_wait_io``.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from curio_traps import (
    SUSPEND,
    FileLike,
    ReadResourceBusy,
    WriteResourceBusy,
)

from ._io_registry import IOEntry, IORegistry, fileno_of
from ._kernel_base import KernelBase
from .task import Task

__all__ = ["IOTraps"]

_EVENT_READ: Final = selectors.EVENT_READ
_EVENT_WRITE: Final = selectors.EVENT_WRITE
#: The longest wait while tasks wait on descriptors: an idle poll this long
#: looks for descriptors closed behind the kernel's back (see _io_registry).
_IDLE_CHECK: Final = 1.0
_THREAD_WAKE: Final = 0


class IOTraps(KernelBase):
    """The I/O traps, the poll, and the wake socket."""

    _selector: selectors.BaseSelector
    _registry: IORegistry
    #: ``_registry.entries`` itself: the read hot path looks here.
    _io: dict[int, IOEntry]
    #: How many tasks wait on a descriptor.
    _io_waiting: int
    _last_idle_check: float
    _wake_recv: socket.socket
    _unwait_read_cb: Callable[[Task[Any]], None]

    if TYPE_CHECKING:
        # Defined in _signal_traps.py.

        def _deliver_signal(self, signo: int) -> None: ...

    def trap_read_wait(self, trap: tuple[int, FileLike | int], /) -> object:
        task = self.current
        assert task is not None
        fileobj = trap[1]
        entry = self._io.get(fileobj if fileobj.__class__ is int else fileobj.fileno())  # type: ignore[union-attr]
        if (
            entry is not None
            and entry.fileobj is fileobj
            and entry.reader is None
            and entry.mask & _EVENT_READ
            and task._cancel_pending is None
        ):
            # The echo hot path: still watched for reading since the last wait,
            # so there is nothing to register; park the task directly.
            entry.reader = task
            self._io_waiting += 1
            task.state = "READ_WAIT"
            task.waiting_since = self._now
            task._unwait = self._unwait_read_cb
            task._wait_obj = entry
            return SUSPEND
        return self._wait_io(task, fileobj, reading=True)

    def _wait_io(self, task: Task[Any], fileobj: FileLike | int, reading: bool) -> object:
        """Park *task* until *fileobj* is readable (or writable), registering it if needed."""
        self._blocking(task)
        fd = fileno_of(fileobj)
        entry = self._registry.entry(fd, fileobj)
        other = entry.reader if reading else entry.writer
        if other is not None:
            what = "read" if reading else "write"
            busy = ReadResourceBusy if reading else WriteResourceBusy
            raise busy(f"task {other.id} is already waiting to {what} {fileobj!r}")
        self._registry.set_mask(fd, entry, entry.mask | (_EVENT_READ if reading else _EVENT_WRITE))
        self._io_waiting += 1
        if reading:
            entry.reader = task
            return self._suspend(task, "READ_WAIT", self._unwait_read_cb, entry)
        entry.writer = task
        return self._suspend(task, "WRITE_WAIT", self._unwait_write, entry)

    def _unwait_read(self, task: Task[Any]) -> None:
        task._wait_obj.reader = None
        self._io_waiting -= 1

    def trap_write_wait(self, trap: tuple[int, FileLike | int], /) -> object:
        task = self.current
        assert task is not None
        return self._wait_io(task, trap[1], reading=False)

    def _unwait_write(self, task: Task[Any]) -> None:
        task._wait_obj.writer = None
        self._io_waiting -= 1

    def trap_io_release(self, trap: tuple[int, FileLike | int], /) -> object:
        fileobj = trap[1]
        fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
        entry = self._io.get(fd)
        if entry is not None:
            self._release(fd, entry)
        return None

    def trap_io_waiting(self, trap: tuple[int, FileLike | int], /) -> object:
        entry = self._io.get(fileno_of(trap[1]))
        if entry is None:
            return (None, None)
        return (entry.reader, entry.writer)

    # ------------------------------------------------------------------ polling

    def _poll(self, timeout: float | None) -> None:
        """Wait up to *timeout* for descriptors, thread completions and signals."""
        if timeout is None or timeout > self._max_poll:
            timeout = self._max_poll
        if self._io_waiting and timeout > _IDLE_CHECK:
            timeout = _IDLE_CHECK
        events = self._selector.select(timeout)
        if not events:
            # An idle poll: at most once per _IDLE_CHECK, look for waits that
            # can never end because their descriptor was closed directly.
            if timeout and self._io_waiting:
                now = time.monotonic()
                if now - self._last_idle_check >= _IDLE_CHECK:
                    self._last_idle_check = now
                    self._wake_closed_waiters()
            return
        registry = self._registry
        for key, mask in events:
            entry = key.data
            if entry is None:
                self._drain_wake_socket()
                continue
            if mask & _EVENT_READ:
                reader = entry.reader
                if reader is not None:
                    entry.reader = None
                    self._io_waiting -= 1
                    self._wake(reader)
                else:
                    # Readiness nobody waits for: stop watching (kept watched
                    # after a wake because the next read usually comes soon).
                    registry.drop_events(key.fd, entry, _EVENT_READ)
            if mask & _EVENT_WRITE:
                writer = entry.writer
                if writer is not None:
                    entry.writer = None
                    self._io_waiting -= 1
                    self._wake(writer)
                registry.drop_events(key.fd, entry, _EVENT_WRITE)

    def _wake_closed_waiters(self) -> None:
        """Wake, with ``EBADF``, the tasks waiting on descriptors closed behind our back."""
        for fd, entry in self._registry.closed_entries():
            self._release(fd, entry)

    def _release(self, fd: int, entry: IOEntry) -> None:
        """Forget *fd*, waking its waiting tasks with an error that says it was closed."""
        closed = OSError(errno.EBADF, f"{entry.fileobj!r} was closed while a task waited on it")
        for waiter in (entry.reader, entry.writer):
            if waiter is not None:
                self._io_waiting -= 1
                self._wake(waiter, None, closed)
        entry.reader = entry.writer = None
        self._registry.forget(fd)

    def _wake_selector(self) -> None:
        """Interrupt a poll in progress; safe from any thread."""
        # A full buffer already holds wake-ups; a closed kernel needs none.
        with contextlib.suppress(OSError):
            self._wake_send.send(b"\0")

    def _drain_wake_socket(self) -> None:
        while True:
            try:
                data = self._wake_recv.recv(4096)
            except (BlockingIOError, InterruptedError):
                break
            if not data:
                break
            for signo in data:
                if signo != _THREAD_WAKE:
                    self._deliver_signal(signo)
        completions = self._completions
        while completions:
            task, future, want_result = completions.popleft()
            if task._wait_obj is not future:
                continue  # the waiter was cancelled meanwhile
            self._external -= 1
            self._work_waits.discard(future)
            if not want_result or future.cancelled():
                self._wake(task)
            elif (error := future.exception()) is not None:
                self._wake(task, None, error)
            else:
                self._wake(task, future.result())
