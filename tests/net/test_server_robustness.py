"""A server survives misbehaving clients and handlers, and running out of descriptors."""

from __future__ import annotations

import logging
import os
import resource
import socket as std_socket
import ssl as std_ssl
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import curio_kernel
import curio_net
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_sync import Event

Handler = Callable[[Socket, Any], Awaitable[None]]


async def _round_trip(sock: Socket, data: bytes) -> bytes:
    await sock.sendall(data)
    received = b""
    while len(received) < len(data):
        chunk = await sock.recv(65536)
        assert chunk, "connection closed early"
        received += chunk
    return received


async def _still_serves(server: curio_net.Server) -> bytes:
    sock = await curio_net.open_connection("127.0.0.1", server.address[1])
    try:
        return await _round_trip(sock, b"still here")
    finally:
        await sock.close()


def test_client_resetting_the_connection(echo: Handler) -> None:
    async def main() -> bytes:
        server = curio_net.create_server("127.0.0.1", 0, echo)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        for _ in range(3):
            sock = await curio_net.open_connection("127.0.0.1", server.address[1])
            await _round_trip(sock, b"before the reset")
            await sock.sendall(b"unanswered data")
            sock.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_LINGER, struct.pack("ii", 1, 0))
            await sock.close()  # sends RST
        result = await _still_serves(server)
        await server.close()
        return result

    assert curio_kernel.run(main) == b"still here"


def test_client_half_closing_still_gets_its_answer() -> None:
    async def handler(client: Socket, address: Any) -> None:
        stream = client.as_stream()
        request = await stream.readall()  # until the client's end of stream
        await client.sendall(b"got %d bytes" % len(request))

    async def main() -> bytes:
        server = curio_net.create_server("127.0.0.1", 0, handler)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await sock.sendall(b"x" * 1000)
        sock.shutdown(std_socket.SHUT_WR)
        reply = b""
        while chunk := await sock.recv(100):
            reply += chunk
        await sock.close()
        await server.close()
        return reply

    assert curio_kernel.run(main) == b"got 1000 bytes"


def test_clients_that_send_nothing(echo: Handler, open_fds: Callable[[], int]) -> None:
    async def main() -> tuple[bytes, int, int]:
        before = open_fds()
        server = curio_net.create_server("127.0.0.1", 0, echo)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        silent = [await curio_net.open_connection("127.0.0.1", server.address[1]) for _ in range(5)]
        result = await _still_serves(server)
        for sock in silent[:2]:
            await sock.close()
        await server.close()  # the other three are still connected: their handlers end now
        for sock in silent[2:]:
            assert await sock.recv(10) == b""
            await sock.close()
        return result, before, open_fds()

    result, before, after = curio_kernel.run(main)
    assert result == b"still here"
    assert after == before


def test_a_crashing_handler_is_logged_and_the_server_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(client: Socket, address: Any) -> None:
        data = await client.recv(100)
        if data == b"crash":
            raise ZeroDivisionError("the handler's own bug")
        await client.sendall(data)

    async def main() -> tuple[bytes, bytes]:
        server = curio_net.create_server("127.0.0.1", 0, handler)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await sock.sendall(b"crash")
        closed = await sock.recv(10)  # the server closed the crashed connection
        await sock.close()
        result = await _still_serves(server)
        await server.close()
        return closed, result

    with caplog.at_level(logging.ERROR, logger="curio_net.server"):
        assert curio_kernel.run(main) == (b"", b"still here")
    [record] = [r for r in caplog.records if r.name == "curio_net.server"]
    assert "crashed" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ZeroDivisionError)


def _lowest_free_fd() -> int:
    fd = os.dup(0)  # the system hands out the lowest free number
    os.close(fd)
    return fd


