"""Sleeping, the clock and timeouts, at curio 1.x's path."""

from curio_kernel.clocks import (
    MonotonicClock,
)
from curio_kernel.sleep import (
    clock,
    sleep,
    wake_at,
)
from curio_kernel.timeouts import (
    IgnoreAfter,
    TimeoutAfter,
    ignore_after,
    ignore_at,
    timeout_after,
    timeout_at,
)

__all__ = [
    "IgnoreAfter",
    "MonotonicClock",
    "TimeoutAfter",
    "clock",
    "ignore_after",
    "ignore_at",
    "sleep",
    "timeout_after",
    "timeout_at",
    "wake_at",
]
