"""The cancellation rules of docs/cancellation.rst, one test per rule or past defect."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import (
    CancelledError,
    Kernel,
    TaskCancelled,
    TaskGroup,
    TaskTimeout,
    clock,
    ignore_after,
    run,
    sleep,
    spawn,
    timeout_after,
)
from curio_kernel._timers import _live
from curio_kernel.testing import MockClock
from curio_sync import Condition, Event, Lock
from curio_traps import (
    TimeoutCancellationError,
    _set_timeout,
    _sleep,
    _unset_timeout,
    stronger,
)

pytestmark = pytest.mark.timeout(20)


def test_a_timeout_expiring_in_a_task_group_exit_does_not_lose_the_cancellation(
    flag: Callable[[], Any], virtual_clock: MockClock
) -> None:
    started = flag()

    async def stubborn() -> None:
        try:
            await Event().wait()
        finally:
            await sleep(0.05)  # its clean-up outlasts the timeout below

    async def worker() -> None:
        async with timeout_after(0.01), TaskGroup() as group:
            await group.spawn(stubborn)
            await started.set()
            await Event().wait()

    async def main() -> None:
        task = await spawn(worker)
        await started.wait()
        assert await task.cancel() is True  # returns: the cancellation was not lost
        assert isinstance(task.exception, CancelledError)
        assert not isinstance(task.exception, TaskTimeout)
        assert await clock() == 0.05  # the 0.01 s deadline passed during the clean-up

    run(main, clock=virtual_clock)


def test_a_timeout_expiring_while_a_condition_takes_its_lock_back_keeps_the_cancel(
    flag: Callable[[], Any], virtual_clock: MockClock
) -> None:
    waiting = flag()

    async def main() -> None:
        cond = Condition()
        lock_holder_may_go = Event()

        async def waiter() -> None:
            async with timeout_after(0.01), cond:
                await waiting.set()
                await cond.wait()

        task = await spawn(waiter)
        await waiting.wait()
        async with cond:  # hold the lock so the cancelled waiter must wait to retake it
            await task.cancel(blocking=False)
            await sleep(0.03)  # the waiter's 0.01 s deadline passes while it waits for the lock
            await lock_holder_may_go.set()
        await task.wait()
        assert type(task.exception) is TaskCancelled
        assert not cond.locked()
        assert await clock() == 0.03

    run(main, clock=virtual_clock)


def test_task_group_members_never_outlive_an_interrupted_block(virtual_clock: MockClock) -> None:
    async def member() -> None:
        try:
            await Event().wait()
        finally:
            await sleep(0.02)  # a slow clean-up, interrupted by the timeout

    async def main() -> None:
        group: TaskGroup[None] = TaskGroup()
        async with ignore_after(0.01), group:
            for _ in range(5):
                await group.spawn(member)
            await Event().wait()
        assert all(task.terminated for task in group.tasks)
        assert await clock() == 0.03  # the block's 0.01 s, then the members' 0.02 s clean-up

    run(main, clock=virtual_clock)


def test_a_task_group_block_cancelled_twice_still_cancels_every_member(
    flag: Callable[[], Any], virtual_clock: MockClock
) -> None:
    inside = flag()

    async def member() -> None:
        try:
            await Event().wait()
        finally:
            await sleep(0.01)

    async def main() -> None:
        group: TaskGroup[None] = TaskGroup()

        async def owner() -> None:
            async with group:
                for _ in range(4):
                    await group.spawn(member)
                await inside.set()
                await Event().wait()

        task = await spawn(owner)
        await inside.wait()
        await task.cancel(blocking=False)
        await sleep(0)
        await task.cancel(blocking=False)  # a second cancel while it waits for its members
        await task.wait()
        assert all(member.terminated for member in group.tasks)
        assert isinstance(task.exception, CancelledError)
        assert await clock() == 0.01  # the members cleaned up together, once

    run(main, clock=virtual_clock)


def test_an_outer_timeout_fires_once_after_inner_blocks_end(virtual_clock: MockClock) -> None:
    seen: list[str] = []

    async def main() -> None:
        async with ignore_after(0.5):
            for _ in range(3):
                async with timeout_after(0.4):  # earlier than the outer deadline
                    await sleep(0)
            try:
                await sleep(1)
            except TaskTimeout:
                seen.append(f"outer expired at {await clock()}")
                # Clean-up inside the block must not see the deadline a second time.
                await sleep(0.25)
                seen.append(f"clean-up done at {await clock()}")
                raise

    run(main, clock=virtual_clock)
    assert seen == ["outer expired at 0.5", "clean-up done at 0.75"]


def test_inner_timeout_blocks_leave_no_live_timer_behind() -> None:
    kernel = Kernel()

    async def main() -> int:
        async with timeout_after(100):
            for _ in range(5000):
                async with timeout_after(50):
                    await sleep(0)
            return sum(1 for entry in kernel._timers.heap if _live(entry))

    with kernel:
        assert kernel.run(main()) == 1  # the outer block's own entry, nothing else


def test_a_timeout_inside_clean_up_still_bounds_the_clean_up(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        try:
            async with timeout_after(0.01):
                await Event().wait()
        except TaskTimeout:
            pass
        try:
            raise CancelledError
        except CancelledError:
            async with ignore_after(0.01) as block:
                await Event().wait()
            return "bounded" if block.expired else "not bounded", await clock()

    assert run(main, clock=virtual_clock) == ("bounded", 0.02)


def test_leaving_a_lock_block_after_releasing_by_hand_does_not_free_another_task_lock(
    flag: Callable[[], Any],
) -> None:
    async def main() -> None:
        lock = Lock()
        holding = flag()
        release = Event()

        async def other() -> None:
            async with lock:
                await holding.set()
                await release.wait()

        async with lock:
            await lock.release()
            task = await spawn(other)
            await holding.wait()
            with pytest.raises(RuntimeError):
                await lock.__aexit__(None, None, None)
            assert lock.locked()
            await release.set()
            await task.join()
            await lock.acquire()  # the block's own exit releases it below

    run(main)


def test_a_coroutine_added_as_a_task_cannot_also_be_spawned() -> None:
    async def child() -> None:
        await sleep(0)

    coro = child()
    seen: list[str] = []

    async def main() -> None:
        try:
            await spawn(coro)
        except RuntimeError as exc:
            seen.append(str(exc))

    with Kernel() as kernel:
        kernel.add_task(main())
        kernel.add_task(coro)  # added, not started yet when main spawns it
        kernel.run()
    assert len(seen) == 1
    assert "already added" in seen[0]


def test_cancelling_many_waiters_of_one_event_takes_them_all_out() -> None:
    async def main() -> None:
        event = Event()
        tasks = [await spawn(event.wait) for _ in range(2000)]
        for task in tasks[::2]:
            await task.cancel()
        await event.set()
        for task in tasks[1::2]:
            await task.join()
        assert "waiting:0" in repr(event)

    run(main)


@pytest.mark.parametrize("bad", [math.nan, "1", None, True])
def test_the_sleep_trap_refuses_a_duration_that_is_not_a_number(bad: object) -> None:
    async def main() -> None:
        await _sleep(bad)  # type: ignore[arg-type]

    with pytest.raises(TypeError if not isinstance(bad, float) else ValueError):
        run(main)


@pytest.mark.parametrize("bad", [math.nan, "soon", True])
def test_the_timeout_trap_refuses_a_deadline_that_is_not_a_number(bad: object) -> None:
    async def main() -> None:
        await _set_timeout(bad)  # type: ignore[arg-type]

    with pytest.raises(TypeError if not isinstance(bad, float) else ValueError):
        run(main)


def test_timeout_blocks_must_end_innermost_first() -> None:
    async def main() -> None:
        outer = await _set_timeout(None)
        inner = await _set_timeout(None)
        with pytest.raises(RuntimeError, match="innermost first"):
            await _unset_timeout(outer)
        await _unset_timeout(inner)
        await _unset_timeout(outer)

    run(main)


def test_the_strongest_interruption_is_an_explicit_cancel_then_the_outer_timeout() -> None:
    inner, outer, cancel = TaskTimeout(1.0), TimeoutCancellationError(2.0), CancelledError()
    error = ValueError()
    assert stronger(None, error) is error
    assert stronger(error, inner) is inner
    assert stronger(inner, outer) is outer  # a later timeout is an enclosing block's
    assert stronger(outer, cancel) is cancel
    assert stronger(cancel, outer) is cancel
    assert stronger(cancel, CancelledError()) is cancel
    interrupt = KeyboardInterrupt()
    assert stronger(cancel, interrupt) is interrupt
    assert stronger(interrupt, cancel) is interrupt


def test_a_timeout_and_the_sleep_it_interrupts_falling_due_together_wake_the_task_once(
    virtual_clock: MockClock,
) -> None:
    async def hog() -> None:
        await sleep(0)  # let main start its sleep first
        virtual_clock.jump(0.05)  # holds the kernel past both deadlines below: they expire together

    async def main() -> tuple[bool, float]:
        async with ignore_after(0.01) as block:
            await spawn(hog)
            await sleep(0.02)
        await sleep(0)
        return block.expired, await clock()

    assert run(main, clock=virtual_clock) == (True, 0.05)


def test_a_timeout_raised_after_an_inner_block_opened_is_named_for_the_enclosing_block(
    virtual_clock: MockClock,
) -> None:
    async def main() -> bool:
        async with ignore_after(0.01) as outer:
            virtual_clock.jump(0.02)  # the deadline passes while the task runs
            await sleep(0)  # ready, not waiting: the expiry waits for its next blocking call
            async with timeout_after(10):  # opened before that call
                await Event().wait()
        return outer.expired

    assert run(main, clock=virtual_clock) is True
    assert virtual_clock.now() == 0.02  # the inner block's 10 s were not waited for
