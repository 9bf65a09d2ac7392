"""Synchronization primitives, at curio 1.x's path: the names of :mod:`curio_sync`."""

from curio_sync import (
    BoundedSemaphore,
    Condition,
    Event,
    LifoQueue,
    Lock,
    PriorityQueue,
    Queue,
    QueueEmpty,
    QueueFull,
    Result,
    RLock,
    Semaphore,
    SyncUsageError,
    UniversalEvent,
    UniversalQueue,
    UniversalResult,
)

__all__ = [
    "BoundedSemaphore",
    "Condition",
    "Event",
    "LifoQueue",
    "Lock",
    "PriorityQueue",
    "Queue",
    "QueueEmpty",
    "QueueFull",
    "RLock",
    "Result",
    "Semaphore",
    "SyncUsageError",
    "UniversalEvent",
    "UniversalQueue",
    "UniversalResult",
]
