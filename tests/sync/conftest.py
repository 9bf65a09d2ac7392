"""Fixtures shared by the synchronization tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from curio_kernel import sleep

Until = Callable[[Callable[[], bool]], Awaitable[None]]


@pytest.fixture
def until() -> Until:
    """``await until(pred)``: let other tasks run until ``pred()`` holds.

    Steps the scheduler (``sleep(0)``), never the clock, and fails after a
    bounded number of steps instead of hanging.
    """

    async def wait(pred: Callable[[], bool]) -> None:
        for _ in range(1000):
            if pred():
                return
            await sleep(0)
        raise AssertionError("the condition never became true")

    return wait
