"""curio 1.x's scheduling primitives for custom synchronization: :mod:`curio_traps.sched`."""

from curio_traps.sched import (
    SchedBarrier,
    SchedBase,
    SchedFIFO,
    _scheduler_wait,
    _scheduler_wake,
)

__all__ = [
    "SchedBarrier",
    "SchedBase",
    "SchedFIFO",
    "_scheduler_wait",
    "_scheduler_wake",
]
