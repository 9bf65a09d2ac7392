"""Kernel queues against a model: FIFO wake-ups, cancelled waiters removed."""

from __future__ import annotations

from collections import deque
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from curio_kernel import Task, run, spawn
from curio_traps import _reschedule_tasks, _wait_on_queue

# An operation: ("wait",) adds a waiter, ("wake", n) wakes n, ("cancel", i) cancels
# the i-th live waiter (modulo their number).
operations = st.lists(
    st.one_of(
        st.just(("wait", 0)),
        st.tuples(st.just("wake"), st.integers(0, 3)),
        st.tuples(st.just("cancel"), st.integers(0, 10)),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_queue_matches_a_fifo_model(ops: list[tuple[str, int]]) -> None:
    async def main() -> None:
        kqueue: deque[Any] = deque()
        model: deque[int] = deque()
        woken: list[tuple[int, object]] = []
        expected: list[tuple[int, object]] = []
        tasks: dict[int, Task[None]] = {}

        async def waiter(n: int) -> None:
            woken.append((n, await _wait_on_queue(kqueue, "Q")))

        for step, (op, arg) in enumerate(ops):
            if op == "wait":
                tasks[step] = await spawn(waiter(step))
                model.append(step)
            elif op == "wake":
                await _reschedule_tasks(kqueue, arg, step)
                for _ in range(min(arg, len(model))):
                    expected.append((model.popleft(), step))
            elif model:
                victim = model[arg % len(model)]
                model.remove(victim)
                assert await tasks[victim].cancel() is True
            assert list(kqueue) == [tasks[n] for n in model]
        for n in list(model):
            await tasks[n].cancel()
        for task in tasks.values():
            assert task.terminated or task.state == "READY"
        # Let every woken task record its value.
        for task in tasks.values():
            if not task.terminated:
                await task.join()
        assert woken == expected
        assert len(kqueue) == 0

    run(main)
