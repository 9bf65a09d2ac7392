"""Fixtures of the curio-io tests.

``open_fds()`` counts this process's open descriptors (``/proc/self/fd`` on
Linux, ``/dev/fd`` elsewhere), so a test can check that everything it opened
was closed.  Tasks synchronize with ``curio_sync.Event``, never with sleeps.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator

import pytest

_FD_DIR = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"


def _open_fds() -> int:
    return len(os.listdir(_FD_DIR))


@pytest.fixture
def open_fds() -> Callable[[], int]:
    """A function returning how many descriptors the process has open."""
    return _open_fds


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect cycles after each test, so an unclosed socket is reported against its test."""
    yield
    gc.collect()
