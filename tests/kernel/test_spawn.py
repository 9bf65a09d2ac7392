"""spawn(): its two forms, the first step before it returns, parents and daemons."""

from __future__ import annotations

import types
from collections.abc import Callable, Generator
from typing import Any

import pytest

from curio_kernel import Task, current_task, run, sleep, spawn
from curio_traps import _sleep


async def square(x: int) -> int:
    return x * x


async def nap(seconds: float) -> None:
    """A coroutine that sleeps (``sleep()`` itself returns a plain awaitable)."""
    await sleep(seconds)


def test_spawn_a_coroutine() -> None:
    async def main() -> int:
        task = await spawn(square(3))
        return await task.join()

    assert run(main) == 9


def test_spawn_a_coroutine_function_with_arguments() -> None:
    async def main() -> int:
        task = await spawn(square, 4)
        return await task.join()

    assert run(main) == 16


def test_spawn_a_coroutine_function_without_arguments() -> None:
    async def seven() -> int:
        return 7

    async def main() -> int:
        task = await spawn(seven)
        return await task.join()

    assert run(main) == 7


def test_spawn_daemon_keyword_with_the_function_form(flag: Callable[[], Any]) -> None:
    async def main() -> tuple[bool, object]:
        task = await spawn(square, 5, daemon=True)
        return task.daemon, task.parent

    assert run(main) == (True, None)


def test_spawn_returns_after_the_child_ran_its_first_step(flag: Callable[[], Any]) -> None:
    never = flag()
    started: list[str] = []

    async def child() -> None:
        started.append("child started")
        await never.wait()

    async def main() -> list[str]:
        task = await spawn(child(), daemon=True)
        seen = list(started)
        assert task.state == "FLAG_WAIT"
        return seen

    assert run(main) == ["child started"]


def test_spawn_of_a_child_that_finishes_at_once() -> None:
    async def main() -> tuple[bool, str]:
        task = await spawn(square(2))
        return task.terminated, task.state

    assert run(main) == (True, "TERMINATED")


def test_spawned_task_has_the_spawner_as_parent() -> None:
    async def child() -> Task[Any]:
        return await current_task()

    async def main() -> tuple[Task[Any], Task[Any], Task[Any] | None]:
        me = await current_task()
        task = await spawn(child())
        return me, await task.join(), task.parent

    me, child_seen_self, parent = run(main)
    assert parent is me
    assert child_seen_self is not me


def test_daemon_task_has_no_parent() -> None:
    async def main() -> tuple[Task[Any] | None, bool]:
        task = await spawn(nap(0), daemon=True)
        return task.parent, task.daemon

    assert run(main) == (None, True)


def test_non_daemon_task_is_not_daemon() -> None:
    async def main() -> bool:
        task = await spawn(nap(0))
        return task.daemon

    assert run(main) is False


def test_spawned_tasks_get_distinct_increasing_ids() -> None:
    async def main() -> list[int]:
        tasks = [await spawn(nap(0)) for _ in range(5)]
        return [t.id for t in tasks]

    ids = run(main)
    assert ids == sorted(ids)
    assert len(set(ids)) == 5


def test_spawn_of_a_non_coroutine_is_a_type_error_naming_it() -> None:
    async def main() -> str:
        try:
            bad: Any = 42
            await spawn(bad)
        except TypeError as exc:
            return str(exc)
        return "accepted"

    message = run(main)
    assert "coroutine" in message
    assert "42" in message


def test_spawn_of_a_plain_function_is_a_type_error() -> None:
    def plain() -> int:
        return 1

    async def main() -> None:
        bad: Any = plain
        await spawn(bad)

    with pytest.raises(TypeError, match="coroutine"):
        run(main)


def test_spawn_of_a_non_callable_with_arguments_is_a_type_error() -> None:
    async def main() -> None:
        bad: Any = 42
        await spawn(bad, 1)

    with pytest.raises(TypeError, match="42"):
        run(main)


def test_spawn_of_a_coroutine_twice_is_a_runtime_error() -> None:
    async def main() -> str:
        coro = square(6)
        first = await spawn(coro)
        await first.join()
        try:
            await spawn(coro)
        except RuntimeError as exc:
            return str(exc)
        return "accepted"

    assert "already" in run(main)


def test_spawn_of_a_running_coroutine_is_a_runtime_error(flag: Callable[[], Any]) -> None:
    gate = flag()

    async def waiter() -> None:
        await gate.wait()

    async def main() -> None:
        coro = waiter()
        task = await spawn(coro)
        try:
            with pytest.raises(RuntimeError, match="already"):
                await spawn(coro)
        finally:
            await gate.set()
            await task.join()

    run(main)


def test_spawn_of_a_generator_coroutine() -> None:
    # A generator made a coroutine by types.coroutine is spawnable like a native one.
    @types.coroutine
    def generator_coroutine() -> Generator[Any, Any, int]:
        yield from _sleep(0)
        return 5

    async def main() -> object:
        coro: Any = generator_coroutine()
        task = await spawn(coro)
        return await task.join()

    assert run(main) == 5


def test_child_exception_does_not_affect_the_parent() -> None:
    async def crash() -> None:
        raise ValueError("child")

    async def main() -> str:
        await spawn(crash())
        await sleep(0)
        return "parent fine"

    assert run(main, log_errors=False) == "parent fine"
