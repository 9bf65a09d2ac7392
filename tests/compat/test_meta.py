"""curio_traps.meta: curio 1.x's ``curio.meta``, one test per documented behaviour."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Generator
from typing import Any

import pytest

from curio_kernel import CancelledError, TaskError, run, run_in_thread, sleep, spawn
from curio_traps import (
    AwaitableFunction,
    _sleep,
    asyncioable,
    awaitable,
    curio_running,
    finalize,
    from_coroutine,
    instantiate_coroutine,
    iscoroutinefunction,
    safe_generator,
)

# ---------------------------------------------------------------------- curio_running


def test_curio_running_is_false_outside_any_kernel() -> None:
    assert curio_running() is False


def test_curio_running_is_true_in_a_task() -> None:
    async def main() -> bool:
        return curio_running()

    assert run(main) is True
    assert curio_running() is False


def test_curio_running_is_false_in_a_worker_thread_of_a_running_kernel() -> None:
    async def main() -> tuple[bool, bool, bool]:
        in_worker = await run_in_thread(curio_running)
        worker_is_another_thread = await run_in_thread(
            lambda: threading.current_thread() is not threading.main_thread()
        )
        return curio_running(), in_worker, worker_is_another_thread

    assert run(main) == (True, False, True)


# ---------------------------------------------------------------------- iscoroutinefunction


async def _add(x: int, y: int) -> int:
    return x + y


def _plain(x: int) -> int:
    return x


async def _numbers(n: int) -> AsyncIterator[int]:
    for i in range(n):
        yield i


def test_iscoroutinefunction_is_true_for_an_async_def() -> None:
    assert iscoroutinefunction(_add)


def test_iscoroutinefunction_sees_through_partials() -> None:
    assert iscoroutinefunction(functools.partial(_add, 1))
    assert iscoroutinefunction(functools.partial(functools.partial(_add, 1), 2))
    assert not iscoroutinefunction(functools.partial(_plain, 1))


def test_iscoroutinefunction_sees_through_bound_methods() -> None:
    class Spam:
        async def coro(self) -> None:
            pass

        def plain(self) -> None:
            pass

    assert iscoroutinefunction(Spam().coro)
    assert not iscoroutinefunction(Spam().plain)


def test_iscoroutinefunction_is_true_for_awaitable_objects() -> None:
    def sync_spam(x: int) -> int:
        return x

    @awaitable(sync_spam)
    async def spam(x: int) -> int:
        return x

    class AsyncCallable:
        async def __call__(self) -> None:
            pass

    assert not inspect.iscoroutinefunction(spam)  # what the standard test misses
    assert iscoroutinefunction(spam)
    assert iscoroutinefunction(functools.partial(spam, 1))
    assert iscoroutinefunction(AsyncCallable())


def test_iscoroutinefunction_is_true_for_async_generator_functions() -> None:
    assert iscoroutinefunction(_numbers)
    assert iscoroutinefunction(functools.partial(_numbers, 3))


def test_iscoroutinefunction_is_true_for_generator_based_coroutines() -> None:
    assert iscoroutinefunction(_sleep)  # a trap: a @types.coroutine generator


def test_iscoroutinefunction_is_false_for_plain_functions_and_other_objects() -> None:
    class SyncCallable:
        def __call__(self) -> None:
            pass

    def generator() -> Generator[int]:
        yield 1

    for value in (_plain, len, lambda: None, generator, SyncCallable(), SyncCallable, 42):
        assert not iscoroutinefunction(value), value


# ---------------------------------------------------------------------- instantiate_coroutine


def test_instantiate_coroutine_returns_a_coroutine_object_unchanged() -> None:
    coro = _add(1, 2)
    assert instantiate_coroutine(coro) is coro
    assert run(coro) == 3


def test_instantiate_coroutine_calls_a_coroutine_function_with_the_arguments() -> None:
    coro = instantiate_coroutine(_add, 1, y=2)
    assert inspect.iscoroutine(coro)
    assert run(coro) == 3


def test_instantiate_coroutine_calls_a_plain_function_that_returns_a_coroutine() -> None:
    def make(x: int) -> Coroutine[Any, Any, int]:
        return _add(x, 10)

    coro = instantiate_coroutine(make, 5)
    assert run(coro) == 15


def test_instantiate_coroutine_calls_a_coroutine_function_from_inside_a_coroutine() -> None:
    def sync_spam(x: int) -> str:
        return f"sync {x}"

    @awaitable(sync_spam)
    async def spam(x: int) -> str:
        return f"async {x}"

    assert run(instantiate_coroutine(spam, 1)) == "async 1"


def test_instantiate_coroutine_refuses_what_is_not_a_coroutine() -> None:
    with pytest.raises(TypeError, match="not a coroutine"):
        instantiate_coroutine(_plain, 1)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="needs a coroutine or a function"):
        instantiate_coroutine(42)  # type: ignore[call-overload]
    coro = _add(1, 2)
    with pytest.raises(TypeError, match="takes arguments only with a coroutine function"):
        instantiate_coroutine(coro, 1)  # type: ignore[call-overload]
    coro.close()


# ---------------------------------------------------------------------- from_coroutine


def _called_from_a_coroutine() -> bool:
    return from_coroutine()


def test_from_coroutine_is_true_for_a_function_called_from_a_coroutine() -> None:
    async def main() -> bool:
        return _called_from_a_coroutine()

    assert run(main) is True


def test_from_coroutine_is_false_for_a_function_called_from_synchronous_code() -> None:
    def sync_caller() -> bool:
        return _called_from_a_coroutine()

    async def main() -> bool:
        return sync_caller()  # a coroutine further up does not count

    assert _called_from_a_coroutine() is False
    assert run(main) is False


def test_from_coroutine_looks_through_comprehensions_to_the_coroutine() -> None:
    async def main() -> tuple[list[bool], bool]:
        in_a_list = [_called_from_a_coroutine() for _ in range(2)]
        in_a_generator_expression = all(_called_from_a_coroutine() for _ in range(2))
        return in_a_list, in_a_generator_expression

    assert run(main) == ([True, True], True)


def test_from_coroutine_level_chooses_the_frame() -> None:
    async def main() -> tuple[bool, bool]:
        return from_coroutine(1), _called_from_a_coroutine()

    def sync_main() -> bool:
        return from_coroutine(1)

    assert run(main) == (True, True)
    assert sync_main() is False
    assert from_coroutine(10_000) is False  # deeper than the stack


# ---------------------------------------------------------------------- awaitable


def test_awaitable_spam_example_calls_the_synchronous_function_from_synchronous_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def spam(x: int, y: int) -> None:
        print("Synchronous ->", x, y)

    @awaitable(spam)  # type: ignore[no-redef]
    async def spam(x: int, y: int) -> None:
        print("Asynchronous ->", x, y)

    spam(2, 3)
    assert capsys.readouterr().out == "Synchronous -> 2 3\n"


def test_awaitable_spam_example_calls_the_asynchronous_function_from_a_coroutine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def spam(x: int, y: int) -> None:
        print("Synchronous ->", x, y)

    @awaitable(spam)  # type: ignore[no-redef]
    async def spam(x: int, y: int) -> None:
        print("Asynchronous ->", x, y)

    async def main() -> None:
        await spam(2, 3)  # type: ignore[misc, func-returns-value]

    run(main)
    assert capsys.readouterr().out == "Asynchronous -> 2 3\n"


def test_awaitable_keeps_the_synchronous_function_name_signature_and_doc() -> None:
    def spam(x: int, y: int = 1) -> int:
        """Add, synchronously."""
        return x + y

    sync_spam = spam

    @awaitable(spam)  # type: ignore[no-redef]
    async def spam(x: int, y: int = 1) -> int:
        return x + y

    assert isinstance(spam, AwaitableFunction)
    assert spam.__name__ == "spam"
    assert spam.__doc__ == "Add, synchronously."
    assert inspect.signature(spam) == inspect.signature(sync_spam)
    assert list(inspect.signature(spam).parameters) == ["x", "y"]
    assert spam(1) == 2
    assert "spam" in repr(spam)


def test_awaitable_binds_as_a_method() -> None:
    class Counter:
        def __init__(self) -> None:
            self.count = 0

        def _add(self, n: int) -> str:
            self.count += n
            return "sync"

        @awaitable(_add)
        async def add(self, n: int) -> str:
            self.count += n
            return "async"

    counter = Counter()

    async def main() -> str:
        return await counter.add.asyncfunc(10)

    assert counter.add(1) == "sync"
    assert run(main) == "async"
    assert counter.count == 11
    assert Counter.add.syncfunc is Counter._add


def test_awaitable_refuses_a_twin_that_is_not_async_or_takes_other_parameters() -> None:
    def spam(x: int) -> None:
        pass

    with pytest.raises(TypeError, match="async def"):
        awaitable(spam)(spam)  # type: ignore[arg-type]

    async def other(y: int) -> None:
        pass

    with pytest.raises(TypeError, match="same parameters"):
        awaitable(spam)(other)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- finalize


def test_finalize_runs_the_generators_finally_inside_the_task_after_a_break() -> None:
    log: list[object] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            await sleep(0)  # an await in the clean-up: possible only inside a task
            log.append(("finally", curio_running()))

    async def main() -> None:
        async with finalize(numbers()) as agen:
            async for n in agen:
                log.append(n)
                break
            log.append("end of block")
        log.append("after block")

    run(main)
    assert log == [1, "end of block", ("finally", True), "after block"]


def test_finalize_runs_the_generators_finally_when_the_block_is_cancelled(
    flag: Callable[[], Any],
) -> None:
    started, never = flag(), flag()
    log: list[object] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            await sleep(0)
            log.append(("finally", curio_running()))

    async def consumer() -> None:
        async with finalize(numbers()) as agen:
            async for n in agen:
                log.append(n)
                await started.set()
                await never.wait()  # cancelled here, inside the block

    async def main() -> bool:
        task = await spawn(consumer)
        await started.wait()
        await task.cancel()
        with pytest.raises(TaskError) as failed:
            await task.join()
        return isinstance(failed.value.__cause__, CancelledError)

    assert run(main) is True
    assert log == [1, ("finally", True)]


def test_finalize_leaves_an_async_iterator_without_aclose_alone() -> None:
    class Countdown:
        def __init__(self) -> None:
            self.n = 2

        def __aiter__(self) -> Countdown:
            return self

        async def __anext__(self) -> int:
            if self.n == 0:
                raise StopAsyncIteration
            self.n -= 1
            return self.n

    async def main() -> list[int]:
        async with finalize(Countdown()) as countdown:
            return [n async for n in countdown]

    assert run(main) == [1, 0]


# ---------------------------------------------------------------------- safe_generator


def test_safe_generator_returns_the_very_function_unchanged() -> None:
    async def numbers(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    decorated = safe_generator(numbers)
    assert decorated is numbers
    assert decorated.__name__ == "numbers"
    assert list(inspect.signature(decorated).parameters) == ["n"]
    assert inspect.isasyncgenfunction(decorated)

    async def main() -> list[int]:
        async with finalize(decorated(3)) as agen:
            return [i async for i in agen]

    assert run(main) == [0, 1, 2]


def test_asyncioable_gives_asyncio_coroutines_their_own_form_and_keeps_the_others(
    asyncio_thread: Any,
) -> None:
    def _where() -> str:
        return "thread"

    @awaitable(_where)
    async def _where_async() -> str:
        return "curio"

    @asyncioable(_where_async)
    async def where() -> str:
        return "asyncio"

    async def ask() -> str:
        return await where()

    assert where() == "thread"
    assert run(ask) == "curio"
    assert asyncio_thread.run(ask()) == "asyncio"


def test_asyncioable_refuses_a_plain_function_and_other_parameters() -> None:
    def _spam(x: int) -> int:
        return x

    @awaitable(_spam)
    async def spam(x: int) -> int:
        return x

    with pytest.raises(TypeError, match="async def"):
        asyncioable(spam)(_spam)  # type: ignore[arg-type]

    async def other(y: int) -> int:
        return y

    with pytest.raises(TypeError, match="parameters"):
        asyncioable(spam)(other)
