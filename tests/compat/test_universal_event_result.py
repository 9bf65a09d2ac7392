"""curio 1.6's UniversalEvent and UniversalResult, in curio tasks, threads and asyncio.

The manual's UniversalResult example runs (shortened: no sleep in the worker).

The hand-offs between worlds are waited for in real time; a curio task's short timeout
runs on a virtual clock, jumped by hand: a wait on a universal primitive is a wait on a
future, outside work that holds an autojump back.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from curio_kernel import TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_sync import SyncUsageError, UniversalEvent, UniversalResult
from curio_traps import _future_wait


async def _until(pred: Any) -> None:
    for _ in range(10_000):
        if pred():
            return
        # Real time on purpose: the waiters of other worlds need real time to get in line.
        await sleep(0.001)  # the kernel thread gives the other threads the interpreter
    raise AssertionError("the condition never became true")


def _jump_once_blocked(mock: MockClock, seconds: float) -> Any:
    """A task that jumps *mock* by *seconds* once every other task is blocked."""

    async def jump() -> None:
        await wait_all_tasks_blocked()
        mock.jump(seconds)

    return jump


# ---------------------------------------------------------------------- UniversalResult


def test_the_manuals_example_a_thread_sets_the_result_a_task_unwraps_it(
    no_thread_leak: None,
) -> None:
    def worker(x: int, y: int, result: UniversalResult[int]) -> None:
        try:
            result.set_value(x + y)
        except Exception as err:  # pragma: no cover - the manual's shape
            result.set_exception(err)

    async def main() -> int:
        result: UniversalResult[int] = UniversalResult()
        thread = threading.Thread(target=worker, args=[2, 3, result])
        thread.start()
        # Real time on purpose: a safety bound on a hand-off from another world.
        value: int = await timeout_after(10, result.unwrap())
        thread.join(10)
        return value

    assert run(main) == 5


def test_an_exception_set_in_a_thread_is_raised_by_every_unwrap_in_every_world(
    asyncio_thread: Any,
) -> None:
    result: UniversalResult[int] = UniversalResult()

    async def aio_unwrap() -> int:
        return await result.unwrap()  # type: ignore[no-any-return, misc]

    aio = asyncio_thread.submit(aio_unwrap())  # an asyncio waiter

    async def main() -> None:
        waiter = await spawn(result.unwrap)
        await _until(lambda: "waiting:2" in repr(result))
        threading.Thread(target=result.set_exception, args=(KeyError("k"),)).start()
        with pytest.raises(Exception) as info:
            # Real time on purpose: a safety bound on a hand-off from another world.
            await timeout_after(10, waiter.join())
        assert isinstance(info.value.__cause__, KeyError)

    run(main)
    with pytest.raises(KeyError):
        aio.result(10)
    with pytest.raises(KeyError):
        result.unwrap()
    assert "exception KeyError" in repr(result)


def test_a_result_set_from_asyncio_reaches_a_waiting_thread(asyncio_thread: Any) -> None:
    result: UniversalResult[str] = UniversalResult()
    got: list[str] = []
    thread = threading.Thread(target=lambda: got.append(result.unwrap(timeout=10)))
    thread.start()

    async def setter() -> None:
        await result.set_value("hi")  # type: ignore[func-returns-value]

    asyncio_thread.run(setter())
    thread.join(10)
    assert got == ["hi"]
    assert result.is_set()


def test_setting_a_result_twice_is_an_error_that_says_what_it_holds() -> None:
    result: UniversalResult[int] = UniversalResult()
    result.set_value(1)
    with pytest.raises(SyncUsageError, match="already set"):
        result.set_value(2)
    with pytest.raises(SyncUsageError, match="already set"):
        result.set_exception(ValueError)
    assert result.unwrap() == 1


def test_set_exception_refuses_what_is_not_an_exception() -> None:
    with pytest.raises(TypeError, match=r"UniversalResult\.set_exception"):
        UniversalResult[int]().set_exception(42)  # type: ignore[arg-type]


def test_a_thread_unwrap_with_a_timeout_raises_timeout_error_and_leaves_no_waiter() -> None:
    result: UniversalResult[int] = UniversalResult()
    with pytest.raises(TimeoutError):
        result.unwrap(timeout=0.01)
    assert "waiting:0" in repr(result)


def test_a_curio_unwrap_timed_out_leaves_no_waiter_and_a_later_set_works() -> None:
    mock = MockClock()

    async def main() -> int:
        result: UniversalResult[int] = UniversalResult()
        await spawn(_jump_once_blocked(mock, 0.01))
        with pytest.raises(TaskTimeout):
            await timeout_after(0.01, result.unwrap())
        assert await clock() == 0.01
        assert "waiting:0" in repr(result)
        await result.set_value(3)  # type: ignore[func-returns-value]
        value: int = await result.unwrap()
        return value

    assert run(main, clock=mock) == 3


def test_an_asyncio_unwrap_timed_out_leaves_no_waiter(asyncio_thread: Any) -> None:
    result: UniversalResult[int] = UniversalResult()

    async def timed_out() -> str:
        try:
            await asyncio.wait_for(result.unwrap(), 0.01)  # type: ignore[arg-type]
        except TimeoutError:
            return "timed out"
        return "unwrapped"

    assert asyncio_thread.run(timed_out()) == "timed out"
    assert "waiting:0" in repr(result)
    result.set_value(1)


# ---------------------------------------------------------------------- UniversalEvent


def test_an_event_set_by_a_thread_wakes_curio_asyncio_and_thread_waiters(
    asyncio_thread: Any, no_thread_leak: None
) -> None:
    event = UniversalEvent()

    async def aio_wait() -> bool:
        return await event.wait()  # type: ignore[no-any-return, misc]

    aio = asyncio_thread.submit(aio_wait())
    woke = threading.Event()
    waiter_thread = threading.Thread(target=lambda: event.wait() and woke.set())
    waiter_thread.start()

    async def main() -> None:
        task = await spawn(event.wait)
        await _until(lambda: "waiting:3" in repr(event))
        setter = threading.Thread(target=event.set)
        setter.start()
        # Real time on purpose: a safety bound on a hand-off from another world.
        assert await timeout_after(10, task.join()) is True
        # Real time on purpose: a safety bound on a hand-off from another world.
        await timeout_after(10, _future_wait(aio))
        setter.join(10)

    run(main)
    assert woke.wait(10)
    waiter_thread.join(10)
    assert event.is_set()
    assert event.wait() is True  # set: returns at once


def test_clear_makes_later_waits_block_again() -> None:
    event = UniversalEvent()
    event.set()
    event.clear()
    assert not event.is_set()
    assert event.wait(timeout=0.01) is False  # as threading.Event.wait
    assert "waiting:0" in repr(event)


def test_an_event_set_from_curio_wakes_an_asyncio_waiter(asyncio_thread: Any) -> None:
    event = UniversalEvent()

    async def aio_wait() -> bool:
        return await event.wait()  # type: ignore[no-any-return, misc]

    aio = asyncio_thread.submit(aio_wait())

    async def main() -> None:
        await _until(lambda: "waiting:1" in repr(event))
        await event.set()  # type: ignore[func-returns-value]
        # Real time on purpose: a safety bound on a hand-off from another world.
        assert await timeout_after(10, _future_wait(aio)) is True

    run(main)


def test_cancelled_event_waiters_in_curio_and_asyncio_leave_nothing_behind(
    asyncio_thread: Any,
) -> None:
    event = UniversalEvent()

    async def aio_timeout() -> str:
        try:
            await asyncio.wait_for(event.wait(), 0.01)  # type: ignore[arg-type]
        except TimeoutError:
            return "timed out"
        return "set"

    # Real time on purpose: asyncio's wait_for, in the asyncio loop's thread.
    assert asyncio_thread.run(aio_timeout()) == "timed out"
    mock = MockClock()

    async def main() -> None:
        tasks = [await spawn(event.wait) for _ in range(10)]
        for task in tasks:
            await task.cancel()
        await spawn(_jump_once_blocked(mock, 0.01))
        with pytest.raises(TaskTimeout):
            await timeout_after(0.01, event.wait())
        assert await clock() == 0.01

    run(main, clock=mock)
    assert "waiting:0" in repr(event)
    event.set()


def test_a_coroutine_wait_timeout_argument_points_to_the_worlds_own_timeouts() -> None:
    async def main() -> None:
        with pytest.raises(TypeError, match="timeout_after"):
            await UniversalEvent().wait(timeout=1)  # type: ignore[misc]
        with pytest.raises(TypeError, match="timeout_after"):
            await UniversalResult[int]().unwrap(timeout=1)  # type: ignore[misc]

    run(main)


def test_a_task_sets_an_exception_class_that_a_thread_unwraps_as_an_instance() -> None:
    result: UniversalResult[int] = UniversalResult()
    raised: list[BaseException] = []

    def unwrap() -> None:
        try:
            result.unwrap(timeout=10)
        except ValueError as exc:
            raised.append(exc)

    thread = threading.Thread(target=unwrap)
    thread.start()

    async def main() -> None:
        await _until(lambda: "waiting:1" in repr(result))
        await result.set_exception(ValueError)  # type: ignore[func-returns-value]

    run(main)
    thread.join(10)
    assert len(raised) == 1
    assert isinstance(raised[0], ValueError)
    assert "[exception ValueError, waiting:0]" in repr(result)
