"""Wake-ups that race with timeouts and cancellations: nothing handed over is lost."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from curio_kernel import TaskTimeout, run, sleep, spawn, timeout_after
from curio_traps import _reschedule_tasks, _wait_on_queue


def test_value_handed_over_as_the_deadline_passes_is_not_lost() -> None:
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
        time.sleep(0.02)  # busy past the consumer's deadline (the behaviour under test)
        await _reschedule_tasks(kqueue, 1, "item")

    async def main() -> None:
        c = await spawn(consumer())
        p = await spawn(producer())
        await c.join()
        await p.join()

    run(main)
    # The consumer was woken with the item in the same cycle its deadline
    # passed: it must see the item, not a timeout that would drop it.
    assert got == ["item"]


def test_timeout_of_one_waiter_does_not_steal_the_next_wake_up() -> None:
    kqueue: deque[Any] = deque()
    got: list[tuple[str, object]] = []

    async def patient() -> None:
        got.append(("patient", await _wait_on_queue(kqueue, "Q")))

    async def hasty() -> None:
        try:
            got.append(("hasty", await timeout_after(0.01, _wait_on_queue(kqueue, "Q"))))
        except TaskTimeout:
            got.append(("hasty", "timed out"))

    async def main() -> None:
        h = await spawn(hasty())
        p = await spawn(patient())
        await h.join()
        assert len(kqueue) == 1
        await _reschedule_tasks(kqueue, 1, "item")
        await p.join()

    run(main)
    assert got == [("hasty", "timed out"), ("patient", "item")]


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
