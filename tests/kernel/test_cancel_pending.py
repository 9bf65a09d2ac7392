"""A cancellation of a task that is not blocked waits for its next blocking trap."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from curio_kernel import CancelledError, Kernel, clock, current_task, run, sleep, spawn
from curio_kernel.testing import MockClock
from curio_traps import _reschedule_tasks, _wait_on_queue


def test_pending_cancel_is_delivered_at_the_next_sleep_zero() -> None:
    log: list[str] = []

    async def child() -> None:
        await sleep(0)  # ready, not blocked, when main cancels it
        log.append("resumed")
        # Traps that never block do not deliver the cancellation...
        await current_task()
        await clock()
        log.append("non-blocking traps passed")
        # ...the next blocking one does, even sleep(0).
        try:
            await sleep(0)
        except CancelledError:
            log.append("cancelled at sleep(0)")
            raise
        log.append("never")

    async def main() -> bool:
        task = await spawn(child())
        assert task.state == "READY"
        return await task.cancel()

    assert run(main) is True
    assert log == ["resumed", "non-blocking traps passed", "cancelled at sleep(0)"]


def test_pending_cancel_is_delivered_at_a_queue_wait() -> None:
    kqueue: deque[Any] = deque()
    log: list[str] = []

    async def child() -> None:
        await sleep(0)
        try:
            await _wait_on_queue(kqueue, "Q")
        except CancelledError:
            log.append("cancelled before waiting")
            raise

    async def main() -> None:
        task = await spawn(child())
        await task.cancel()

    run(main)
    assert log == ["cancelled before waiting"]
    # The task raised at the trap: it never entered the queue.
    assert len(kqueue) == 0


def test_pending_cancel_is_delivered_at_a_long_sleep(virtual_clock: MockClock) -> None:
    async def child() -> None:
        await sleep(0)
        await sleep(3600)

    async def main() -> tuple[bool, float]:
        start = await clock()
        task = await spawn(child())
        cancelled = await task.cancel()
        return cancelled, await clock() - start

    # On the autojumping clock a sleep that began would end at 3600.0.
    assert run(main, clock=virtual_clock) == (True, 0.0)


def test_value_handed_over_before_a_cancel_still_arrives() -> None:
    kqueue: deque[Any] = deque()
    got: list[object] = []

    async def waiter() -> None:
        got.append(await _wait_on_queue(kqueue, "Q"))
        await sleep(0)  # the pending cancellation is delivered here
        got.append("not reached")

    async def main() -> bool:
        task = await spawn(waiter())
        # Wake the task with a value, then cancel it in the same step.
        await _reschedule_tasks(kqueue, 1, "the item")
        return await task.cancel()

    assert run(main) is True
    assert got == ["the item"]


def test_exception_handed_over_before_a_cancel_still_arrives() -> None:
    kqueue: deque[Any] = deque()
    got: list[str] = []

    async def waiter() -> None:
        try:
            await _wait_on_queue(kqueue, "Q")
        except KeyError:
            got.append("KeyError")
        try:
            await sleep(0)
        except CancelledError:
            got.append("cancelled")
            raise

    async def main() -> bool:
        task = await spawn(waiter())
        await _reschedule_tasks(kqueue, 1, None, KeyError("k"))
        return await task.cancel()

    assert run(main) is True
    assert got == ["KeyError", "cancelled"]


def test_a_task_that_ignores_a_cancellation_keeps_running(flag: Callable[[], Any]) -> None:
    gate = flag()
    log: list[str] = []

    async def stubborn() -> str:
        try:
            await sleep(3600)
        except CancelledError:
            log.append("ignored")
        await gate.wait()
        return "finished anyway"

    async def opener() -> None:
        await sleep(0)
        await gate.set()

    async def main() -> tuple[bool, str]:
        task = await spawn(stubborn())
        await spawn(opener())
        cancelled = await task.cancel()
        return cancelled, await task.join()

    assert run(main) == (True, "finished anyway")
    assert log == ["ignored"]


def test_cancel_of_a_task_that_never_ran() -> None:
    # Kernel.add_task queues a task without running it: a cancellation
    # reaches it at its first blocking trap.
    log: list[str] = []
    later: list[Any] = []

    async def late() -> None:
        log.append("started")
        await sleep(0)
        log.append("never")

    async def main() -> bool:
        result: bool = await later[0].cancel()
        return result

    with Kernel() as kernel:
        canceller = kernel.add_task(main())
        later.append(kernel.add_task(late()))
        kernel.run()
    assert canceller.result is True
    assert log == ["started"]
    assert isinstance(later[0].exception, CancelledError)
