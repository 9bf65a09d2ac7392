"""A curio 1.x program: its module paths, task groups, results and cancellation control."""

from __future__ import annotations

from typing import assert_type

from curio.errors import TaskCancelled
from curio.kernel import Kernel
from curio.sync import Event, Result
from curio.task import (
    TaskGroup,
    check_cancellation,
    current_task,
    disable_cancellation,
    spawn,
)
from curio.time import clock, ignore_at, timeout_after


async def square(n: int) -> int:
    return n * n


async def producer(result: Result[str], ready: Event) -> None:
    await ready.wait()
    await result.set_value("made")


async def main(limit: int) -> tuple[list[int], str, int]:
    async with TaskGroup[int](wait=all) as group:
        for n in range(limit):
            await group.spawn(square, n)
    squares = group.results
    assert_type(squares, list[int])

    async with TaskGroup[int](wait=any) as first:
        await first.spawn(square(3))
    assert_type(first.result, int)

    result: Result[str] = Result()
    ready = Event()
    await spawn(producer, result, ready)
    await ready.set()
    made = await result.unwrap()
    assert_type(made, str)

    bounded = await timeout_after(1.0, square, 4)
    assert_type(bounded, int)
    shielded = await disable_cancellation(square, 5)
    assert_type(shielded, int)
    async with disable_cancellation():
        pending = await check_cancellation(TaskCancelled)
        assert_type(pending, TaskCancelled | None)

    async with ignore_at(await clock() + 1.0) as block:
        me = await current_task()
        where = me.where()
        assert_type(where.lineno, int | None)
    assert_type(block.expired, bool)
    return squares, made, bounded + shielded


if __name__ == "__main__":
    with Kernel() as kernel:
        print(kernel.run(main, 4, shutdown=True))
