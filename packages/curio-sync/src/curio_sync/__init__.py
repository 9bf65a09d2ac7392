"""curio-sync: synchronization primitives, results and queues for curio tasks.

Every primitive talks to the kernel only through :mod:`curio_traps` (its
traps, and for the calls that never block its ``TrapHandlers`` protocol), so
it runs under any kernel that implements that protocol.  Misuse raises
:class:`SyncUsageError`; ``get_nowait``/``put_nowait`` raise
:class:`QueueEmpty`/:class:`QueueFull` (subclasses of :class:`queue.Empty`
and :class:`queue.Full`).  The ``Universal`` primitives are shared with plain threads
and with asyncio tasks running in other threads.
"""

from .condition import Condition
from .errors import QueueEmpty, QueueFull, SyncUsageError
from .event import Event
from .lock import Lock, RLock
from .queue import LifoQueue, PriorityQueue, Queue
from .result import Result
from .semaphore import BoundedSemaphore, Semaphore
from .universal_event import UniversalEvent
from .universal_queue import UniversalQueue
from .universal_result import UniversalResult

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

__version__ = "0.1.0"
