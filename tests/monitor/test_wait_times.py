"""The kernel records when each wait began while a monitor runs (the ``ps`` TIME column)."""

from __future__ import annotations

import time

import curio_kernel as ck


async def sleeper() -> None:
    await ck.sleep(1000)


async def wait_time_of_a_sleeper() -> float | None:
    task = await ck.spawn(sleeper)
    await ck.sleep(0.01)  # a pass of the kernel with the sleeper asleep
    since = task.waiting_since
    await task.cancel()
    return since


def test_with_a_monitor_a_wait_records_when_it_began() -> None:
    before = time.monotonic()
    with ck.Kernel(with_monitor=True) as kernel:
        since = kernel.run(wait_time_of_a_sleeper())
    assert since is not None
    assert before <= since <= time.monotonic()


def test_without_a_monitor_nothing_is_recorded() -> None:
    assert ck.run(wait_time_of_a_sleeper) is None
