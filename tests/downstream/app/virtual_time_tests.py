"""Tests of a program as its authors write them with pytest-curio: typed fixtures, virtual time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import assert_type

import pytest

import curio
from curio.testing import MockClock, wait_all_tasks_blocked
from pytest_curio import KernelRunner


async def fetch_with_retries(attempts: int, pause: float) -> int:
    tries = 0
    for _ in range(attempts):
        tries += 1
        await curio.sleep(pause)
    return tries


@pytest.fixture
async def queue() -> AsyncIterator[curio.Queue[int]]:
    q: curio.Queue[int] = curio.Queue()
    yield q
    await q.join()


@pytest.mark.curio
async def test_retries_take_virtual_time(autojump_clock: MockClock) -> None:
    assert_type(await fetch_with_retries(3, 60.0), int)
    assert autojump_clock.now() == 180.0
    assert_type(autojump_clock.rate, float)


@pytest.mark.curio
async def test_a_consumer_blocks_on_an_empty_queue(
    queue: curio.Queue[int], kernel: curio.Kernel, mock_clock: MockClock
) -> None:
    async def consume() -> int:
        item = await queue.get()
        await queue.task_done()
        return item

    task = await curio.spawn(consume)
    await wait_all_tasks_blocked()
    assert task.state == "QUEUE_GET"
    await queue.put(7)
    assert_type(await task.join(), int)
    mock_clock.jump(5)
    assert_type(kernel.clock.now(), float)


def test_ports_are_integers(unused_tcp_port: int) -> None:
    assert 0 < unused_tcp_port < 65536


def runner_type(runner: KernelRunner) -> curio.Kernel:
    return runner.kernel
