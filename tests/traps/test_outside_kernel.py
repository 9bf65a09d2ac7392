"""A trap awaited where no curio kernel runs explains the problem."""

from __future__ import annotations

import inspect

import pytest

from curio_kernel import run
from curio_traps import _clock, _sleep, outside_kernel_error, running_kernel


def test_error_thrown_into_a_trap_outside_a_kernel_is_explained() -> None:
    coro = _sleep(1)
    coro.send(None)
    original = RuntimeError("bad yield")
    with pytest.raises(RuntimeError, match="outside a running curio kernel") as info:
        coro.throw(original)
    assert info.value.__cause__ is original


def test_outside_kernel_error_passes_exceptions_through_inside_a_kernel() -> None:
    async def main() -> bool:
        exc = KeyError("k")
        return outside_kernel_error(exc) is exc

    assert run(main) is True


def test_running_kernel_is_set_only_while_running() -> None:
    async def main() -> object:
        await _clock()
        return running_kernel()

    assert running_kernel() is None
    assert run(main) is not None
    assert running_kernel() is None


def test_closing_a_suspended_trap_outside_a_kernel_is_quiet() -> None:
    # close() throws GeneratorExit: it must end the coroutine, not turn
    # into "awaited outside a running curio kernel".
    coro = _sleep(1)
    coro.send(None)
    coro.close()
    assert inspect.getgeneratorstate(coro) == inspect.GEN_CLOSED


def test_closing_a_coroutine_suspended_at_a_trap_outside_a_kernel_is_quiet() -> None:
    async def user_code() -> None:
        await _sleep(1)

    coro = user_code()
    coro.send(None)
    coro.close()
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED


@pytest.mark.parametrize("seconds", [0, 1])
def test_closing_a_coroutine_suspended_in_kernel_sleep_outside_a_kernel_is_quiet(
    seconds: float,
) -> None:
    from curio_kernel import sleep

    async def user_code() -> None:
        await sleep(seconds)

    coro = user_code()
    coro.send(None)
    coro.close()
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED
