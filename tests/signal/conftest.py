"""Fixtures for the signal tests.

Every test sends real signals to the test process.  A recording handler on
the signals they use makes sure that a signal nobody watches (because a
test failed half-way) is counted instead of killing the test run.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import pytest

#: The signals the tests send.
TEST_SIGNALS = (signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP)


class Recorder:
    """A Python signal handler that records the signals it receives."""

    def __init__(self) -> None:
        self.received: list[int] = []

    def __call__(self, signo: int, frame: FrameType | None) -> None:
        self.received.append(signo)


@pytest.fixture(autouse=True)
def stray() -> Iterator[list[int]]:
    """The test signals that reached no signal set, in arrival order.

    A :class:`Recorder` is their handler for the duration of the test; the
    old handlers are put back after.
    """
    handler = Recorder()
    previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
    for sig in TEST_SIGNALS:
        previous[sig] = signal.signal(sig, handler)
    try:
        yield handler.received
    finally:
        for signo, old in previous.items():
            signal.signal(signo, signal.SIG_DFL if old is None else old)
