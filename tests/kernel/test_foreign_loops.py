"""Mixing event loops: clear errors both ways."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

import curio_kernel
from curio_kernel import run
from curio_traps import _read_wait, _sleep, _wait_on_queue


def test_curio_sleep_awaited_in_asyncio() -> None:
    async def main() -> None:
        await curio_kernel.sleep(0.1)

    with pytest.raises(RuntimeError, match="outside a running curio kernel"):
        asyncio.run(main())


def test_curio_trap_awaited_in_asyncio() -> None:
    async def main() -> None:
        await _sleep(1)

    with pytest.raises(RuntimeError, match="outside a running curio kernel"):
        asyncio.run(main())


def test_other_curio_traps_awaited_in_asyncio() -> None:
    from collections import deque

    async def wait_queue() -> None:
        await _wait_on_queue(deque(), "Q")

    async def read_wait() -> None:
        await _read_wait(0)

    for corofunc in (wait_queue, read_wait):
        with pytest.raises(RuntimeError, match="outside a running curio kernel"):
            asyncio.run(corofunc())


def test_curio_spawn_awaited_in_asyncio() -> None:
    async def child() -> None:
        pass

    async def main() -> None:
        coro = child()
        try:
            await curio_kernel.spawn(coro)
        finally:
            coro.close()

    with pytest.raises(RuntimeError, match="outside a running curio kernel"):
        asyncio.run(main())


def test_asyncio_sleep_awaited_in_curio() -> None:
    async def main() -> None:
        await asyncio.sleep(0)

    with pytest.raises(TypeError, match="not a curio trap"):
        run(main)


def test_asyncio_future_awaited_in_curio() -> None:
    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()

        async def main() -> None:
            await future

        with pytest.raises(TypeError, match="not a curio trap"):
            run(main)
    finally:
        loop.close()


def test_the_error_can_be_caught_and_the_task_goes_on() -> None:
    async def main() -> str:
        with contextlib.suppress(TypeError):
            await asyncio.sleep(0)
        await curio_kernel.sleep(0)
        return "still running"

    assert run(main) == "still running"
