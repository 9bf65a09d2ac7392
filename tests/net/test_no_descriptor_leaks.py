"""Descriptors return to where they were after every kind of connection ending."""

from __future__ import annotations

import socket as std_socket
import ssl as std_ssl
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import curio_kernel
import curio_net
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_net import ssl as curio_ssl

Handler = Callable[[Socket, Any], Awaitable[None]]


def _closed_port() -> int:
    probe = std_socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def test_connections_refusals_and_failed_handshakes(
    server_context: std_ssl.SSLContext,
    client_context: curio_ssl.SSLContext,
    echo: Handler,
    open_fds: Callable[[], int],
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[int, int]:
        await curio_kernel.run_in_thread(int)  # start the worker threads before counting
        before = open_fds()
        plain = curio_net.create_server("127.0.0.1", 0, echo)
        tls = curio_net.create_server("127.0.0.1", 0, echo, ssl=server_context)
        await curio_kernel.spawn(plain.serve_forever, daemon=True)
        await curio_kernel.spawn(tls.serve_forever, daemon=True)
        for _ in range(5):
            sock = await curio_net.open_connection("localhost", plain.address[1])
            await sock.sendall(b"x")
            await sock.recv(1)
            await sock.close()
            sock = await curio_net.open_connection(
                "127.0.0.1", tls.address[1], ssl=client_context, server_hostname="localhost"
            )
            await sock.sendall(b"y")
            await sock.recv(1)
            await sock.close()
            with pytest.raises(ConnectionRefusedError):
                await curio_net.open_connection("127.0.0.1", _closed_port())
            with pytest.raises(std_ssl.SSLCertVerificationError):
                await curio_net.open_connection("127.0.0.1", tls.address[1], ssl=True)
            with pytest.raises(std_ssl.SSLError):  # a TLS client talking to a plain server
                await curio_net.open_connection(
                    "127.0.0.1", plain.address[1], ssl=client_context, server_hostname="localhost"
                )
        await plain.close()
        await tls.close()
        return before, open_fds()

    before, after = curio_kernel.run(main, clock=virtual_clock)
    assert after == before


def test_cancelled_handshakes_and_connects(
    client_context: curio_ssl.SSLContext, open_fds: Callable[[], int], virtual_clock: MockClock
) -> None:
    async def silent(client: Socket, address: Any) -> None:
        await curio_kernel.sleep(1000)  # never answers a TLS hello

    async def main() -> tuple[int, int]:
        before = open_fds()
        server = curio_net.create_server("127.0.0.1", 0, silent)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        # A listener with a full backlog: connects to it stay pending.
        stuck = std_socket.socket()
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(0)
        filler = std_socket.socket()
        filler.setblocking(False)
        filler.connect_ex(stuck.getsockname())
        for _ in range(5):
            handshake = curio_net.open_connection(
                "127.0.0.1", server.address[1], ssl=client_context, server_hostname="localhost"
            )
            assert await curio_kernel.ignore_after(0.02, handshake, timeout_result="gone") == "gone"
            connect = curio_net.open_connection("127.0.0.1", stuck.getsockname()[1])
            assert await curio_kernel.ignore_after(0.02, connect, timeout_result="gone") == "gone"
        assert abs(await curio_kernel.clock() - 0.2) < 1e-9  # ten timeouts of 0.02 s
        filler.close()
        stuck.close()
        await server.close()
        return before, open_fds()

    before, after = curio_kernel.run(main, clock=virtual_clock)
    assert after == before


def test_server_side_handshake_timeouts(
    server_context: std_ssl.SSLContext,
    echo: Handler,
    open_fds: Callable[[], int],
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[int, int]:
        before = open_fds()
        server = curio_net.create_server(
            "127.0.0.1", 0, echo, ssl=server_context, ssl_handshake_timeout=0.05
        )
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        clients = [
            await curio_net.open_connection("127.0.0.1", server.address[1]) for _ in range(5)
        ]
        for sock in clients:
            assert await sock.recv(10) == b""  # dropped by the handshake timeout
            await sock.close()
        assert await curio_kernel.clock() == 0.05  # all five at the same timeout
        await server.close()
        return before, open_fds()

    before, after = curio_kernel.run(main, clock=virtual_clock)
    assert after == before
