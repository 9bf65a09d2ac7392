"""Asynchronous threads in task groups, as curio 1.6 allows.

``TaskGroup.spawn_thread``, ``add_task`` and the constructor take an ``AsyncThread``; the
group waits for it, reports its result or error, hands it out as itself (``tasks``,
``next_done``, ``completed``) and cancels it when the group ends (at its next ``AWAIT``),
waiting for the thread to return.  Inside an asynchronous thread a group also works with
``with`` and ``for``.
"""

from __future__ import annotations

import threading

import pytest

from curio_kernel import (
    AWAIT,
    AsyncThread,
    CancelledError,
    Task,
    TaskGroup,
    run,
    sleep,
    spawn,
    spawn_thread,
)
from curio_sync import Event

pytestmark = [pytest.mark.timeout(20), pytest.mark.usefixtures("no_thread_leak")]


def wait_then(gate: Event, value: int) -> int:
    """An async thread's function: *value*, once *gate* is set."""
    AWAIT(gate.wait())
    return value


def forever(started: Event, seen: list[str]) -> None:
    """Wait in AWAIT until cancelled; note the cancellation in *seen*."""
    AWAIT(started.set())
    try:
        AWAIT(Event().wait())
    except CancelledError:
        seen.append("cancelled")
        raise


async def task_value(gate: Event, value: int) -> int:
    await gate.wait()
    return value


def test_a_thread_spawned_in_a_group_is_a_member_with_its_result_among_the_results() -> None:
    async def main() -> tuple[list[int], bool, bool]:
        gate = Event()
        async with TaskGroup[int]() as g:
            thread = await g.spawn_thread(wait_then, gate, 1)
            task = await g.spawn(task_value, gate, 2)
            members = g.tasks
            await gate.set()
        return g.results, members == [thread, task], isinstance(members[0], AsyncThread)

    assert run(main) == ([1, 2], True, True)


def test_next_done_hands_out_the_thread_itself_in_the_order_members_ended() -> None:
    async def main() -> list[bool]:
        first, second = Event(), Event()
        async with TaskGroup[int]() as g:
            thread = await g.spawn_thread(wait_then, second, 1)
            task = await g.spawn(task_value, first, 2)
            await first.set()
            done_first = await g.next_done()
            await second.set()
            done_second = await g.next_done()
            none_left = await g.next_done()
        return [done_first is task, done_second is thread, none_left is None]

    assert run(main) == [True, True, True]


def test_a_group_that_stops_waiting_cancels_a_running_thread_and_waits_for_it() -> None:
    seen: list[str] = []

    async def main() -> tuple[bool, bool, int]:
        started, gate = Event(), Event()
        async with TaskGroup[object](wait=any) as g:
            thread = await g.spawn_thread(forever, started, seen)
            await started.wait()
            await g.spawn(task_value, gate, 7)
            await gate.set()
        return thread.terminated, thread.cancelled, g.result

    assert run(main) == (True, True, 7)
    assert seen == ["cancelled"]


def test_a_failing_thread_ends_the_wait_and_its_error_is_reported() -> None:
    seen: list[str] = []

    def broken() -> None:
        AWAIT(sleep(0))
        raise ValueError("thread member failed")

    async def main() -> tuple[list[str], bool]:
        started = Event()
        async with TaskGroup[object]() as g:
            await g.spawn_thread(forever, started, seen)
            await started.wait()
            failed = await g.spawn_thread(broken)
        with pytest.raises(ValueError, match="thread member failed"):
            _ = g.results
        return [str(exc) for exc in g.exceptions], g.completed is failed

    assert run(main) == (["thread member failed"], True)
    assert seen == ["cancelled"]


def test_add_task_and_the_constructor_adopt_a_running_thread() -> None:
    async def main() -> tuple[int, bool, list[int]]:
        gate = Event()
        one = await spawn_thread(wait_then, gate, 1)
        two = await spawn_thread(wait_then, gate, 2)
        async with TaskGroup[int]([one], wait=any) as g:
            await g.add_task(two)
            await gate.set()
        three = await spawn_thread(wait_then, gate, 3)
        await three.wait()  # a thread that has already ended is adopted too
        async with TaskGroup[int]([three]) as ended:
            pass
        return g.result, g.completed in (one, two), ended.results

    result, is_thread, results = run(main)
    assert result in (1, 2)
    assert is_thread
    assert results == [3]


