"""open_connection and open_unix_connection: plain and TLS, verified by default."""

from __future__ import annotations

import pathlib
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


async def _serve(server: curio_net.Server) -> curio_net.Server:
    await curio_kernel.spawn(server.serve_forever, daemon=True)
    return server


async def _round_trip(sock: Socket, data: bytes) -> bytes:
    await sock.sendall(data)
    received = b""
    while len(received) < len(data):
        received += await sock.recv(65536)
    return received


def test_open_connection_connects_over_tcp(echo: Handler) -> None:
    async def main() -> tuple[bytes, int]:
        server = await _serve(curio_net.create_server("127.0.0.1", 0, echo))
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        data = await _round_trip(sock, b"plain")
        nodelay = sock.getsockopt(std_socket.IPPROTO_TCP, std_socket.TCP_NODELAY)
        await sock.close()
        await server.close()
        return data, nodelay

    data, nodelay = curio_kernel.run(main)
    assert data == b"plain"
    assert nodelay != 0


def test_open_connection_by_host_name_and_from_a_source_address(echo: Handler) -> None:
    async def main() -> tuple[bytes, str]:
        server = await _serve(curio_net.create_server("127.0.0.1", 0, echo))
        sock = await curio_net.open_connection(
            "localhost", server.address[1], source_addr=("127.0.0.1", 0)
        )
        data = await _round_trip(sock, b"named")
        local: str = sock.getsockname()[0]
        await sock.close()
        await server.close()
        return data, local

    assert curio_kernel.run(main) == (b"named", "127.0.0.1")


def test_open_connection_over_ipv6(echo: Handler) -> None:
    async def main() -> bytes:
        server = await _serve(curio_net.create_server("::1", 0, echo, family=std_socket.AF_INET6))
        sock = await curio_net.open_connection("::1", server.address[1])
        data = await _round_trip(sock, b"six")
        await sock.close()
        await server.close()
        return data

    assert curio_kernel.run(main) == b"six"


def test_open_connection_refused() -> None:
    probe = std_socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    async def main() -> None:
        with pytest.raises(ConnectionRefusedError):
            await curio_net.open_connection("127.0.0.1", port)

    curio_kernel.run(main)


def test_ssl_true_verifies_certificate_and_host_name(
    server_context: std_ssl.SSLContext, echo: Handler, trusted_ca: None, virtual_clock: MockClock
) -> None:
    async def main() -> bytes:
        server = await _serve(curio_net.create_server("127.0.0.1", 0, echo, ssl=server_context))
        sock = await curio_net.open_connection("localhost", server.address[1], ssl=True)
        data = await _round_trip(sock, b"verified")
        await sock.close()
        await server.close()
        return data

    assert curio_kernel.run(main, clock=virtual_clock) == b"verified"


def test_ssl_true_rejects_an_untrusted_certificate(
    server_context: std_ssl.SSLContext, echo: Handler, virtual_clock: MockClock
) -> None:
    async def main() -> None:
        server = await _serve(curio_net.create_server("127.0.0.1", 0, echo, ssl=server_context))
        try:
            with pytest.raises(std_ssl.SSLCertVerificationError):
                await curio_net.open_connection("localhost", server.address[1], ssl=True)
        finally:
            await server.close()

    curio_kernel.run(main, clock=virtual_clock)


def test_ssl_true_rejects_a_certificate_for_another_host(
    server_context: std_ssl.SSLContext, echo: Handler, trusted_ca: None, virtual_clock: MockClock
) -> None:
    async def main() -> None:
        server = await _serve(curio_net.create_server("127.0.0.1", 0, echo, ssl=server_context))
        port = server.address[1]
        try:
            with pytest.raises(std_ssl.SSLCertVerificationError, match="match"):
                await curio_net.open_connection(
                    "localhost", port, ssl=True, server_hostname="www.example.org"
                )
        finally:
            await server.close()

    curio_kernel.run(main, clock=virtual_clock)


def test_the_host_name_checked_is_the_host_connected_to(
    ca: Any, echo: Handler, trusted_ca: None, virtual_clock: MockClock
) -> None:
    # A certificate valid for "localhost" only: connecting by IP address must fail.
    cert = ca.issue_cert("localhost")
    context = std_ssl.create_default_context(std_ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    async def main() -> None:
        server = await _serve(curio_net.create_server("127.0.0.1", 0, echo, ssl=context))
        try:
            with pytest.raises(std_ssl.SSLCertVerificationError):
                await curio_net.open_connection("127.0.0.1", server.address[1], ssl=True)
        finally:
            await server.close()

    curio_kernel.run(main, clock=virtual_clock)


def test_ssl_with_a_context_trusting_the_authority(
    server_context: std_ssl.SSLContext,
    client_context: curio_ssl.SSLContext,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    async def main() -> bytes:
        server = await _serve(curio_net.create_server("127.0.0.1", 0, echo, ssl=server_context))
        sock = await curio_net.open_connection(
            "127.0.0.1", server.address[1], ssl=client_context, server_hostname="localhost"
        )
        data = await _round_trip(sock, b"context")
        await sock.close()
        await server.close()
        return data

    assert curio_kernel.run(main, clock=virtual_clock) == b"context"


def test_bad_ssl_arguments_are_refused() -> None:
    async def main() -> None:
        with pytest.raises(ValueError, match="server_hostname"):
            await curio_net.open_connection("127.0.0.1", 1, server_hostname="x")
        with pytest.raises(TypeError, match="SSLContext"):
            await curio_net.open_connection("127.0.0.1", 1, ssl="yes")  # type: ignore[arg-type]

    curio_kernel.run(main)


def test_open_unix_connection_plain_and_tls(
    tmp_path: pathlib.Path,
    server_context: std_ssl.SSLContext,
    client_context: curio_ssl.SSLContext,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    plain_path = str(tmp_path / "plain.sock")
    tls_path = str(tmp_path / "tls.sock")

    async def main() -> tuple[bytes, bytes]:
        plain = await _serve(curio_net.create_unix_server(plain_path, echo))
        tls = await _serve(curio_net.create_unix_server(tls_path, echo, ssl=server_context))
        sock = await curio_net.open_unix_connection(plain_path)
        first = await _round_trip(sock, b"unix")
        await sock.close()
        sock = await curio_net.open_unix_connection(
            tls_path, ssl=client_context, server_hostname="localhost"
        )
        second = await _round_trip(sock, b"unix tls")
        await sock.close()
        await plain.close()
        await tls.close()
        return first, second

    assert curio_kernel.run(main, clock=virtual_clock) == (b"unix", b"unix tls")


def test_open_unix_connection_with_ssl_true_needs_a_host_name(
    tmp_path: pathlib.Path, server_context: std_ssl.SSLContext, echo: Handler
) -> None:
    path = str(tmp_path / "tls.sock")

    async def main() -> None:
        server = await _serve(curio_net.create_unix_server(path, echo, ssl=server_context))
        try:
            with pytest.raises(ValueError, match="server_hostname"):
                await curio_net.open_unix_connection(path, ssl=True)
        finally:
            await server.close()

    curio_kernel.run(main)


def test_open_unix_connection_to_a_missing_path(tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        with pytest.raises(FileNotFoundError):
            await curio_net.open_unix_connection(str(tmp_path / "nobody-here.sock"))

    curio_kernel.run(main)
