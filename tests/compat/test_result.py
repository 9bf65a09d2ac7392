"""curio 1.6's Result: a value or an exception, set once, that tasks wait for with unwrap()."""

from __future__ import annotations

import asyncio

import pytest

from curio_kernel import (
    CancelledError,
    TaskError,
    TaskTimeout,
    clock,
    run,
    sleep,
    spawn,
    timeout_after,
)
from curio_kernel.testing import MockClock
from curio_sync import Result, SyncUsageError


async def _unwrap(result: Result[object]) -> object:
    return await result.unwrap()


def test_a_new_result_is_not_set() -> None:
    result: Result[int] = Result()
    assert not result.is_set()
    assert repr(result) == "<Result [unset, waiting:0]>"


def test_set_value_sets_it_and_unwrap_returns_the_value_at_once() -> None:
    async def main() -> list[object]:
        result: Result[str] = Result()
        await result.set_value("answer")
        assert result.is_set()
        assert "[value, waiting:0]" in repr(result)
        return [await result.unwrap(), await result.unwrap()]  # as often as asked

    assert run(main) == ["answer", "answer"]


def test_none_is_a_value_like_any_other() -> None:
    async def main() -> object:
        result: Result[object] = Result()
        await result.set_value(None)
        assert result.is_set()
        return await result.unwrap()

    assert run(main) is None


def test_unwrap_waits_until_a_value_is_set() -> None:
    async def main() -> object:
        result: Result[object] = Result()
        waiter = await spawn(_unwrap(result))
        assert waiter.state == "RESULT_WAIT"
        assert "waiting:1" in repr(result)
        await result.set_value(42)
        return await waiter.join()

    assert run(main) == 42


def test_set_value_wakes_every_waiter_with_the_same_value_in_arrival_order() -> None:
    order: list[int] = []
    token = object()

    async def waiter(result: Result[object], k: int) -> object:
        value = await result.unwrap()
        order.append(k)
        return value

    async def main() -> list[object]:
        result: Result[object] = Result()
        tasks = [await spawn(waiter(result, k)) for k in range(4)]
        await result.set_value(token)
        assert "waiting:0" in repr(result)
        return [await t.join() for t in tasks]

    assert run(main) == [token] * 4
    assert order == [0, 1, 2, 3]


def test_set_exception_makes_every_unwrap_raise_that_exception() -> None:
    boom = ValueError("boom")

    async def waiter(result: Result[object]) -> BaseException:
        try:
            await result.unwrap()
        except ValueError as exc:
            return exc
        raise AssertionError("unwrap returned instead of raising")

    async def main() -> list[BaseException]:
        result: Result[object] = Result()
        tasks = [await spawn(waiter(result)) for _ in range(2)]
        await result.set_exception(boom)
        assert result.is_set()
        assert "[exception ValueError" in repr(result)
        seen = [await t.join() for t in tasks]
        with pytest.raises(ValueError) as info:  # and after it was set, too
            await result.unwrap()
        seen.append(info.value)
        return seen

    assert all(exc is boom for exc in run(main))


def test_set_exception_with_an_exception_class_raises_an_instance_of_it() -> None:
    async def main() -> None:
        result: Result[int] = Result()
        await result.set_exception(KeyError)
        with pytest.raises(KeyError) as first:
            await result.unwrap()
        with pytest.raises(KeyError) as second:
            await result.unwrap()
        assert first.value is second.value  # instantiated once, at set_exception

    run(main)


