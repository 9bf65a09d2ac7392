"""TaskGroup: members spawned together, collected in the order they end, joined by policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import CancelledError, Task, TaskGroup, run, sleep, spawn


async def value_after(gate: Any, value: int) -> int:
    """*value*, once *gate* (a flag) is set."""
    await gate.wait()
    return value


def test_members_come_back_in_the_order_they_end(flag: Callable[[], Any]) -> None:
    async def main() -> list[int]:
        first, second = flag(), flag()
        async with TaskGroup[int]() as group:
            await group.spawn(value_after, first, 1)
            await group.spawn(value_after, second, 2)
            await second.set()
            done = await group.next_done()
            assert done is not None
            await first.set()
            return [await done.join(), await group.next_result()]

    assert run(main) == [2, 1]


def test_next_done_is_none_when_no_member_is_left(flag: Callable[[], Any]) -> None:
    async def main() -> object:
        group: TaskGroup[int] = TaskGroup()
        gate = flag()
        await gate.set()
        await group.spawn(value_after, gate, 7)
        assert (await group.next_done()) is not None
        return await group.next_done()

    assert run(main) is None


def test_wait_all_collects_every_result(flag: Callable[[], Any]) -> None:
    async def main() -> list[int]:
        gate = flag()
        async with TaskGroup[int]() as group:
            for n in range(5):
                await group.spawn(value_after, gate, n)
            await gate.set()
        return group.results

    assert run(main) == [0, 1, 2, 3, 4]


def test_a_failing_member_cancels_the_others_and_the_group_reports_it() -> None:
    cancelled = []

    async def forever(n: int) -> int:
        try:
            await sleep(3600)
        except CancelledError:
            cancelled.append(n)
            raise
        return n

    async def crash() -> int:
        raise ValueError("boom")

    async def main() -> TaskGroup[int]:
        async with TaskGroup[int]() as group:
            await group.spawn(forever, 1)
            await group.spawn(forever, 2)
            await group.spawn(crash)
        return group

    group = run(main)
    assert sorted(cancelled) == [1, 2]
    assert [type(e) for e in group.exceptions] == [ValueError]
    assert isinstance(group.exception, ValueError)
    with pytest.raises(ValueError, match="boom"):
        _ = group.results
    with pytest.raises(ValueError, match="boom"):
        _ = group.result


def test_wait_any_keeps_the_first_and_cancels_the_rest(flag: Callable[[], Any]) -> None:
    async def main() -> tuple[int, int]:
        fast, slow = flag(), flag()
        async with TaskGroup[int](wait=any) as group:
            await group.spawn(value_after, slow, 1)
            await group.spawn(value_after, fast, 2)
            await fast.set()
        others = [task for task in group.tasks if task is not group.completed]
        assert all(isinstance(task.exception, CancelledError) for task in others)
        return group.result, len(others)

    assert run(main) == (2, 1)


def test_wait_none_cancels_everything_at_the_end_of_the_block(flag: Callable[[], Any]) -> None:
    async def main() -> list[bool]:
        gate = flag()
        async with TaskGroup[int](wait=None) as group:
            await group.spawn(value_after, gate, 1)
            await group.spawn(value_after, gate, 2)
        return [task.terminated for task in group.tasks]

    assert run(main) == [True, True]


def test_an_error_in_the_block_cancels_the_members(flag: Callable[[], Any]) -> None:
    async def main() -> list[Task[int]]:
        gate = flag()
        group: TaskGroup[int] = TaskGroup()

        async def block() -> None:
            async with group:
                await group.spawn(value_after, gate, 1)
                raise KeyError("block")

        with pytest.raises(KeyError):
            await block()
        return group.tasks

    (task,) = run(main)
    assert isinstance(task.exception, CancelledError)


def test_existing_tasks_can_be_adopted(flag: Callable[[], Any]) -> None:
    async def main() -> list[int]:
        gate = flag()
        task = await spawn(value_after, gate, 3)
        async with TaskGroup[int]([task]) as group:
            await gate.set()
        return group.results

    assert run(main) == [3]


def test_a_joined_group_takes_no_new_tasks(flag: Callable[[], Any]) -> None:
    async def main() -> None:
        group: TaskGroup[int] = TaskGroup()
        await group.join()
        gate = flag()
        coro = value_after(gate, 1)
        try:
            with pytest.raises(RuntimeError, match="no new tasks"):
                await group.spawn(coro)
        finally:
            coro.close()

    run(main)


def test_a_bad_policy_or_member_is_refused() -> None:
    with pytest.raises(ValueError, match="wait must be"):
        TaskGroup(wait=max)
    with pytest.raises(TypeError, match="curio Tasks"):
        TaskGroup(["not a task"])  # type: ignore[arg-type]
