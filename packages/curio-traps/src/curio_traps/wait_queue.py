"""WaitQueue: the line of tasks a synchronization primitive puts to sleep.

Every primitive sleeps its waiters on one of these with ``_wait_on_queue`` and
wakes them, oldest first, with ``_reschedule_tasks``.  The kernel alone adds
and removes tasks; a primitive only asks how many wait (``len(queue)``, or
``if queue:``).  A task cancelled or timed out while it waits is taken out in
constant time, wherever it stands in the line, so cancelling every waiter of
a crowded queue costs time linear in their number.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

__all__ = ["WaitQueue"]


class WaitQueue(OrderedDict[Any, None]):
    """A first-in, first-out line of waiting tasks with removal from anywhere in O(1).

    An ordered mapping of task to ``None``: the kernel appends with
    ``queue[task] = None``, wakes the oldest with ``queue.popitem(last=False)``
    and drops a cancelled waiter with ``del queue[task]``, all C-level
    operations of :class:`collections.OrderedDict` (a Python-level method
    per wait would cost a tenth of a queue ping-pong: ``nox -s bench``).
    """

    def __repr__(self) -> str:
        return f"<{type(self).__name__} waiting:{len(self)}>"
