"""The module-level run(): a coroutine function with arguments, or a coroutine."""

from __future__ import annotations

import selectors
import threading
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import run, sleep, spawn


async def add(x: int, y: int) -> int:
    await sleep(0)
    return x + y


def test_run_coroutine_function_with_arguments() -> None:
    assert run(add, 2, 3) == 5


def test_run_coroutine_object() -> None:
    assert run(add(4, 5)) == 9


def test_run_coroutine_function_without_arguments() -> None:
    async def main() -> str:
        return "ok"

    assert run(main) == "ok"


def test_run_raises_the_exception() -> None:
    async def main() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        run(main)


def test_run_takes_a_selector() -> None:
    assert run(add, 1, 1, selector=selectors.SelectSelector()) == 2


def test_run_shuts_down_leftover_daemons(flag: Callable[[], Any]) -> None:
    never = flag()
    cleaned: list[str] = []

    async def daemon() -> None:
        try:
            await never.wait()
        finally:
            cleaned.append("daemon")

    async def main() -> str:
        await spawn(daemon(), daemon=True)
        return "main"

    assert run(main) == "main"
    assert cleaned == ["daemon"]


def test_run_of_a_coroutine_with_extra_arguments_is_a_type_error() -> None:
    coro = add(1, 2)
    try:
        with pytest.raises(TypeError):
            run(coro, 3)
    finally:
        coro.close()


def test_run_of_a_non_coroutine_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="coroutine"):
        run(42)  # type: ignore[arg-type]


def test_run_of_a_plain_function_is_a_type_error() -> None:
    def not_async() -> int:
        return 1

    with pytest.raises(TypeError, match="coroutine"):
        run(not_async)  # type: ignore[arg-type]


def test_run_in_a_thread_other_than_main() -> None:
    results: list[int] = []

    def target() -> None:
        results.append(run(add, 20, 22))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(5)
    assert results == [42]


def test_run_inside_a_running_kernel_is_refused() -> None:
    async def main() -> str:
        coro = add(1, 1)
        try:
            run(coro)
        except RuntimeError as exc:
            return str(exc)
        finally:
            coro.close()
        return "not refused"

    assert "running" in run(main)
