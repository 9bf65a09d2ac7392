"""curio 1.x's path of :class:`curio_kernel.timequeue.TimeQueue`."""

from curio_kernel.timequeue import (
    TimeQueue,
)

__all__ = [
    "TimeQueue",
]