@pytest.mark.parametrize("bad", ["boom", 42, None, object, ValueError("x").args])
def test_set_exception_refuses_what_is_not_an_exception(bad: object) -> None:
    async def main() -> None:
        result: Result[int] = Result()
        with pytest.raises(TypeError, match="set_value"):
            await result.set_exception(bad)  # type: ignore[arg-type]
        assert not result.is_set()
        await result.set_value(1)  # still usable
        assert await result.unwrap() == 1

    run(main)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("set_value", "set_value"),
        ("set_value", "set_exception"),
        ("set_exception", "set_value"),
        ("set_exception", "set_exception"),
    ],
)
def test_setting_a_result_twice_is_an_error_naming_it_and_keeps_the_first(
    first: str, second: str
) -> None:
    arguments = {"set_value": "first", "set_exception": KeyError("first")}

    async def main() -> None:
        result: Result[object] = Result()
        await getattr(result, first)(arguments[first])
        with pytest.raises(SyncUsageError, match=rf"Result\.{second}\(\).*already set") as info:
            await getattr(result, second)("second" if second == "set_value" else KeyError())
        assert isinstance(info.value, RuntimeError)
        if first == "set_value":
            assert await result.unwrap() == "first"
        else:
            with pytest.raises(KeyError) as raised:
                await result.unwrap()
            assert raised.value is arguments["set_exception"]

    run(main)


def test_a_cancelled_unwrap_leaves_no_waiter_behind() -> None:
    async def main() -> list[object]:
        result: Result[object] = Result()
        doomed = await spawn(_unwrap(result))
        stays = await spawn(_unwrap(result))
        assert "waiting:2" in repr(result)
        assert await doomed.cancel()
        assert "waiting:1" in repr(result)
        assert not result.is_set()
        await result.set_value("v")
        assert "waiting:0" in repr(result)
        return [await stays.join(), doomed.terminated]

    assert run(main) == ["v", True]


def test_a_timed_out_unwrap_leaves_no_waiter_and_the_result_can_still_be_set(
    virtual_clock: MockClock,
) -> None:
    async def main() -> object:
        result: Result[object] = Result()
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await result.unwrap()
        assert "waiting:0" in repr(result)
        assert not result.is_set()
        with pytest.raises(TaskTimeout):
            await timeout_after(0.01, result.unwrap())
        assert "waiting:0" in repr(result)
        assert await clock() == 0.02
        await result.set_value("late")
        return await result.unwrap()

    assert run(main, clock=virtual_clock) == "late"


def test_an_unwrap_woken_and_cancelled_in_the_same_step_still_gets_the_value() -> None:
    """The value is delivered first; the cancellation lands at the waiter's next wait."""
    log: list[object] = []

    async def waiter(result: Result[str]) -> None:
        try:
            log.append(await result.unwrap())
            await sleep(0)
        except CancelledError:
            log.append("cancelled")
            raise

    async def main() -> None:
        result: Result[str] = Result()
        t = await spawn(waiter(result))
        await result.set_value("delivered")
        await t.cancel()  # t has been woken but has not run yet
        assert "waiting:0" in repr(result)

    run(main)
    assert log == ["delivered", "cancelled"]


def test_a_result_carries_an_outcome_between_a_producer_and_consumers() -> None:
    """The usual use: a task computes, others wait for its answer or its failure."""

    async def compute(result: Result[int], fail: bool) -> None:
        try:
            if fail:
                raise ZeroDivisionError("no answer")
            await result.set_value(6 * 7)
        except Exception as exc:
            await result.set_exception(exc)

    async def main() -> list[object]:
        good: Result[int] = Result()
        bad: Result[int] = Result()
        consumers = [await spawn(good.unwrap()), await spawn(bad.unwrap())]
        await spawn(compute(good, fail=False))
        await spawn(compute(bad, fail=True))
        answer = await consumers[0].join()
        with pytest.raises(TaskError) as info:
            await consumers[1].join()
        return [answer, type(info.value.__cause__)]

    assert run(main) == [42, ZeroDivisionError]


def test_used_outside_a_curio_kernel_fails_clearly() -> None:
    result: Result[int] = Result()
    with pytest.raises(RuntimeError, match="running curio kernel"):
        asyncio.run(result.unwrap())
    assert not result.is_set()
    assert "waiting:0" in repr(result)
