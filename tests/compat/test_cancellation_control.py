"""curio 1.x cancellation control: disable_cancellation, check_cancellation, set_cancellation."""

from __future__ import annotations

import pytest

from curio_kernel import (
    CancelledError,
    TaskCancelled,
    TaskTimeout,
    TimeoutCancellationError,
    check_cancellation,
    clock,
    disable_cancellation,
    ignore_after,
    run,
    set_cancellation,
    sleep,
    spawn,
    timeout_after,
)
from curio_kernel.testing import MockClock
from curio_sync import Event
from curio_traps import _cancel_task

pytestmark = pytest.mark.timeout(20)


def test_a_cancel_waits_until_the_shielded_block_ends_and_hits_the_next_blocking_call() -> None:
    log: list[str] = []

    async def worker(started: Event, go_on: Event) -> None:
        async with disable_cancellation():
            await started.set()
            await go_on.wait()  # the cancel arrives here and does not interrupt it
            log.append("shielded wait completed")
        log.append("after the block")
        try:
            await sleep(3600)
        except TaskCancelled:
            log.append("cancelled at the first blocking call")
            raise

    async def main() -> None:
        started, go_on = Event(), Event()
        task = await spawn(worker, started, go_on)
        await started.wait()
        await task.cancel(blocking=False)
        await go_on.set()
        await task.wait()
        assert isinstance(task.exception, TaskCancelled)

    run(main)
    assert log == [
        "shielded wait completed",
        "after the block",
        "cancelled at the first blocking call",
    ]


def test_an_expired_timeout_is_held_back_and_delivered_after_the_block(
    virtual_clock: MockClock,
) -> None:
    async def main() -> list[str]:
        seen: list[str] = []
        try:
            async with timeout_after(0.01):
                async with disable_cancellation():
                    await sleep(0.05)  # the deadline passes while shielded
                    seen.append(f"slept through the deadline to {await clock()}")
                await sleep(3600)
        except TaskTimeout:
            seen.append(f"timed out after the block at {await clock()}")
        return seen

    assert run(main, clock=virtual_clock) == [
        "slept through the deadline to 0.05",
        "timed out after the block at 0.05",
    ]


def test_the_function_form_shields_one_call_and_returns_its_result(
    virtual_clock: MockClock,
) -> None:
    async def work(x: int, y: int) -> int:
        await sleep(0.02)
        return x + y

    async def main() -> int:
        async with timeout_after(0.005):
            result = await disable_cancellation(work, 2, 3)
            assert result == 5
            try:
                await sleep(3600)
            except TaskTimeout:
                assert await clock() == 0.02  # delivered at the first blocking call after
                return result
        raise AssertionError("the held-back timeout was lost")

    assert run(main, clock=virtual_clock) == 5


def test_the_coroutine_form_is_accepted_too() -> None:
    async def work() -> str:
        await sleep(0)
        return "done"

    assert run(lambda: disable_cancellation(work())) == "done"


def test_check_cancellation_inside_the_block_returns_what_is_pending_and_keeps_it() -> None:
    async def worker(started: Event, cancelled: Event) -> list[object]:
        seen: list[object] = []
        async with disable_cancellation():
            seen.append(await check_cancellation())
            await started.set()
            await cancelled.wait()
            seen.append(type(await check_cancellation()))
            seen.append(type(await check_cancellation()))  # still pending: not taken
        try:
            await sleep(3600)
        except TaskCancelled:
            seen.append("delivered after the block")
        return seen

    async def main() -> list[object]:
        started, cancelled = Event(), Event()
        task = await spawn(worker, started, cancelled)
        await started.wait()
        await task.cancel(blocking=False)
        await cancelled.set()
        return await task.join()

    assert run(main) == [None, TaskCancelled, TaskCancelled, "delivered after the block"]


def test_check_cancellation_with_a_type_takes_the_pending_cancellation(
    virtual_clock: MockClock,
) -> None:
    async def worker(started: Event, cancelled: Event) -> list[object]:
        seen: list[object] = []
        async with disable_cancellation():
            await started.set()
            await cancelled.wait()
            seen.append(await check_cancellation(TaskTimeout))  # not that kind: None
            seen.append(type(await check_cancellation(TaskCancelled)))  # taken
            seen.append(await check_cancellation())  # nothing left
        await sleep(0.001)  # nothing pending, so this blocking call completes
        seen.append("not cancelled")
        return seen

    async def main() -> list[object]:
        started, cancelled = Event(), Event()
        task = await spawn(worker, started, cancelled)
        await started.wait()
        await task.cancel(blocking=False)
        await cancelled.set()
        return await task.join()

    assert run(main, clock=virtual_clock) == [None, TaskCancelled, None, "not cancelled"]


def test_check_cancellation_outside_a_block_raises_the_pending_cancellation() -> None:
    async def main() -> str:
        await set_cancellation(TaskCancelled("stop"))
        try:
            await check_cancellation()
        except TaskCancelled as exc:
            return str(exc)
        return "not raised"

    assert run(main) == "stop"


def test_check_cancellation_with_nothing_pending_is_none() -> None:
    async def main() -> object:
        return await check_cancellation()

    assert run(main) is None


def test_set_cancellation_returns_the_previous_and_hits_the_next_blocking_call() -> None:
    async def main() -> list[object]:
        seen: list[object] = [await set_cancellation(TaskCancelled("first"))]
        previous = await set_cancellation(CancelledError("second"))
        seen.append(str(previous))
        try:
            await sleep(3600)
        except CancelledError as exc:
            seen.append(str(exc))
        return seen

    assert run(main) == [None, "first", "second"]


def test_set_cancellation_none_clears_what_is_pending(virtual_clock: MockClock) -> None:
    async def main() -> str:
        await set_cancellation(TaskCancelled)
        await set_cancellation(None)
        await sleep(0.001)
        return "slept"

    assert run(main, clock=virtual_clock) == "slept"


def test_blocks_nest_and_an_inner_block_never_reenables_cancellation(
    virtual_clock: MockClock,
) -> None:
    async def worker(started: Event, go_on: Event) -> list[str]:
        log: list[str] = []
        async with disable_cancellation():
            async with disable_cancellation():
                await started.set()
                await go_on.wait()
            await sleep(0.001)  # still shielded: the outer block is open
            log.append("outer block still shielded")
        try:
            await sleep(3600)
        except TaskCancelled:
            log.append("cancelled after the outer block")
        return log

    async def main() -> list[str]:
        started, go_on = Event(), Event()
        task = await spawn(worker, started, go_on)
        await started.wait()
        await task.cancel(blocking=False)
        await go_on.set()
        return await task.join()

    assert run(main, clock=virtual_clock) == [
        "outer block still shielded",
        "cancelled after the outer block",
    ]


def test_bad_arguments_are_refused_by_name() -> None:
    async def main() -> None:
        with pytest.raises(TypeError, match="check_cancellation"):
            await check_cancellation("TaskCancelled")  # type: ignore[call-overload]
        with pytest.raises(TypeError, match="set_cancellation"):
            await set_cancellation(42)  # type: ignore[arg-type]

    run(main)
    with pytest.raises(TypeError, match="disable_cancellation"):
        disable_cancellation(None, 1)  # type: ignore[call-overload]


def test_a_task_blocked_forever_with_cancellation_disabled_does_not_hang_the_kernel() -> None:
    async def main() -> None:
        async with disable_cancellation():
            await Event().wait()  # nothing can ever set it

    with pytest.raises(RuntimeError, match="deadlock"):
        run(main)


def test_a_task_that_took_its_cancellation_can_be_cancelled_again() -> None:
    async def worker(go: Event, taken: Event) -> str:
        async with disable_cancellation():
            await go.wait()
            assert isinstance(await check_cancellation(TaskCancelled), TaskCancelled)
            await taken.set()
        try:
            await Event().wait()
        except TaskCancelled:
            return "cancelled the second time"
        return "never cancelled again"

    async def main() -> str:
        go, taken = Event(), Event()
        task = await spawn(worker, go, taken)
        await task.cancel(blocking=False)
        await go.set()
        await taken.wait()
        assert await task.cancel() is True  # delivers again: the first one was taken
        return task.result

    assert run(main) == "cancelled the second time"


def test_check_cancellation_matches_an_expiry_by_the_name_it_would_be_raised_with(
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[object, object]:
        # The inner 10 s block is open inside the block that expires.
        async with ignore_after(0.001), ignore_after(10), disable_cancellation():
            await sleep(0.01)
            as_task_timeout = await check_cancellation(TaskTimeout)
            taken = await check_cancellation(TimeoutCancellationError)
        return as_task_timeout, type(taken)

    assert run(main, clock=virtual_clock) == (None, TimeoutCancellationError)


def test_a_cancel_refused_by_the_callers_own_cancellation_does_not_mark_the_target() -> None:
    async def main() -> bool:
        target = await spawn(Event().wait)
        await set_cancellation(TaskCancelled("mine"))
        with pytest.raises(TaskCancelled, match="mine"):
            await _cancel_task(target, TaskCancelled, blocking=True)
        marked = target.cancelled
        await target.cancel()
        return marked

    assert run(main) is False