def test_running_out_of_descriptors_backs_off_and_recovers(
    echo: Handler, caplog: pytest.LogCaptureFixture
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    async def main() -> tuple[bytes, float, float]:
        server = curio_net.create_server("127.0.0.1", 0, echo)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        await _still_serves(server)
        client = Socket(std_socket.socket())  # made while descriptors are still available
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (_lowest_free_fd(), hard))
            # The connection completes in the kernel, but accept() fails with EMFILE.
            await client.connect(server.address)
            await client.sendall(b"waiting in the backlog")
            wall, cpu = time.monotonic(), time.process_time()
            # Real time on purpose: it measures the CPU the server uses in real time.
            await curio_kernel.sleep(0.3)  # measures CPU use while accept() keeps failing
            busy = (time.process_time() - cpu) / (time.monotonic() - wall)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        # Descriptors are available again: the waiting client is served.
        start = time.monotonic()
        reply = await client.recv(100)
        recovery = time.monotonic() - start
        await client.close()
        await server.close()
        return reply, busy, recovery

    with caplog.at_level(logging.WARNING, logger="curio_net.server"):
        reply, busy, recovery = curio_kernel.run(main)
    assert reply == b"waiting in the backlog"
    assert busy < 0.5, f"the server spun at {busy:.0%} CPU while out of descriptors"
    assert recovery < 2.0
    assert any("accept() failed" in r.getMessage() for r in caplog.records)


def test_tls_client_that_never_handshakes_is_dropped(
    server_context: std_ssl.SSLContext,
    echo: Handler,
    open_fds: Callable[[], int],
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[bytes, int, int, float]:
        server = curio_net.create_server(
            "127.0.0.1", 0, echo, ssl=server_context, ssl_handshake_timeout=0.2
        )
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        before = open_fds()
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        start = await curio_kernel.clock()
        data = await sock.recv(100)  # the server gives up on the handshake and closes
        waited = await curio_kernel.clock() - start
        await sock.close()
        after = open_fds()
        await server.close()
        return data, before, after, waited

    data, before, after, waited = curio_kernel.run(main, clock=virtual_clock)
    assert data == b""
    assert after == before
    assert waited == 0.2


def test_tls_client_sending_garbage_is_dropped(
    server_context: std_ssl.SSLContext,
    client_context: std_ssl.SSLContext,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[bytes, bytes]:
        server = curio_net.create_server("127.0.0.1", 0, echo, ssl=server_context)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await sock.sendall(b"GET / HTTP/1.0\r\n\r\n" * 10)
        data = b""
        try:
            while chunk := await sock.recv(100):
                data += chunk
        except ConnectionResetError:
            pass
        await sock.close()
        good = await curio_net.open_connection(
            "127.0.0.1", server.address[1], ssl=client_context, server_hostname="localhost"
        )
        result = await _round_trip(good, b"well-behaved")
        await good.close()
        await server.close()
        return data, result

    data, result = curio_kernel.run(main, clock=virtual_clock)
    assert b"still here" not in data
    assert result == b"well-behaved"


def test_tls_client_rejecting_the_certificate_leaves_the_server_running(
    server_context: std_ssl.SSLContext,
    client_context: std_ssl.SSLContext,
    echo: Handler,
    open_fds: Callable[[], int],
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[bytes, int, int]:
        before = open_fds()
        server = curio_net.create_server("127.0.0.1", 0, echo, ssl=server_context)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        for _ in range(3):
            with pytest.raises(std_ssl.SSLCertVerificationError):
                await curio_net.open_connection("127.0.0.1", server.address[1], ssl=True)
        good = await curio_net.open_connection(
            "127.0.0.1", server.address[1], ssl=client_context, server_hostname="localhost"
        )
        result = await _round_trip(good, b"fine")
        await good.close()
        await server.close()  # ends whatever is left of the rejected handshakes
        return result, before, open_fds()

    result, before, after = curio_kernel.run(main, clock=virtual_clock)
    assert result == b"fine"
    assert after == before


def test_handler_cancelled_while_the_client_waits_closes_the_connection() -> None:
    async def main() -> bytes:
        started = Event()

        async def handler(client: Socket, address: Any) -> None:
            await started.set()
            await client.recv(100)

        server = curio_net.create_server("127.0.0.1", 0, handler)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await started.wait()
        await server.close()
        data = await sock.recv(100)
        await sock.close()
        return data

    assert curio_kernel.run(main) == b""
