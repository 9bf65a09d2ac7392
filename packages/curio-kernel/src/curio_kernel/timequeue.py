"""TimeQueue: items ordered by when they expire, for code that schedules its own deadlines.

curio 1.x programs that wrote their own scheduling on top of the kernel
imported this from ``curio.timequeue``.  The kernel's own timers live in
``_timers.py``, which knows about sleeps and timeout blocks; this is the
general-purpose queue: push items with an expiry time, ask for the next
deadline, take what has expired, cancel an item.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["TimeQueue"]

K = TypeVar("K", bound=Hashable)


class TimeQueue(Generic[K]):
    """Items (hashable) with expiry times; the earliest first.

    An item is in the queue at most once per expiry time; cancelling one is
    O(1) (its heap entry is dropped when it comes up).
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, K]] = []
        self._live: dict[tuple[K, float], int] = {}
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._live)

    def push(self, item: K, expires: float) -> None:
        """Add *item*, to expire at the clock value *expires*."""
        seq = next(self._order)
        self._live[(item, expires)] = seq
        heapq.heappush(self._heap, (expires, seq, item))

    def cancel(self, item: K, expires: float) -> None:
        """Remove *item* pushed with *expires* (nothing happens if it is not there)."""
        self._live.pop((item, expires), None)

    def _drop_cancelled(self) -> None:
        heap = self._heap
        while heap and self._live.get((heap[0][2], heap[0][0])) != heap[0][1]:
            heapq.heappop(heap)

    def next_deadline(self, current_clock: float) -> float | None:
        """Seconds from *current_clock* until the earliest expiry (never negative), or ``None``."""
        self._drop_cancelled()
        if not self._heap:
            return None
        return max(0.0, self._heap[0][0] - current_clock)

    def expired(self, deadline: float) -> Iterator[tuple[float, K]]:
        """Take out and yield ``(expires, item)`` for each item due by *deadline*, soonest first."""
        heap = self._heap
        while True:
            self._drop_cancelled()
            if not heap or heap[0][0] > deadline:
                return
            expires, _, item = heapq.heappop(heap)
            del self._live[(item, expires)]
            yield expires, item
