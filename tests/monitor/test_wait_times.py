"""The kernel records when each wait began while a monitor runs (the ``ps`` TIME column)."""

from __future__ import annotations

import curio_kernel as ck
from curio_kernel.testing import MockClock


async def sleeper() -> None:
    await ck.sleep(1000)


async def wait_time_of_a_sleeper() -> float | None:
    await ck.sleep(2)  # the wait below begins at 2.0 on the virtual clock
    task = await ck.spawn(sleeper)
    await ck.sleep(0.5)  # a pass of the kernel with the sleeper asleep
    since = task.waiting_since
    await task.cancel()
    return since


def test_with_a_monitor_a_wait_records_when_it_began(virtual_clock: MockClock) -> None:
    with ck.Kernel(with_monitor=True, clock=virtual_clock) as kernel:
        since = kernel.run(wait_time_of_a_sleeper())
    assert since == 2.0  # read on the kernel's clock


def test_without_a_monitor_nothing_is_recorded(virtual_clock: MockClock) -> None:
    assert ck.run(wait_time_of_a_sleeper, clock=virtual_clock) is None
    assert virtual_clock.now() == 2.5
