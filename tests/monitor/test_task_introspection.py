"""What users and the monitor can ask about tasks: name, parent, the live tasks, where()."""

from __future__ import annotations

import inspect
from typing import Any

from curio_kernel import Kernel, Task, current_task, run, sleep, spawn


async def napper() -> None:
    await sleep(1000)


def test_a_tasks_name_defaults_to_its_coroutine_name() -> None:
    async def main() -> list[str]:
        child = await spawn(napper)
        names = [(await current_task()).name, child.name]
        await child.cancel()
        return names

    assert run(main) == ["test_a_tasks_name_defaults_to_its_coroutine_name.<locals>.main", "napper"]


def test_parent_is_the_spawning_task_and_none_for_daemons() -> None:
    async def main() -> tuple[Task[Any] | None, Task[Any] | None, Task[Any]]:
        me = await current_task()
        child = await spawn(napper)
        daemon = await spawn(napper, daemon=True)
        parents = (child.parent, daemon.parent, me)
        await child.cancel()
        await daemon.cancel()
        return parents

    child_parent, daemon_parent, main_task = run(main)
    assert child_parent is main_task
    assert main_task.parent is None
    assert daemon_parent is None


def test_kernel_tasks_lists_the_live_tasks_oldest_first() -> None:
    with Kernel() as kernel:

        async def main() -> list[list[int]]:
            snapshots = [[t.id for t in kernel.tasks]]
            first = await spawn(napper)
            second = await spawn(napper)
            snapshots.append([t.id for t in kernel.tasks])
            await first.cancel()
            snapshots.append([t.id for t in kernel.tasks])
            await second.cancel()
            return snapshots

        main_task = kernel.add_task(main())
        kernel.run()
        before, both, one_left = main_task.result
        assert before == [main_task.id]
        assert both == [main_task.id, both[1], both[2]]
        assert both[1] < both[2]
        assert one_left == [main_task.id, both[2]]
        assert kernel.tasks == []


def test_kernel_current_is_the_running_task() -> None:
    with Kernel() as kernel:

        async def main() -> bool:
            return kernel.current is await current_task()

        assert kernel.run(main()) is True
        assert kernel.current is None


def test_stack_walks_the_awaited_coroutines_outermost_first() -> None:
    async def inner() -> None:
        await sleep(1000)

    async def outer() -> None:
        await inner()

    async def main() -> tuple[list[inspect.FrameInfo], list[inspect.FrameInfo]]:
        task = await spawn(outer)
        stack = task.stack()
        await task.cancel()
        return stack, task.stack()

    stack, after = run(main)
    functions = [info.function for info in stack]
    assert functions[:2] == ["outer", "inner"]
    assert stack[1].lineno == inner.__code__.co_firstlineno + 1
    assert after == []  # an ended task has no stack
