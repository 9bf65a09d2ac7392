"""A server whose serving task is interrupted, more than once, ends every handler."""

from __future__ import annotations

from typing import Any

import pytest

import curio_kernel
import curio_net
from curio_io import Socket
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_sync import Event

pytestmark = pytest.mark.timeout(20)


def test_serve_forever_cancelled_twice_leaves_no_handler_running(virtual_clock: MockClock) -> None:
    async def main() -> None:
        handlers: list[Any] = []
        started = Event()

        async def handler(client: Socket, address: Any) -> None:
            handlers.append(await curio_kernel.current_task())
            await started.set()
            try:
                await Event().wait()
            finally:
                await curio_kernel.sleep(0.02)  # a clean-up during which the server is hit again

        server = curio_net.create_server("127.0.0.1", 0, handler)
        serving = await curio_kernel.spawn(server.serve_forever)
        clients = [await curio_net.open_connection("127.0.0.1", server.address[1])]
        await started.wait()
        await serving.cancel(blocking=False)
        await wait_all_tasks_blocked()  # the handlers are in their clean-up
        assert await curio_kernel.clock() == 0.0
        await serving.cancel(blocking=False)  # while it waits for its handlers to end
        await serving.wait()
        assert await curio_kernel.clock() == 0.02  # the clean-ups ran to their end
        assert handlers
        assert all(task.terminated for task in handlers)
        assert isinstance(serving.exception, curio_kernel.CancelledError)
        for client in clients:
            await client.close()

    curio_kernel.run(main, clock=virtual_clock)


def test_a_timeout_during_the_grace_period_still_ends_every_handler(
    virtual_clock: MockClock,
) -> None:
    async def main() -> None:
        handlers: list[Any] = []
        started = Event()

        async def handler(client: Socket, address: Any) -> None:
            handlers.append(await curio_kernel.current_task())
            await started.set()
            await Event().wait()

        server = curio_net.create_server("127.0.0.1", 0, handler)
        serving = await curio_kernel.spawn(server.serve_forever)
        client = await curio_net.open_connection("127.0.0.1", server.address[1])
        await started.wait()
        async with curio_kernel.ignore_after(0.01):
            await server.shutdown(grace_period=10.0)  # interrupted in its grace period
        assert await curio_kernel.clock() == 0.01
        await serving.cancel()
        assert all(task.terminated for task in handlers)
        await client.close()

    curio_kernel.run(main, clock=virtual_clock)


@pytest.mark.parametrize("bad", [float("nan"), "1"])
def test_a_connection_timeout_that_is_not_a_number_is_refused(bad: Any) -> None:
    async def main() -> None:
        await curio_net.socket.create_connection(("127.0.0.1", 9), timeout=bad)

    with pytest.raises(ValueError if isinstance(bad, float) else TypeError):
        curio_kernel.run(main)
