"""Wake-ups that race with timeouts and cancellations: nothing handed over is lost."""

from __future__ import annotations

from collections import deque
from typing import Any

from curio_kernel import TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_traps import _reschedule_tasks, _wait_on_queue


def test_value_handed_over_as_the_deadline_passes_is_not_lost(virtual_clock: MockClock) -> None:
    kqueue: deque[Any] = deque()
    got: list[object] = []

    async def consumer() -> None:
        try:
            async with timeout_after(0.01):
                got.append(await _wait_on_queue(kqueue, "Q"))
        except TaskTimeout:
            got.append("timed out")
        await sleep(0)  # no stray timeout afterwards either

    async def producer() -> None:
        virtual_clock.jump(0.02)  # busy past the consumer's deadline (the behaviour under test)
        await _reschedule_tasks(kqueue, 1, "item")

    async def main() -> None:
        c = await spawn(consumer())
        p = await spawn(producer())
        await c.join()
        await p.join()

    run(main, clock=virtual_clock)
    # The consumer was woken with the item in the same cycle its deadline
    # passed: it must see the item, not a timeout that would drop it.
    assert got == ["item"]
    assert virtual_clock.now() == 0.02


def test_timeout_of_one_waiter_does_not_steal_the_next_wake_up(virtual_clock: MockClock) -> None:
    kqueue: deque[Any] = deque()
    got: list[tuple[str, object]] = []

    async def patient() -> None:
        got.append(("patient", await _wait_on_queue(kqueue, "Q")))

    async def hasty() -> None:
        try:
            got.append(("hasty", await timeout_after(0.01, _wait_on_queue(kqueue, "Q"))))
        except TaskTimeout:
            got.append(("hasty", f"timed out at {await clock()}"))

    async def main() -> None:
        h = await spawn(hasty())
        p = await spawn(patient())
        await h.join()
        assert len(kqueue) == 1
        await _reschedule_tasks(kqueue, 1, "item")
        await p.join()

    run(main, clock=virtual_clock)
    assert got == [("hasty", "timed out at 0.01"), ("patient", "item")]


def test_cancel_and_wake_in_the_same_step_deliver_both() -> None:
    kqueue: deque[Any] = deque()
    got: list[object] = []

    async def waiter() -> None:
        got.append(await _wait_on_queue(kqueue, "Q"))
        try:
            await sleep(0)
        except BaseException as exc:
            got.append(type(exc).__name__)
            raise

    async def main() -> bool:
        task = await spawn(waiter())
        await _reschedule_tasks(kqueue, 1, "value")
        return await task.cancel()

    assert run(main) is True
    assert got == ["value", "TaskCancelled"]
