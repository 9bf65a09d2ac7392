"""Queues, at curio 1.x's path: :mod:`curio_sync.queue`."""

from curio_sync.queue import (
    LifoQueue,
    PriorityQueue,
    Queue,
)
from curio_sync.universal_queue import (
    UniversalQueue,
)

__all__ = [
    "LifoQueue",
    "PriorityQueue",
    "Queue",
    "UniversalQueue",
]
