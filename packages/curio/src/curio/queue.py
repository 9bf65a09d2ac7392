"""Queues, at curio 1.x's path: :mod:`curio_sync.queue`."""

from curio_sync.queue import (
    LifoQueue,
    PriorityQueue,
    Queue,
)

__all__ = [
    "LifoQueue",
    "PriorityQueue",
    "Queue",
]
