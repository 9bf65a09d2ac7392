"""Task.join(): the value, or TaskError chained to what ended the task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import CancelledError, TaskCancelled, TaskError, current_task, run, sleep, spawn


def test_join_returns_the_value() -> None:
    async def child() -> str:
        await sleep(0)
        return "value"

    async def main() -> str:
        task = await spawn(child())
        return await task.join()

    assert run(main) == "value"


def test_join_of_an_already_finished_task() -> None:
    async def child() -> int:
        return 3

    async def main() -> list[int]:
        task = await spawn(child())
        assert task.terminated
        return [await task.join(), await task.join()]

    assert run(main) == [3, 3]


def test_join_of_a_crashed_task_raises_task_error_chained() -> None:
    async def child() -> None:
        await sleep(0)
        raise ValueError("bad value")

    async def main() -> BaseException | None:
        task = await spawn(child())
        with pytest.raises(TaskError) as info:
            await task.join()
        return info.value.__cause__

    cause = run(main)
    assert isinstance(cause, ValueError)
    assert str(cause) == "bad value"


def test_join_of_a_task_that_crashed_before_the_join() -> None:
    async def child() -> None:
        raise KeyError("early")

    async def main() -> BaseException | None:
        task = await spawn(child())
        assert task.terminated
        with pytest.raises(TaskError) as info:
            await task.join()
        return info.value.__cause__

    assert isinstance(run(main, log_errors=False), KeyError)


def test_join_of_a_cancelled_task_chains_cancelled_error(flag: Callable[[], Any]) -> None:
    never = flag()

    async def main() -> BaseException | None:
        task = await spawn(never.wait())
        assert await task.cancel() is True
        with pytest.raises(TaskError) as info:
            await task.join()
        return info.value.__cause__

    assert isinstance(run(main), CancelledError)


def test_a_joiner_waiting_while_the_task_is_cancelled(flag: Callable[[], Any]) -> None:
    never = flag()

    async def joiner(task: Any) -> BaseException | None:
        try:
            await task.join()
        except TaskError as exc:
            return exc.__cause__
        return None

    async def main() -> BaseException | None:
        target = await spawn(never.wait())
        waiting = await spawn(joiner(target))
        await target.cancel()
        return await waiting.join()

    assert isinstance(run(main), CancelledError)


def test_several_joiners_all_get_the_value(flag: Callable[[], Any]) -> None:
    gate = flag()

    async def child() -> int:
        await gate.wait()
        return 11

    async def joiner(task: Any) -> int:
        result: int = await task.join()
        return result

    async def main() -> list[int]:
        target = await spawn(child())
        joiners = [await spawn(joiner(target)) for _ in range(3)]
        await gate.set()
        return [await j.join() for j in joiners]

    assert run(main) == [11, 11, 11]


def test_join_itself_is_refused() -> None:
    async def main() -> None:
        me = await current_task()
        await me.join()

    with pytest.raises(RuntimeError, match="itself"):
        run(main)


def test_join_result_of_a_task_cancelled_with_task_cancelled(flag: Callable[[], Any]) -> None:
    never = flag()

    async def main() -> BaseException | None:
        task = await spawn(never.wait())
        await task.cancel(exc=TaskCancelled)
        try:
            await task.join()
        except TaskError as exc:
            return exc.__cause__
        return None

    assert isinstance(run(main), TaskCancelled)
