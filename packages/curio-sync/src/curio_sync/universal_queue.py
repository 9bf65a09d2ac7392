"""UniversalQueue: one queue shared by curio tasks, threads and asyncio tasks in other threads.

Every method is called the same way in every world: with ``await`` in a coroutine (a
curio task or an asyncio task), without it anywhere else, where it blocks the calling
thread.  The queue is a deque under a :class:`threading.Lock` that is held only for a few
statements and never while anyone waits; a caller that must wait waits on a future
(:mod:`curio_sync._universal_wait`).

Items are handed over directly: ``put`` gives its item to the longest-waiting getter,
``get`` reserves the slot it frees for the longest-waiting putter.  A getter that leaves
(cancelled, timed out) after an item was handed to it gives the item back to the front
of the queue, or to the next getter; a putter that leaves after a slot was reserved for
it passes the slot on.

Discussion: the descriptor of ``withfd=True``.  A foreign event loop learns that the
queue has items by polling :meth:`UniversalQueue.fileno`, the read end of a pipe that
holds a byte per queued item.  A pipe holds only so many bytes; when it is full, the
bytes not written are counted instead (``_owed``) and a ``get`` pays one of those before
it reads one, so the descriptor stays readable exactly while the queue holds items,
however many that is.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import deque
from concurrent.futures import Future
from typing import Generic, TypeVar

from curio_traps import from_coroutine

from ._queue_inspection import _QueueInspection
from ._universal_wait import (
    _CORO_FLAGS,
    _block,
    _check_world,
    _in_comprehension,
    _typed_as_awaited,
    _wait,
    _Waiters,
)
from .errors import QueueEmpty, QueueFull, SyncUsageError

__all__ = ["UniversalQueue"]

T = TypeVar("T")


def _check_maxsize(maxsize: object) -> int:
    if isinstance(maxsize, bool) or not isinstance(maxsize, int):
        raise TypeError(f"UniversalQueue maxsize must be an int, not {type(maxsize).__name__}")
    if maxsize < 0:
        raise SyncUsageError(
            f"UniversalQueue maxsize must be >= 0 (0 means unbounded), not {maxsize}"
        )
    return maxsize


def _no_timeout_here(method: str, timeout: float | None) -> None:
    if timeout is not None:
        raise TypeError(
            f"UniversalQueue.{method}(timeout=...) applies to a thread's blocking call; in a "
            "coroutine, bound the wait with curio's timeout_after() or asyncio.wait_for()"
        )


class UniversalQueue(_QueueInspection, Generic[T]):
    """A first-in, first-out queue of items of type ``T`` for curio, threads and asyncio at once.

    ``await q.get()`` / ``await q.put(item)`` in a curio task or in an asyncio task (in a
    thread of its own: curio and asyncio never share a thread), ``q.get()`` /
    ``q.put(item)`` in any other thread, where they block; ``join`` and ``task_done``
    likewise.  *maxsize* bounds the number of items (0, the default, means no bound).
    With *withfd*, :meth:`fileno` gives a descriptor that is readable while the queue holds
    items, for a foreign event loop to poll.  Subscript it to fix the item type:
    ``UniversalQueue[int]()``.

    A waiter cancelled or timed out in any world leaves the queue as if it had never
    waited: no item is lost and no later ``put`` is swallowed by it.  A coroutine that has
    to wait needs a curio kernel or an asyncio loop in its thread; anywhere else that wait
    raises :exc:`RuntimeError` and leaves nothing behind.

    For a type checker each method is typed as its thread form, so typed asynchronous code
    awaits through ``typing.cast`` or an ``Awaitable`` annotation of its own.
    """

    __slots__ = (
        "__weakref__",
        "_getters",
        "_handed",
        "_items",
        "_joiners",
        "_lock",
        "_maxsize",
        "_owed",
        "_putters",
        "_read_fd",
        "_reserved",
        "_simple",
        "_unfinished",
        "_write_fd",
    )

    def __init__(self, maxsize: int = 0, withfd: bool = False) -> None:
        self._maxsize = _check_maxsize(maxsize)
        self._lock = threading.Lock()
        self._items: deque[T] = deque()
        self._getters: _Waiters[T] = _Waiters()
        self._putters: _Waiters[None] = _Waiters()
        self._joiners: _Waiters[None] = _Waiters()
        #: Items put but not yet marked done by ``task_done``.
        self._unfinished = 0
        #: Slots freed by ``get`` and promised to putters that have not yet used them.
        self._reserved = 0
        #: Items a bounded queue handed to waiting getters that have not resumed yet: they
        #: keep their slot, since a getter that leaves instead gives its item back.
        self._handed = 0
        #: Bytes the full pipe of ``withfd`` could not take (see the module's discussion).
        self._owed = 0
        self._read_fd = self._write_fd = -1
        #: Unbounded and without a descriptor: no putter ever waits and no byte is kept,
        #: so a stored item is taken with a bare ``popleft`` and added with ``append``.
        self._simple = not maxsize and not withfd
        if withfd:
            self._read_fd, self._write_fd = os.pipe()
            os.set_blocking(self._read_fd, False)
            os.set_blocking(self._write_fd, False)

    def __del__(self) -> None:
        self._close_fds()

    def _close_fds(self) -> None:
        read_fd, write_fd = getattr(self, "_read_fd", -1), getattr(self, "_write_fd", -1)
        self._read_fd = self._write_fd = -1
        for fd in (read_fd, write_fd):
            if fd >= 0:
                os.close(fd)

    def fileno(self) -> int:
        """The descriptor of ``withfd=True``: readable while the queue holds items.

        Poll it (``select``, a foreign loop's reader callback), then call :meth:`get`; never
        read it yourself: each ``get`` reads the byte of the item it takes.  Raises
        :exc:`SyncUsageError` for a queue made without *withfd*.
        """
        if self._read_fd < 0:
            raise SyncUsageError(
                "UniversalQueue.fileno(): this queue has no descriptor; create it with "
                "UniversalQueue(withfd=True) to poll it from a foreign event loop"
            )
        return self._read_fd

    def close(self) -> None:
        """Close the descriptor of ``withfd=True`` now rather than when the queue is collected."""
        self._close_fds()

    # ------------------------------------------------------------------ under the lock

    def _hand(self, item: T) -> bool:
        """Give *item* to the oldest waiting getter; ``False`` if none waits.  Needs the lock."""
        if self._getters.wake_one(item):
            if self._maxsize:
                self._handed += 1
            return True
        return False

    def _received(self) -> None:
        """A getter of a bounded queue resumed with the item it was handed: its slot is free."""
        with self._lock:
            self._handed -= 1
            if self._putters and self._putters.wake_one(None):
                self._reserved += 1

    def _push(self, item: T, front: bool = False) -> None:
        """Give *item* to the oldest waiting getter, or store it.  Needs the lock."""
        if self._hand(item):
            return
        if front:
            self._items.appendleft(item)
        else:
            self._items.append(item)
        if self._write_fd >= 0:
            self._signal_item()

    def _try_put(self, item: T) -> bool:
        """Put *item* if that needs no wait; ``False`` if the queue is full.  Needs the lock.

        An item handed to a waiting getter keeps its slot until the getter resumes (a
        getter that leaves instead gives it back), so a full queue hands nothing either.
        """
        if not self._maxsize or self._has_room():
            self._push(item)
            self._unfinished += 1
            return True
        return False

    def _signal_item(self) -> None:
        if self._owed:
            self._owed += 1
            return
        try:
            os.write(self._write_fd, b"\x01")
        except BlockingIOError:
            self._owed += 1

    def _pop(self) -> T:
        """Take the oldest item and free its slot for the oldest putter.  Needs the lock.

        ``IndexError``, with nothing changed, when the queue is empty.
        """
        item = self._items.popleft()
        if self._read_fd >= 0:
            if self._owed:
                self._owed -= 1
            else:
                # A byte per stored item is there, unless the caller read the pipe itself.
                with contextlib.suppress(BlockingIOError):
                    os.read(self._read_fd, 1)
        if self._putters and self._putters.wake_one(None):
            self._reserved += 1
        return item

    def _has_room(self) -> bool:
        maxsize = self._maxsize
        return not maxsize or len(self._items) + self._reserved + self._handed < maxsize

    def _leave_get(self, future: Future[T], give_back: bool) -> bool:
        with self._lock:
            if self._getters.withdraw(future):
                return True
            if give_back and not future.cancelled():
                # Handed an item it will not use: the item goes back to the front, into
                # the slot it kept.
                if self._maxsize:
                    self._handed -= 1
                self._push(future.result(), front=True)
            return False

    def _leave_put(self, future: Future[None], give_back: bool) -> bool:
        with self._lock:
            if self._putters.withdraw(future):
                return True
            if give_back and not future.cancelled():
                # Promised a slot it will not use: the slot goes to the next putter.
                self._reserved -= 1
                if self._putters.wake_one(None):
                    self._reserved += 1
            return False

    def _leave_join(self, future: Future[None], give_back: bool) -> bool:
        with self._lock:
            return self._joiners.withdraw(future)

    def _put_reserved(self, item: T) -> None:
        """Use the slot a getter reserved for this putter.  Needs the lock."""
        self._reserved -= 1
        self._push(item)  # stored, or handed to a getter that keeps the slot meanwhile
        self._unfinished += 1

    # ------------------------------------------------------------------ get

    @_typed_as_awaited
    def get(self, timeout: float | None = None) -> T:
        """Remove and return the oldest item, waiting while the queue is empty.

        ``await q.get()`` in a curio or asyncio task; ``q.get()`` in a thread, where
        *timeout* (seconds) bounds the wait and raises :exc:`QueueEmpty` (a
        :exc:`queue.Empty`) when it runs out.
        """
        code = sys._getframe(1).f_code
        if code.co_flags & _CORO_FLAGS or _in_comprehension(code.co_name):
            return self._get_async(timeout)  # type: ignore[return-value]  # awaited by the caller
        if self._simple:
            # Wins the row "task -> thread" of bench_universal.py: see _get_async.
            try:
                return self._items.popleft()
            except IndexError:
                pass
        with self._lock:
            try:
                return self._pop()
            except IndexError:
                future = self._getters.add()
        try:
            item = _block(future, timeout, self._leave_get)
        except TimeoutError:
            raise QueueEmpty(f"UniversalQueue.get(): no item within {timeout} s") from None
        if self._maxsize:
            self._received()
        return item

    async def _get_async(self, timeout: float | None) -> T:
        if timeout is not None:
            _no_timeout_here("get", timeout)
        if self._simple:
            # Wins the row "thread -> task" of bench_universal.py: a stored item is taken
            # at once, with no lock, no future and no question about the world.  Only an
            # append needs the lock (against a getter about to wait), and ``popleft`` is
            # atomic, so the pops of the locked paths below fail cleanly (IndexError) if
            # this one took the last item first.
            try:
                return self._items.popleft()
            except IndexError:
                pass
        curio = _check_world("UniversalQueue.get()")
        with self._lock:
            try:
                return self._pop()
            except IndexError:
                future = self._getters.add()
        item = await _wait(future, curio, self._leave_get)
        if self._maxsize:
            self._received()
        return item

    def get_nowait(self) -> T:
        """Remove and return the oldest item without waiting; :exc:`QueueEmpty` if there is none.

        A plain call in every world (it never waits).
        """
        with self._lock:
            try:
                return self._pop()
            except IndexError:
                pass
        raise QueueEmpty("UniversalQueue.get_nowait(): the queue is empty")

    # ------------------------------------------------------------------ put

    @_typed_as_awaited
    def put(self, item: T, timeout: float | None = None) -> None:
        """Add *item*, waiting while a bounded queue is full.

        ``await q.put(item)`` in a curio or asyncio task; ``q.put(item)`` in a thread, where
        *timeout* (seconds) bounds the wait and raises :exc:`QueueFull` (a
        :exc:`queue.Full`) when it runs out.
        """
        code = sys._getframe(1).f_code
        if code.co_flags & _CORO_FLAGS or _in_comprehension(code.co_name):
            return self._put_async(item, timeout)  # type: ignore[return-value]  # awaited
        with self._lock:
            # Wins the row "thread -> task" of bench_universal.py: nobody waits, so the
            # item is stored with a bare append.
            if self._simple and not self._getters:
                self._items.append(item)
                self._unfinished += 1
                return
            if self._try_put(item):
                return
            future = self._putters.add()
        try:
            _block(future, timeout, self._leave_put)
        except TimeoutError:
            raise QueueFull(f"UniversalQueue.put(): no free slot within {timeout} s") from None
        with self._lock:
            self._put_reserved(item)

    async def _put_async(self, item: T, timeout: float | None) -> None:
        if timeout is not None:
            _no_timeout_here("put", timeout)
        with self._lock:
            # Wins the row "task -> thread" of bench_universal.py, as in put() above.
            if self._simple and not self._getters:
                self._items.append(item)
                self._unfinished += 1
                return
            if self._try_put(item):
                return
        curio = _check_world("UniversalQueue.put()")
        with self._lock:
            if self._try_put(item):
                return
            future = self._putters.add()
        await _wait(future, curio, self._leave_put)
        with self._lock:
            self._put_reserved(item)

    def put_nowait(self, item: T) -> None:
        """Add *item* without waiting; :exc:`QueueFull` if a bounded queue has no free slot.

        A plain call in every world (it never waits).
        """
        with self._lock:
            if self._try_put(item):
                return
        raise QueueFull("UniversalQueue.put_nowait(): the queue is full")

    # ------------------------------------------------------------------ join

    @_typed_as_awaited
    def task_done(self) -> None:
        """Mark one item as processed; the last one wakes everyone waiting in :meth:`join`.

        ``await q.task_done()`` in a coroutine, ``q.task_done()`` in a thread (it never
        waits).  Raises :exc:`SyncUsageError` when called more times than items were put.
        """
        if from_coroutine():
            return self._task_done_async()  # type: ignore[return-value]  # awaited
        self._task_done()

    async def _task_done_async(self) -> None:
        self._task_done()

    def _task_done(self) -> None:
        with self._lock:
            if self._unfinished <= 0:
                raise SyncUsageError(
                    "UniversalQueue.task_done() called more times than items were put"
                )
            self._unfinished -= 1
            if not self._unfinished:
                self._joiners.wake_all(None)

    @_typed_as_awaited
    def join(self, timeout: float | None = None) -> None:
        """Wait until every item put so far has been marked done with :meth:`task_done`.

        ``await q.join()`` in a coroutine; ``q.join()`` in a thread, where *timeout*
        (seconds) bounds the wait and raises :exc:`TimeoutError` when it runs out.
        """
        if from_coroutine():
            return self._join_async(timeout)  # type: ignore[return-value]  # awaited
        with self._lock:
            if not self._unfinished:
                return
            future = self._joiners.add()
        _block(future, timeout, self._leave_join)

    async def _join_async(self, timeout: float | None) -> None:
        _no_timeout_here("join", timeout)
        curio = _check_world("UniversalQueue.join()")
        with self._lock:
            if not self._unfinished:
                return
            future = self._joiners.add()
        await _wait(future, curio, self._leave_join)
