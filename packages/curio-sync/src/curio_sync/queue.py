"""Queue, PriorityQueue and LifoQueue: typed channels between tasks.

Items are handed over directly whenever someone waits: ``put`` gives its item
to the longest-waiting getter, and ``get`` reserves the slot it frees for the
longest-waiting putter.  The kernel guarantees that a task it has woken
resumes with what it was handed (a cancellation arriving afterwards is
delivered at the task's next wait), so no item is lost or duplicated when a
wake-up and a cancellation land together, and a waiter cancelled before its
wake-up leaves the queue exactly as if it had never waited.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from curio_traps import WaitQueue, _wait_on_queue

from ._direct import _wake_now
from ._queue_inspection import _QueueInspection
from .errors import QueueEmpty, QueueFull, SyncUsageError

__all__ = ["LifoQueue", "PriorityQueue", "Queue"]

T = TypeVar("T")


class _Orderable(Protocol):
    """What a priority queue's items must support: ``<`` among themselves."""

    def __lt__(self, other: Any, /) -> bool: ...


_OrderableT = TypeVar("_OrderableT", bound=_Orderable)


def _check_maxsize(maxsize: int) -> int:
    if isinstance(maxsize, bool) or not isinstance(maxsize, int):
        raise TypeError(f"queue maxsize must be an int, not {type(maxsize).__name__}")
    if maxsize < 0:
        raise SyncUsageError(f"queue maxsize must be >= 0 (0 means unbounded), not {maxsize}")
    return maxsize


class Queue(_QueueInspection, Generic[T]):
    """A first-in, first-out queue of items of type ``T`` shared by tasks.

    *maxsize* bounds the number of items it holds (0, the default, means no
    bound): ``put`` waits while it is full and ``get`` while it is empty, and
    the waiting tasks are served first in, first out.  ``task_done`` and
    ``join`` let a producer wait until every item it put has been processed.
    Subscript it to fix the item type: ``Queue[int]()``.
    """

    __slots__ = (
        "_getters",
        "_handed",
        "_items",
        "_joiners",
        "_maxsize",
        "_pop",
        "_push",
        "_putters",
        "_reserved",
        "_unfinished",
    )

    _items: deque[T] | list[T]
    _pop: Callable[[], T]
    _push: Callable[[T], None]

    def __init__(self, maxsize: int = 0) -> None:
        self._maxsize = _check_maxsize(maxsize)
        self._init_items()
        self._getters = WaitQueue()
        self._putters = WaitQueue()
        self._joiners = WaitQueue()
        #: Items put but not yet marked done by ``task_done``.
        self._unfinished = 0
        #: Slots freed by ``get`` and promised to woken putters not yet resumed.
        self._reserved = 0
        #: Items handed to getters that have not resumed: always none here, since a woken
        #: getter resumes with its item (a UniversalQueue's getter may give it back).
        self._handed = 0

    def _init_items(self) -> None:
        """Create the item store and its ``_pop``/``_push``: FIFO here."""
        items: deque[T] = deque()
        self._items = items
        self._pop = items.popleft
        self._push = items.append

    async def get(self) -> T:
        """Remove and return the oldest item, waiting while the queue is empty."""
        if self._items:
            if self._putters:
                _wake_now(self._putters, 1, None)
                self._reserved += 1
            return self._pop()
        handed: T = await _wait_on_queue(self._getters, "QUEUE_GET")
        return handed

    def get_nowait(self) -> T:
        """Remove and return the oldest item; raise :class:`QueueEmpty` if there is none."""
        if not self._items:
            raise QueueEmpty(f"{type(self).__name__}.get_nowait(): the queue is empty")
        if self._putters:
            # Wake first: if that fails (no kernel here), nothing has changed.
            _wake_now(self._putters, 1, None)
            self._reserved += 1
        return self._pop()

    async def put(self, item: T) -> None:
        """Add *item*, waiting while a bounded queue is full."""
        getters = self._getters
        if getters:
            # Only an empty queue has waiting getters: give the item to the oldest.
            _wake_now(getters, 1, item)
        else:
            maxsize = self._maxsize
            if maxsize and len(self._items) + self._reserved >= maxsize:
                await _wait_on_queue(self._putters, "QUEUE_PUT")
                self._fill_reserved(item)
                return
            self._push(item)
        self._unfinished += 1

    def _fill_reserved(self, item: T) -> None:
        """Use the slot a getter freed and reserved for this (woken) putter."""
        getters = self._getters
        if getters:
            # A getter came meanwhile: it gets the item, and the slot stays
            # free, so it is promised to the next putter, if any.
            _wake_now(getters, 1, item)
            if self._putters:
                _wake_now(self._putters, 1, None)
            else:
                self._reserved -= 1
        else:
            self._reserved -= 1
            self._push(item)
        self._unfinished += 1

    def put_nowait(self, item: T) -> None:
        """Add *item* without waiting; raise :class:`QueueFull` if there is no free slot."""
        getters = self._getters
        if getters:
            _wake_now(getters, 1, item)
        else:
            maxsize = self._maxsize
            if maxsize and len(self._items) + self._reserved >= maxsize:
                raise QueueFull(f"{type(self).__name__}.put_nowait(): the queue is full")
            self._push(item)
        self._unfinished += 1

    async def join(self) -> None:
        """Wait until every item put so far has been marked done with ``task_done``."""
        if self._unfinished:
            await _wait_on_queue(self._joiners, "QUEUE_JOIN")

    async def task_done(self) -> None:
        """Mark one item as processed; the last one wakes the tasks in ``join``."""
        unfinished = self._unfinished
        if unfinished <= 0:
            raise SyncUsageError("task_done() called more times than items were put")
        joiners = self._joiners
        if unfinished == 1 and joiners:
            _wake_now(joiners, len(joiners), None)
        self._unfinished = unfinished - 1


class PriorityQueue(Queue[_OrderableT]):
    """A queue whose ``get`` returns the smallest item first (a binary heap).

    Items must be orderable among themselves; ``(priority, data)`` tuples are
    the usual choice.
    """

    __slots__ = ()

    def _init_items(self) -> None:
        items: list[_OrderableT] = []
        self._items = items
        self._pop = partial(heapq.heappop, items)
        self._push = partial(heapq.heappush, items)


class LifoQueue(Queue[T]):
    """A queue whose ``get`` returns the most recently put item first (a stack)."""

    __slots__ = ()

    def _init_items(self) -> None:
        items: list[T] = []
        self._items = items
        self._pop = items.pop
        self._push = items.append
