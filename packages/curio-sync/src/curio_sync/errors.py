"""The exceptions raised by curio-sync's primitives and queues.

The queue exceptions subclass their :mod:`queue` counterparts, so code written
against the standard library (``except queue.Empty``) keeps working.
"""

from __future__ import annotations

import queue

__all__ = ["QueueEmpty", "QueueFull", "SyncUsageError"]


class QueueEmpty(queue.Empty):
    """Raised by ``get_nowait()`` when the queue holds no item."""


class QueueFull(queue.Full):
    """Raised by ``put_nowait()`` when a bounded queue has no free slot."""


class SyncUsageError(RuntimeError, ValueError):
    """A primitive was misused: released by a task that does not hold it,
    ``task_done()`` called too often, a negative size or count, and so on.

    It is a ``RuntimeError`` (what :mod:`threading` raises for a lock released
    by a thread that does not own it) and a ``ValueError`` (what the standard
    library raises for a bad count), so code written for either catches it.
    """
