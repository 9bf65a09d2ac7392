"""curio-sync: synchronization primitives and queues for curio tasks.

Every primitive talks to the kernel only through the traps of
:mod:`curio_traps`, so it runs under any kernel that answers them.
"""

from .condition import Condition
from .errors import QueueEmpty, QueueFull, SyncUsageError
from .event import Event
from .lock import Lock, RLock
from .queue import LifoQueue, PriorityQueue, Queue
from .semaphore import BoundedSemaphore, Semaphore

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
    "Semaphore",
    "SyncUsageError",
]

__version__ = "0.1.0"
