"""Task attributes (id, coro, name, state, exc_info), construction and genericity."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import Kernel, Task, current_task, run, sleep, spawn
from curio_traps import TaskLike


async def worker() -> int:
    await sleep(0)
    return 1


async def nap(seconds: float) -> None:
    """A coroutine that sleeps (``sleep()`` itself returns a plain awaitable)."""
    await sleep(seconds)


def test_coro_is_the_coroutine_given() -> None:
    async def main() -> bool:
        coro = worker()
        task = await spawn(coro)
        await task.join()
        return task.coro is coro

    assert run(main) is True


def test_id_is_an_int_and_current_task_matches() -> None:
    async def child() -> int:
        return (await current_task()).id

    async def main() -> tuple[int, int]:
        task = await spawn(child())
        return task.id, await task.join()

    task_id, seen = run(main)
    assert isinstance(task_id, int)
    assert task_id == seen


def test_name_comes_from_the_coroutine() -> None:
    async def main() -> str:
        task = await spawn(worker())
        await task.join()
        return task.name

    assert "worker" in run(main)


def test_state_while_sleeping_and_after_the_end() -> None:
    async def main() -> list[str]:
        task = await spawn(nap(10))
        states = [task.state]
        await task.cancel()
        states.append(task.state)
        return states

    assert run(main) == ["TIME_SLEEP", "TERMINATED"]


def test_state_while_waiting_on_a_queue_uses_the_given_name(flag: Callable[[], Any]) -> None:
    gate = flag()

    async def main() -> str:
        task = await spawn(gate.wait())
        state = task.state
        await gate.set()
        await task.join()
        return state

    assert run(main) == "FLAG_WAIT"


def test_state_while_joining(flag: Callable[[], Any]) -> None:
    gate = flag()

    async def joiner(task: Any) -> None:
        await task.join()

    async def main() -> str:
        target = await spawn(gate.wait())
        j = await spawn(joiner(target))
        state = j.state
        await gate.set()
        await j.join()
        return state

    assert run(main) == "TASK_JOIN"


def test_state_of_the_running_task() -> None:
    async def main() -> str:
        return (await current_task()).state

    assert run(main) not in ("TERMINATED", "TIME_SLEEP")


def test_exc_info_of_a_crashed_task() -> None:
    async def child() -> None:
        raise ValueError("crash")

    async def main() -> Any:
        task = await spawn(child())
        return task.exc_info

    exc_type, exc, tb = run(main, log_errors=False)
    assert exc_type is ValueError
    assert isinstance(exc, ValueError)
    assert tb is exc.__traceback__
    assert tb is not None


def test_exc_info_of_a_successful_task_is_none() -> None:
    async def main() -> Any:
        task = await spawn(worker())
        await task.join()
        return task.exc_info

    assert run(main) is None


def test_terminated_flag() -> None:
    async def main() -> tuple[bool, bool]:
        task = await spawn(worker())
        before = task.terminated
        await task.join()
        return before, task.terminated

    assert run(main) == (False, True)


def test_repr_names_the_task() -> None:
    async def main() -> str:
        task = await spawn(worker())
        await task.join()
        return repr(task)

    text = run(main)
    assert "worker" in text
    assert "TERMINATED" in text


def test_task_cannot_be_constructed_directly() -> None:
    coro = worker()
    try:
        with pytest.raises(TypeError, match="spawn"):
            Task(coro)
    finally:
        coro.close()


def test_task_is_generic_at_run_time() -> None:
    alias = Task[int]
    assert typing.get_origin(alias) is Task
    assert typing.get_args(alias) == (int,)


def test_task_annotations_evaluate() -> None:
    def f(t: Task[int]) -> Task[str] | None:
        return None

    hints = typing.get_type_hints(f, localns={"Task": Task})
    assert hints["t"] == Task[int]


def test_task_satisfies_the_task_protocol() -> None:
    # A mypy-checked assignment: Task[int] is a TaskLike[int].
    def as_task_like(task: Task[int]) -> TaskLike[int]:
        return task

    async def main() -> int:
        task: Task[int] = await spawn(worker())
        like = as_task_like(task)
        return await like.join()

    assert run(main) == 1


def test_kernel_tasks_lists_the_live_tasks(flag: Callable[[], Any]) -> None:
    gate = flag()

    async def main(kernel: Kernel) -> tuple[list[Any], list[Any]]:
        me = await current_task()
        t = await spawn(gate.wait())
        during = kernel.tasks
        await gate.set()
        await t.join()
        return during, [x for x in kernel.tasks if x is not me]

    with Kernel() as kernel:
        result = kernel.run(main(kernel))
    assert result is not None
    during, after = result
    assert len(during) == 2
    assert after == []
