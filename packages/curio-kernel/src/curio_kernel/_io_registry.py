"""The I/O registry: which descriptors the selector watches, and for which waiting tasks.

Each watched descriptor has one :class:`IOEntry`: at most one task waiting
to read it, at most one waiting to write it, and the event mask registered
with the selector.  The registry keeps the selector and the entries in step;
the kernel decides who waits and whom to wake.

Discussion: why a descriptor stays watched after its reader is woken.  An
echo loop reads, waits, reads, waits: unregistering after every wake-up and
registering again at the next wait would cost two system calls per message.
So the read interest stays registered until the selector reports readiness
that nobody waits for, and only then is it dropped.

Discussion: descriptors closed behind the kernel's back.  ``Socket.close()``
tells the kernel first (``_io_release``), which wakes the waiting tasks with
an error.  A descriptor closed directly (``sock.raw_socket.close()``) is
silently dropped by the selector, and a task waiting on it would sleep for
ever.  :meth:`IORegistry.closed_entries` finds such entries: their file
object no longer has the descriptor it was registered with (a closed socket
answers ``fileno()`` with -1), or the descriptor itself is gone.  The kernel
asks when a poll found nothing to do, so the check costs nothing while
descriptors are busy.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
from typing import TYPE_CHECKING, Any

from curio_traps import FileLike

if TYPE_CHECKING:
    from .task import Task

__all__ = ["IOEntry", "IORegistry", "fileno_of"]


def fileno_of(fileobj: FileLike | int) -> int:
    """The descriptor of *fileobj*; ``OSError(EBADF)`` if it is closed."""
    fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
    if fd < 0:
        raise OSError(errno.EBADF, f"cannot wait on a closed file: {fileobj!r}")
    return fd


class IOEntry:
    """The tasks waiting on one descriptor, and what the selector watches for it."""

    __slots__ = ("fileobj", "mask", "reader", "writer")

    def __init__(self, fileobj: FileLike | int) -> None:
        self.fileobj = fileobj
        self.reader: Task[Any] | None = None
        self.writer: Task[Any] | None = None
        self.mask = 0


class IORegistry:
    """The selector and the entry of every descriptor it watches."""

    __slots__ = ("entries", "selector")

    def __init__(self, selector: selectors.BaseSelector) -> None:
        self.selector = selector
        #: Descriptor -> entry; the kernel's read hot path looks here directly.
        self.entries: dict[int, IOEntry] = {}

    def entry(self, fd: int, fileobj: FileLike | int) -> IOEntry:
        """The entry of *fd*, fresh if *fd* now belongs to another object."""
        entry = self.entries.get(fd)
        if (
            entry is not None
            and entry.fileobj is not fileobj
            and entry.reader is None
            and entry.writer is None
        ):
            # The old object was closed and its number reused.
            self.forget(fd)
            entry = None
        if entry is None:
            entry = self.entries[fd] = IOEntry(fileobj)
        return entry

    def set_mask(self, fd: int, entry: IOEntry, mask: int) -> None:
        """Watch *fd* for the events of *mask* (nothing: unregister it)."""
        if mask == entry.mask:
            return
        try:
            if mask == 0:
                self.selector.unregister(fd)
                del self.entries[fd]
            elif entry.mask == 0:
                self.selector.register(fd, mask, entry)
            else:
                self.selector.modify(fd, mask, entry)
        except (OSError, KeyError, ValueError):
            # The descriptor was closed behind the kernel's back: start afresh.
            self.forget(fd)
            entry.mask = 0
            if mask:
                self.selector.register(fd, mask, entry)
                self.entries[fd] = entry
        entry.mask = mask

    def drop_events(self, fd: int, entry: IOEntry, events: int) -> None:
        """Stop watching *fd* for *events*."""
        try:
            self.set_mask(fd, entry, entry.mask & ~events)
        except OSError:
            self.forget(fd)

    def forget(self, fd: int) -> None:
        """Drop *fd* from the selector and the registry, whatever state it is in."""
        self.entries.pop(fd, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(fd)

    def closed_entries(self) -> list[tuple[int, IOEntry]]:
        """The entries with a waiting task whose descriptor was closed without telling us."""
        closed: list[tuple[int, IOEntry]] = []
        for fd, entry in self.entries.items():
            if entry.reader is None and entry.writer is None:
                continue
            fileobj = entry.fileobj
            try:
                gone = (not isinstance(fileobj, int) and fileobj.fileno() != fd) or not _is_open(fd)
            except (OSError, ValueError):
                gone = True
            if gone:
                closed.append((fd, entry))
        return closed


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
