"""Kernel.run: its result, its exception, and how long it runs."""

from __future__ import annotations

import selectors
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import Kernel, Task, clock, run_in_thread, sleep, spawn
from curio_kernel.testing import MockClock


def test_run_returns_the_coroutines_result() -> None:
    async def main() -> int:
        return 42

    with Kernel() as kernel:
        assert kernel.run(main()) == 42


def test_run_raises_the_coroutines_exception() -> None:
    async def main() -> None:
        raise ZeroDivisionError("boom")

    with Kernel() as kernel, pytest.raises(ZeroDivisionError, match="boom"):
        kernel.run(main())


def test_kernel_can_run_several_coroutines_in_turn() -> None:
    async def double(x: int) -> int:
        await sleep(0)
        return 2 * x

    with Kernel() as kernel:
        assert [kernel.run(double(i)) for i in range(3)] == [0, 2, 4]


def test_run_waits_for_children_that_outlive_main(flag: Callable[[], Any]) -> None:
    gate = flag()
    done: list[str] = []

    async def child() -> None:
        await gate.wait()
        done.append("child")

    async def opener() -> None:
        await sleep(0)
        await sleep(0)
        await gate.set()

    async def main() -> str:
        await spawn(child())
        await spawn(opener())
        return "main"

    with Kernel() as kernel:
        assert kernel.run(main()) == "main"
        assert done == ["child"]
        assert kernel.tasks == []


def test_run_waits_for_a_sleeping_child(virtual_clock: MockClock) -> None:
    done: list[tuple[str, float]] = []

    async def child() -> None:
        await sleep(0.01)
        done.append(("child", await clock()))

    async def main() -> None:
        await spawn(child())

    with Kernel(clock=virtual_clock) as kernel:
        kernel.run(main())
        assert done == [("child", 0.01)]


def test_daemon_tasks_do_not_keep_the_kernel_running(flag: Callable[[], Any]) -> None:
    never = flag()
    reached: list[str] = []

    async def daemon() -> None:
        try:
            await never.wait()
        finally:
            reached.append("daemon finally")

    async def main() -> Task[None]:
        return await spawn(daemon(), daemon=True)

    with Kernel() as kernel:
        task = kernel.run(main())
        assert task is not None
        # run() returned with the daemon still blocked; shutdown (on exit) ends it.
        alive_after_run = not task.terminated
        assert reached == []
    assert alive_after_run
    assert task.terminated
    assert reached == ["daemon finally"]


def test_add_task_before_run() -> None:
    order: list[str] = []

    async def worker(name: str) -> str:
        await sleep(0)
        order.append(name)
        return name

    with Kernel() as kernel:
        first = kernel.add_task(worker("a"))
        second = kernel.add_task(worker("b"))
        assert isinstance(first, Task)
        assert first.state == "READY"
        assert kernel.run() is None
        assert order == ["a", "b"]
        assert first.terminated
        assert second.terminated
        assert first.result == "a"


def test_add_task_with_run_of_main() -> None:
    async def helper() -> int:
        return 5

    async def main(t: Task[int]) -> int:
        return await t.join() + 1

    with Kernel() as kernel:
        t = kernel.add_task(helper())
        assert kernel.run(main(t)) == 6


def test_add_task_refused_inside_a_coroutine() -> None:
    async def nothing() -> None:
        pass

    async def main(kernel: Kernel) -> None:
        coro = nothing()
        try:
            kernel.add_task(coro)
        finally:
            coro.close()

    with Kernel() as kernel, pytest.raises(RuntimeError, match="add_task"):
        kernel.run(main(kernel))


def test_add_task_refused_from_a_coroutine_on_another_kernel() -> None:
    async def nothing() -> None:
        pass

    async def main(other: Kernel) -> None:
        coro = nothing()
        try:
            other.add_task(coro)
        finally:
            coro.close()

    with Kernel() as kernel, Kernel() as other, pytest.raises(RuntimeError, match="add_task"):
        kernel.run(main(other))


