"""block_in_thread: one thread per callable however many tasks call it; cancel-safe turns."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from curio_kernel import (
    Task,
    block_in_thread,
    clock,
    ignore_after,
    run,
    run_in_executor,
    sleep,
    spawn,
)
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_traps import running_kernel

Until = Callable[[Callable[[], bool]], Awaitable[None]]


@pytest.fixture(autouse=True)
def _no_leaks(no_thread_leak: None) -> None:
    """No test here leaves a thread behind."""


class Gate:
    """A foreign blocking resource: ``wait()`` blocks until ``open()``; counts who is inside."""

    def __init__(self) -> None:
        self._opened = threading.Event()
        self._entries = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.inside = 0
        self.most_inside = 0
        self.order: list[object] = []

    def wait(self, who: object = None) -> object:
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self._entries.release()
        try:
            assert self._opened.wait(10), "the gate never opened"
            self.order.append(who)
            return who
        finally:
            with self._lock:
                self.inside -= 1

    def open(self) -> None:
        self._opened.set()

    async def entered(self) -> None:
        """Wait (in a thread of our own) for the next call to come inside."""
        with ThreadPoolExecutor(1) as own:
            assert await run_in_executor(own, self._entries.acquire, True, 10)


def _lines() -> dict[object, Any]:
    lines: dict[object, Any] = running_kernel()._blocking_lines  # type: ignore[union-attr]
    return lines


def _curio_threads() -> int:
    return sum(t.name.startswith("curio-worker") for t in threading.enumerate())


def test_many_callers_share_one_thread_and_are_served_in_order(until: Until) -> None:
    gate = Gate()

    async def main() -> tuple[list[object], int, list[str]]:
        tasks = [await spawn(block_in_thread(gate.wait, i)) for i in range(50)]
        await gate.entered()
        await until(lambda: sum(t.state == "BLOCK_IN_THREAD" for t in tasks) == 49)
        states = sorted({t.state for t in tasks})
        threads = _curio_threads()
        gate.open()
        results = [await t.join() for t in tasks]
        return results, threads, states

    results, threads, states = run(main)
    assert results == list(range(50))
    assert gate.order == list(range(50))
    assert gate.most_inside == 1
    assert threads == 1
    assert "BLOCK_IN_THREAD" in states


def test_methods_of_different_objects_do_not_wait_for_each_other() -> None:
    first, second = Gate(), Gate()

    async def main() -> int:
        a = await spawn(block_in_thread(first.wait))
        b = await spawn(block_in_thread(second.wait))
        await first.entered()
        await second.entered()  # both blocked at once: two lines, two threads
        threads = _curio_threads()
        first.open()
        second.open()
        await a.join()
        await b.join()
        return threads

    assert run(main) == 2


def test_the_same_function_is_one_line() -> None:
    gate = Gate()

    def through(who: int) -> object:
        return gate.wait(who)

    async def main() -> list[object]:
        tasks = [await spawn(block_in_thread(through, i)) for i in range(5)]
        await gate.entered()
        gate.open()
        return [await t.join() for t in tasks]

    assert run(main) == [0, 1, 2, 3, 4]
    assert gate.most_inside == 1


def test_a_cancelled_waiter_leaves_the_line_and_the_others_keep_their_place(
    until: Until, virtual_clock: MockClock
) -> None:
    gate = Gate()

    async def jump_when_blocked() -> None:
        # The first caller's thread holds the autojump back: move the clock by hand
        # once the late caller waits in line.
        await wait_all_tasks_blocked()
        virtual_clock.jump(0.01)

    async def main() -> tuple[list[object], bool, object, float, dict[object, Any]]:
        tasks = [await spawn(block_in_thread(gate.wait, i)) for i in range(4)]
        await gate.entered()
        await until(lambda: all(t.state == "BLOCK_IN_THREAD" for t in tasks[1:]))
        cancelled = await tasks[1].cancel()
        await spawn(jump_when_blocked)
        timed_out = await ignore_after(0.01, block_in_thread(gate.wait, "late"))
        timed_out_at = await clock()
        gate.open()
        results = [await t.join() for t in (tasks[0], *tasks[2:])]
        return results, cancelled, timed_out, timed_out_at, dict(_lines())

    results, cancelled, timed_out, timed_out_at, lines = run(main, clock=virtual_clock)
    assert cancelled is True
    assert timed_out is None
    assert timed_out_at == 0.01
    assert results == [0, 2, 3]
    assert gate.order == [0, 2, 3]
    assert lines == {}


def test_cancelling_the_caller_in_the_thread_lets_the_next_one_start() -> None:
    gate = Gate()

    async def main() -> tuple[object, int]:
        runner = await spawn(block_in_thread(gate.wait, "runner"))
        await gate.entered()
        nxt: Task[object] = await spawn(block_in_thread(gate.wait, "next"))
        await sleep(0)
        await runner.cancel()  # its call goes on in the background
        await gate.entered()  # the next caller has its turn at once
        inside = gate.inside
        gate.open()
        return await nxt.join(), inside

    result, inside = run(main)
    assert result == "next"
    assert inside == 2
    assert sorted(map(str, gate.order)) == ["next", "runner"]


def test_the_lines_are_dropped_once_nobody_waits() -> None:
    async def main() -> dict[object, Any]:
        for i in range(3):
            await block_in_thread(abs, -i)
        tasks = [await spawn(block_in_thread(pow, 2, i)) for i in range(3)]
        for task in tasks:
            await task.join()
        return dict(_lines())

    assert run(main) == {}


def test_call_on_cancel_and_keywords_pass_through() -> None:
    async def main() -> int:
        return await block_in_thread(int, "ff", base=16, call_on_cancel=print)

    assert run(main) == 255


def test_block_in_thread_outside_a_kernel_is_a_clear_error() -> None:
    coro = block_in_thread(abs, 1)
    with pytest.raises(RuntimeError, match="running curio kernel"):
        coro.send(None)
    coro.close()


def test_cancelled_again_while_waiting_in_line_from_its_cleanup(until: Until) -> None:
    gate = Gate()

    cleaning: list[bool] = []

    async def caller() -> None:
        try:
            await block_in_thread(gate.wait, "first try")
        finally:
            cleaning.append(True)
            await block_in_thread(gate.wait, "from cleanup")

    async def main() -> tuple[list[object], dict[object, Any]]:
        holder = await spawn(block_in_thread(gate.wait, "holder"))
        await gate.entered()
        task = await spawn(caller())
        await until(lambda: task.state == "BLOCK_IN_THREAD")
        canceller = await spawn(task.cancel())
        await until(lambda: bool(cleaning) and task.state == "BLOCK_IN_THREAD")
        await task.cancel()  # now waiting in line again, from its finally block
        await canceller.join()
        gate.open()
        await holder.join()
        return gate.order, dict(_lines())

    order, lines = run(main)
    assert order == ["holder"]
    assert lines == {}
