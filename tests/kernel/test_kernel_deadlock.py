"""A deadlock (every task blocked forever on kernel queues) ends run()."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import CancelledError, Kernel, clock, sleep, spawn
from curio_kernel.testing import MockClock
from curio_traps import _wait_on_queue


def test_blocked_main_makes_run_raise_runtime_error(flag: Callable[[], Any]) -> None:
    never = flag()
    cleaned: list[str] = []

    async def main() -> None:
        try:
            await never.wait()
        finally:
            cleaned.append("main")

    with Kernel() as kernel, pytest.raises(RuntimeError, match="deadlock") as info:
        kernel.run(main())
    assert cleaned == ["main"]
    assert isinstance(info.value.__cause__, CancelledError)


def test_blocked_children_are_cancelled_after_main_returns(flag: Callable[[], Any]) -> None:
    never = flag()
    cleaned: list[str] = []

    async def child(n: int) -> None:
        try:
            await never.wait()
        finally:
            cleaned.append(f"child {n}")

    async def main() -> str:
        await spawn(child(1))
        await spawn(child(2))
        return "main result"

    with Kernel() as kernel:
        assert kernel.run(main()) == "main result"
        assert sorted(cleaned) == ["child 1", "child 2"]
        assert kernel.tasks == []


def test_tasks_blocked_on_each_other_are_both_cancelled(flag: Callable[[], Any]) -> None:
    a_flag, b_flag = flag(), flag()
    ended: list[str] = []

    async def a() -> None:
        try:
            await a_flag.wait()
            await b_flag.set()
        finally:
            ended.append("a")

    async def b() -> None:
        try:
            await b_flag.wait()
            await a_flag.set()
        finally:
            ended.append("b")

    with Kernel() as kernel:
        ta = kernel.add_task(a())
        tb = kernel.add_task(b())
        kernel.run()
        assert sorted(ended) == ["a", "b"]
        assert isinstance(ta.exception, CancelledError)
        assert isinstance(tb.exception, CancelledError)


def test_a_sleeping_task_is_not_a_deadlock(
    flag: Callable[[], Any], virtual_clock: MockClock
) -> None:
    gate = flag()

    async def opener() -> None:
        await sleep(0.02)
        await gate.set()

    async def main() -> tuple[str, float]:
        await spawn(opener())
        await gate.wait()
        return "opened", await clock()

    with Kernel(clock=virtual_clock) as kernel:
        assert kernel.run(main()) == ("opened", 0.02)


def test_blocked_daemon_left_alone_while_main_finishes(flag: Callable[[], Any]) -> None:
    never = flag()

    async def main() -> int:
        await spawn(never.wait(), daemon=True)
        return 1

    with Kernel() as kernel:
        assert kernel.run(main()) == 1
        assert len(kernel.tasks) == 1  # the daemon waits until shutdown


def test_a_deadlock_in_one_run_is_not_blamed_for_the_next() -> None:
    never: deque[object] = deque()

    async def stuck() -> None:
        await _wait_on_queue(never, "NEVER")

    async def leaves_a_stuck_child() -> None:
        await spawn(stuck)

    async def cancels_itself() -> None:
        raise CancelledError("on purpose")

    with Kernel() as kernel:
        kernel.run(leaves_a_stuck_child())  # ends by cancelling the stuck child
        with pytest.raises(CancelledError, match="on purpose"):
            kernel.run(cancels_itself())


def test_a_deadlocked_run_cancels_its_own_task_and_spares_tasks_left_by_earlier_runs(
    flag: Callable[[], Any],
) -> None:
    gate, never = flag(), flag()
    served: list[str] = []

    async def server() -> None:
        await gate.wait()
        served.append("served")

    with Kernel() as kernel:

        async def start() -> None:
            await spawn(server)
            kernel.stop()  # leave the server suspended, as a test's fixture does

        async def stuck() -> None:
            try:
                await never.wait()
            finally:
                kernel.stop()

        kernel.run(start())
        with pytest.raises(RuntimeError, match=r"deadlock(.|\n)*server(.|\n)*stuck"):
            kernel.run(stuck())
        (survivor,) = kernel.tasks
        assert survivor.name.endswith("server")
        assert not survivor.terminated
        kernel.run(gate.set())
    assert served == ["served"]


def test_tasks_still_stuck_after_the_runs_task_ended_are_cancelled_next(
    flag: Callable[[], Any],
) -> None:
    never = flag()
    ended: list[str] = []

    async def child() -> None:
        try:
            await never.wait()
        finally:
            ended.append("child")

    async def main() -> None:
        task = await spawn(child)
        try:
            await task.join()
        finally:
            ended.append("main")

    with Kernel() as kernel, pytest.raises(RuntimeError, match=r"deadlock(.|\n)*child"):
        kernel.run(main())
    assert ended == ["main", "child"]