def test_joining_a_thread_directly_takes_it_out_of_its_group() -> None:
    async def main() -> tuple[int, list[object], list[int]]:
        gate = Event()
        await gate.set()
        async with TaskGroup[int]() as g:
            thread = await g.spawn_thread(wait_then, gate, 5)
            value = await thread.join()
            members = list(g.tasks)
        return value, members, g.results

    assert run(main) == (5, [], [])


def test_a_daemonic_thread_member_is_disregarded_and_cancelled_when_the_group_ends() -> None:
    seen: list[str] = []

    async def main() -> tuple[list[int], bool, list[object]]:
        started, gate = Event(), Event()
        await gate.set()
        async with TaskGroup[object]() as g:
            daemon = await g.spawn_thread(forever, started, seen, daemon=True)
            await started.wait()
            await g.spawn(task_value, gate, 3)
        return g.results, daemon.terminated, list(g.tasks)

    results, ended, members = run(main)
    assert results == [3]
    assert ended
    assert all(isinstance(member, Task) for member in members)
    assert seen == ["cancelled"]


def test_cancelling_the_task_that_owns_the_group_cancels_its_thread_members() -> None:
    seen: list[str] = []

    async def owner(started: Event) -> None:
        async with TaskGroup[object]() as g:
            await g.spawn_thread(forever, started, seen)
            await Event().wait()

    async def main() -> bool:
        started = Event()
        task = await spawn(owner, started)
        await started.wait()
        await task.cancel()
        return task.terminated

    assert run(main) is True
    assert seen == ["cancelled"]


def test_a_thread_belongs_to_one_group_and_must_be_started_to_join_one() -> None:
    def plain() -> int:
        return 1

    async def main() -> None:
        thread = await spawn_thread(plain)
        async with TaskGroup[int]([thread]):
            with pytest.raises(RuntimeError, match="already belongs"):
                await TaskGroup[int]().add_task(thread)
        with pytest.raises(RuntimeError, match="not been started"):
            await TaskGroup[int]().add_task(AsyncThread(plain))
        with pytest.raises(TypeError, match="AsyncThreads"):
            await TaskGroup[int]().add_task(object())  # type: ignore[arg-type]

    run(main)


def test_inside_an_async_thread_a_group_works_with_with_and_for() -> None:
    async def square(n: int) -> int:
        await sleep(0)
        return n * n

    def worker() -> tuple[list[int], list[int], str]:
        with TaskGroup[int]() as g:
            for n in range(4):
                AWAIT(g.spawn(square, n))
        ended: list[int] = []
        with TaskGroup[int]() as h:
            AWAIT(h.spawn(square, 5))
            AWAIT(h.spawn(square, 6))
            ended.extend(task.result for task in h)
        return sorted(g.results), sorted(ended), threading.current_thread().name

    async def main() -> tuple[list[int], list[int], str]:
        return await (await spawn_thread(worker)).join()

    squares, ended, name = run(main)
    assert squares == [0, 1, 4, 9]
    assert ended == [25, 36]
    assert name.startswith("curio-async-thread-")


def test_a_group_block_in_a_thread_that_fails_cancels_its_members() -> None:
    seen: list[str] = []

    async def member() -> None:
        try:
            await Event().wait()
        except CancelledError:
            seen.append("member cancelled")
            raise

    def worker() -> str:
        try:
            with TaskGroup[None]() as g:
                AWAIT(g.spawn(member))
                AWAIT(sleep(0))
                raise KeyError("the block failed")
        except KeyError:
            return "block error kept"
        return "no error"

    async def main() -> str:
        return await (await spawn_thread(worker)).join()

    assert run(main) == "block error kept"
    assert seen == ["member cancelled"]
