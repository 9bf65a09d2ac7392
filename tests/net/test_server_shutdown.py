"""Stopping a server: graceful shutdown with a grace period, close, and cancellation."""

from __future__ import annotations

from typing import Any

import pytest

import curio_kernel
import curio_net
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_sync import Event


def test_shutdown_lets_handlers_finish_within_the_grace_period() -> None:
    async def main() -> tuple[bytes, list[str], bool]:
        request_seen = Event()
        may_answer = Event()
        log: list[str] = []

        async def handler(client: Socket, address: Any) -> None:
            await client.recv(100)
            await request_seen.set()
            await may_answer.wait()
            await client.sendall(b"answer after shutdown began")
            log.append("finished")

        server = curio_net.create_server("127.0.0.1", 0, handler)
        serving = await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await sock.sendall(b"request")
        await request_seen.wait()

        async def release_later() -> None:
            await may_answer.set()

        stopping = await curio_kernel.spawn(server.shutdown, 5.0)
        # The listening socket is closed at once: new connections are refused.
        with pytest.raises(ConnectionRefusedError):
            await curio_net.open_connection("127.0.0.1", server.address[1])
        await curio_kernel.spawn(release_later)
        await stopping.join()
        data = await sock.recv(100)
        await sock.close()
        await serving.join()  # serve_forever() returned normally
        return data, log, server.closed

    assert curio_kernel.run(main) == (b"answer after shutdown began", ["finished"], True)


def test_shutdown_cancels_handlers_that_outlast_the_grace_period(virtual_clock: MockClock) -> None:
    async def main() -> tuple[list[str], bytes, float]:
        log: list[str] = []
        started = Event()

        async def handler(client: Socket, address: Any) -> None:
            await started.set()
            try:
                await curio_kernel.sleep(1000)
            except curio_kernel.CancelledError:
                log.append("cancelled")
                raise

        server = curio_net.create_server("127.0.0.1", 0, handler)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await started.wait()
        begin = await curio_kernel.clock()
        await server.shutdown(grace_period=0.1)
        elapsed = await curio_kernel.clock() - begin
        data = await sock.recv(10)
        await sock.close()
        return log, data, elapsed

    log, data, elapsed = curio_kernel.run(main, clock=virtual_clock)
    assert log == ["cancelled"]
    assert data == b""
    assert elapsed == 0.1


def test_close_cancels_handlers_at_once() -> None:
    async def main() -> list[str]:
        log: list[str] = []
        started = Event()

        async def handler(client: Socket, address: Any) -> None:
            await started.set()
            try:
                await client.recv(10)
            except curio_kernel.CancelledError:
                log.append("cancelled")
                raise

        server = curio_net.create_server("127.0.0.1", 0, handler)
        serving = await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await started.wait()
        await server.close()
        await serving.join()
        await sock.close()
        return log

    assert curio_kernel.run(main) == ["cancelled"]


def test_cancelling_serve_forever_cancels_the_handlers() -> None:
    async def main() -> tuple[list[str], bool]:
        log: list[str] = []
        started = Event()

        async def handler(client: Socket, address: Any) -> None:
            await started.set()
            try:
                await client.recv(10)
            except curio_kernel.CancelledError:
                log.append("cancelled")
                raise

        server = curio_net.create_server("127.0.0.1", 0, handler)
        serving = await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await started.wait()
        assert await serving.cancel() is True
        await sock.close()
        return log, server.closed

    assert curio_kernel.run(main) == (["cancelled"], True)


def test_a_handler_can_shut_the_server_down() -> None:
    async def main() -> tuple[bytes, bytes]:
        server: curio_net.Server

        async def handler(client: Socket, address: Any) -> None:
            command = await client.recv(100)
            if command == b"quit":
                await server.shutdown(grace_period=1)
                await client.sendall(b"server stopped")
            else:
                await client.sendall(b"ok")

        server = curio_net.create_server("127.0.0.1", 0, handler)
        serving = await curio_kernel.spawn(server.serve_forever, daemon=True)
        first = await curio_net.open_connection("127.0.0.1", server.address[1])
        await first.sendall(b"hello")
        assert await first.recv(10) == b"ok"
        second = await curio_net.open_connection("127.0.0.1", server.address[1])
        await second.sendall(b"quit")
        reply = await second.recv(100)
        await serving.join()
        rest = await first.recv(10)  # closed: its handler had ended already
        await first.close()
        await second.close()
        return reply, rest

    assert curio_kernel.run(main) == (b"server stopped", b"")


def test_shutdown_of_a_server_never_served_closes_it() -> None:
    async def main() -> bool:
        server = curio_net.create_server("127.0.0.1", 0, lambda client, address: None)  # type: ignore[arg-type, return-value]
        await server.shutdown()
        await server.shutdown()
        closed: bool = server.socket.fileno() == -1
        return closed

    assert curio_kernel.run(main) is True


def test_negative_grace_period_is_refused() -> None:
    async def main() -> None:
        async def handler(client: Socket, address: Any) -> None:
            pass

        server = curio_net.create_server("127.0.0.1", 0, handler)
        with pytest.raises(ValueError, match="grace_period"):
            await server.shutdown(grace_period=-1)
        await server.close()

    curio_kernel.run(main)


def test_shutdown_from_the_serving_task_is_refused() -> None:
    async def main() -> None:
        async def handler(client: Socket, address: Any) -> None:
            pass

        server = curio_net.create_server("127.0.0.1", 0, handler)

        async def serve_and_stop() -> None:
            server._serve_task = await curio_kernel.current_task()  # as serve_forever does
            with pytest.raises(RuntimeError, match="serve_forever"):
                await server.shutdown()
            server._serve_task = None

        await serve_and_stop()
        await server.close()

    curio_kernel.run(main)
