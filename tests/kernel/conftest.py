"""Fixtures shared by the kernel tests.

The tests synchronize tasks with :class:`Flag`, a one-shot event built on the
``_wait_on_queue`` / ``_reschedule_tasks`` traps, never with sleeps.  Test
modules get the class through the ``flag`` fixture (conftest modules are not
importable by name in importlib mode).
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from curio_traps import _reschedule_tasks, _wait_on_queue


class Flag:
    """A one-shot event: ``wait()`` blocks until ``set()`` has been called."""

    def __init__(self) -> None:
        self.is_set = False
        self.waiting: deque[Any] = deque()

    async def wait(self) -> None:
        """Block until the flag is set (returns at once if it already is)."""
        if not self.is_set:
            await _wait_on_queue(self.waiting, "FLAG_WAIT")

    async def set(self) -> None:
        """Set the flag and wake every waiter."""
        self.is_set = True
        await _reschedule_tasks(self.waiting, n=len(self.waiting))


@pytest.fixture
def flag() -> Callable[[], Flag]:
    """A factory of :class:`Flag` objects."""
    return Flag


@pytest.fixture
def no_thread_leak() -> Iterator[None]:
    """Fail the test if it leaves more threads running than it found."""
    before = threading.active_count()
    yield
    assert threading.active_count() == before, threading.enumerate()


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect cycles after each test, so a leaked kernel's unclosed sockets
    are reported against the test that leaked them."""
    yield
    gc.collect()