def test_add_task_of_a_non_coroutine_is_a_type_error() -> None:
    with Kernel() as kernel, pytest.raises(TypeError, match="coroutine"):
        kernel.add_task(42)  # type: ignore[arg-type]


def test_run_of_another_kernel_inside_a_running_kernel_is_refused() -> None:
    async def inner() -> None:
        pass

    async def main(other: Kernel) -> str:
        coro = inner()
        try:
            other.run(coro)
        except RuntimeError as exc:
            return str(exc)
        finally:
            coro.close()
        return "not refused"

    with Kernel() as kernel, Kernel() as other:
        message = kernel.run(main(other))
    assert message is not None
    assert "inside a running kernel" in message


def test_a_kernel_made_and_closed_inside_a_coroutine_leaks_nothing() -> None:
    # Making a second kernel inside a task, failing to run it, and leaving the
    # with block must close the second kernel's sockets (no ResourceWarning).
    async def inner() -> None:
        pass

    async def main() -> str:
        coro = inner()
        try:
            with Kernel() as other:
                other.run(coro)
        except RuntimeError as exc:
            return str(exc)
        finally:
            coro.close()
        return "not refused"

    with Kernel() as kernel:
        message = kernel.run(main())
    assert message is not None
    assert "inside a running kernel" in message


def test_run_of_the_same_kernel_inside_itself_is_refused() -> None:
    async def inner() -> None:
        pass

    async def main(kernel: Kernel) -> None:
        coro = inner()
        try:
            kernel.run(coro)
        finally:
            coro.close()

    with Kernel() as kernel, pytest.raises(RuntimeError, match="running kernel"):
        kernel.run(main(kernel))


def test_select_selector() -> None:
    async def main() -> float:
        # Real time on purpose: select() itself must wait out a real timeout.
        await sleep(0.01)
        await sleep(0)
        return 1.5

    selector = selectors.SelectSelector()
    with Kernel(selector=selector) as kernel:
        assert kernel.run(main()) == 1.5


def test_with_monitor_flag_is_stored() -> None:
    kernel = Kernel()
    try:
        assert kernel.with_monitor is False
    finally:
        kernel.close()


def test_context_manager_shuts_down_remaining_tasks(flag: Callable[[], Any]) -> None:
    never = flag()
    cleaned: list[int] = []

    async def stuck(n: int) -> None:
        try:
            await never.wait()
        finally:
            cleaned.append(n)

    with Kernel() as kernel:
        kernel.add_task(stuck(1), daemon=True)
        kernel.add_task(stuck(2), daemon=True)
        kernel.run()
        assert cleaned == []
    assert sorted(cleaned) == [1, 2]


def test_context_manager_returns_the_kernel() -> None:
    kernel = Kernel()
    with kernel as entered:
        assert entered is kernel


def test_closed_kernel_refuses_to_run() -> None:
    async def main() -> None:
        pass

    with Kernel() as kernel:
        pass
    coro = main()
    try:
        with pytest.raises(RuntimeError, match="closed"):
            kernel.run(coro)
    finally:
        coro.close()


def test_run_restores_the_signal_handling_it_changed() -> None:
    import signal

    async def main() -> None:
        await sleep(0)

    before = signal.getsignal(signal.SIGINT)
    with Kernel() as kernel:
        kernel.run(main())
        assert signal.getsignal(signal.SIGINT) is before
    # No wake-up descriptor is left installed.
    previous = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(previous)
    assert previous == -1


def test_add_task_refused_from_another_thread_while_running() -> None:
    async def nothing() -> None:
        pass

    def add_from_thread(kernel: Kernel) -> str:
        coro = nothing()
        try:
            kernel.add_task(coro)
        except RuntimeError as exc:
            return str(exc)
        finally:
            coro.close()
        return "accepted"

    async def main(kernel: Kernel) -> str:
        return await run_in_thread(add_from_thread, kernel)

    with Kernel() as kernel:
        message = kernel.run(main(kernel))
    assert message is not None
    assert "running kernel" in message


def test_run_without_tasks_returns_at_once() -> None:
    with Kernel() as kernel:
        assert kernel.run() is None
