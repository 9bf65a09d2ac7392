"""Virtual time and idle waits for tests: :mod:`curio_kernel.testing`."""

from curio_kernel.testing import (
    MockClock,
    wait_all_tasks_blocked,
)

__all__ = [
    "MockClock",
    "wait_all_tasks_blocked",
]
