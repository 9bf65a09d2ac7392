"""The fixtures about the kernel a test runs on: the kernel itself and its mock clocks.

Requesting ``mock_clock`` or ``autojump_clock`` is what gives the test's kernel that clock,
which is why they are fixtures and not arguments of the marker: the kernel is made with
its clock before any async fixture of the test runs.
"""

from __future__ import annotations

import pytest

from curio_kernel import Kernel
from curio_kernel.testing import MockClock

from ._context import TestContext, state_of

__all__ = ["autojump_clock", "kernel", "mock_clock"]


def _context(request: pytest.FixtureRequest) -> TestContext:
    context = state_of(request.config).current
    if context is None:
        pytest.fail(f"{request.fixturename} is only available to a test", pytrace=False)
    return context


def _mock(request: pytest.FixtureRequest) -> MockClock:
    clock = _context(request).runner().kernel.clock
    assert isinstance(clock, MockClock), clock
    return clock


@pytest.fixture
def kernel(request: pytest.FixtureRequest) -> Kernel:
    """The kernel the test runs on: its own, or the shared one if it uses wider async fixtures.

    The test and its async fixtures run as successive ``kernel.run()`` calls; between them
    the kernel is not running, so a sync test may call ``kernel.run(...)`` itself.
    """
    return _context(request).runner().kernel


@pytest.fixture
def mock_clock(request: pytest.FixtureRequest) -> MockClock:
    """Run the test's kernel on virtual time that moves only by ``mock_clock.jump(seconds)``.

    The clock is ``MockClock()``: rate 0, no autojump (both can be changed by the test).
    """
    return _mock(request)


@pytest.fixture
def autojump_clock(request: pytest.FixtureRequest) -> MockClock:
    """Run the test's kernel on virtual time that jumps to the next deadline when all wait.

    The clock is ``MockClock(autojump_threshold=0)``: ``await sleep(3600)`` returns at
    once, and ``await curio_kernel.clock()`` then reads an hour later.
    """
    return _mock(request)
