"""wait_all_tasks_blocked: return once every other task has gone as far as it can."""

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_traps import _read_wait


def test_returns_after_every_other_task_has_blocked(flag: Callable[[], Any]) -> None:
    steps: list[str] = []

    async def worker(gate: Any, n: int) -> None:
        for i in range(n):
            steps.append(f"w{n}.{i}")
            await sleep(0)
        await gate.wait()

    async def main() -> None:
        gate = flag()
        for n in (1, 3):
            await spawn(worker, gate, n)
        await wait_all_tasks_blocked()
        steps.append("all blocked")
        await gate.set()

    run(main)
    assert steps[-1] == "all blocked"
    assert sorted(steps[:-1]) == ["w1.0", "w3.0", "w3.1", "w3.2"]


def test_a_task_waiting_on_a_socket_counts_as_blocked() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.setblocking(False)
        seen: list[str] = []

        async def reader() -> None:
            await _read_wait(left)
            seen.append(left.recv(1).decode())

        async def main() -> None:
            task = await spawn(reader)
            await wait_all_tasks_blocked()
            assert seen == []
            right.send(b"x")
            await task.join()

        run(main)
        assert seen == ["x"]


def test_the_smallest_cushion_returns_first() -> None:
    order: list[float] = []

    async def waiter(cushion: float) -> None:
        await wait_all_tasks_blocked(cushion)
        order.append(cushion)

    async def main() -> None:
        for cushion in (0.02, 0.0, 0.01):
            await spawn(waiter, cushion)

    run(main)
    assert order == [0.0, 0.01, 0.02]


def test_a_waiter_goes_before_an_autojump_of_the_same_threshold() -> None:
    async def main() -> tuple[float, float]:
        await spawn(sleep, 10)
        await wait_all_tasks_blocked()
        before = await clock()
        await sleep(20)
        return before, await clock()

    assert run(main, clock=MockClock(autojump_threshold=0)) == (0.0, 20.0)


def test_a_cancelled_waiter_leaves_no_trace(virtual_clock: MockClock) -> None:
    async def main() -> float:
        with pytest.raises(TaskTimeout):
            async with timeout_after(5):
                await wait_all_tasks_blocked(cushion=60)  # the autojump comes first
        # Nobody waits any more: with nothing else to do the clock jumps straight on.
        await sleep(1)
        return await clock()

    assert run(main, clock=virtual_clock) == 6.0


@pytest.mark.parametrize("cushion", [-1, math.nan])
def test_refuses_a_negative_or_nan_cushion(cushion: float) -> None:
    async def main() -> None:
        await wait_all_tasks_blocked(cushion)

    with pytest.raises(ValueError, match="cushion"):
        run(main)
