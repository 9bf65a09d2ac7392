"""curio_net.ssl: contexts and wrap_socket give curio sockets; handshakes never block."""

from __future__ import annotations

import pathlib
import ssl as std_ssl
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trustme

import curio_kernel
import curio_net
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_net import socket
from curio_net import ssl as curio_ssl

Handler = Callable[[Socket, Any], Awaitable[None]]


async def _tls_echo_server(context: std_ssl.SSLContext, echo: Handler) -> curio_net.Server:
    server = curio_net.create_server("127.0.0.1", 0, echo, ssl=context)
    await curio_kernel.spawn(server.serve_forever, daemon=True)
    return server


def test_module_offers_the_standard_names() -> None:
    for name in ("CERT_REQUIRED", "PROTOCOL_TLS_CLIENT", "SSLError", "SSLWantReadError", "Purpose"):
        assert getattr(curio_ssl, name) is getattr(std_ssl, name)
    assert curio_ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE is (
        std_ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
    )
    with pytest.raises(AttributeError, match=r"curio_net\.ssl"):
        curio_ssl.no_such_name  # noqa: B018


def test_create_default_context_keeps_the_secure_defaults() -> None:
    context = curio_ssl.create_default_context()
    assert isinstance(context, curio_ssl.SSLContext)
    assert isinstance(context, std_ssl.SSLContext)
    assert context.verify_mode == std_ssl.CERT_REQUIRED
    assert context.check_hostname is True
    reference = std_ssl.create_default_context()
    assert context.options == reference.options
    assert context.verify_flags == reference.verify_flags
    assert context.minimum_version == reference.minimum_version
    server = curio_ssl.create_default_context(curio_ssl.Purpose.CLIENT_AUTH)
    assert server.verify_mode == std_ssl.CERT_NONE


def test_context_wrap_socket_gives_a_curio_socket_and_handshakes(
    server_context: std_ssl.SSLContext,
    client_context: curio_ssl.SSLContext,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[bool, bytes, Any]:
        server = await _tls_echo_server(server_context, echo)
        sock = await socket.create_connection(server.address)
        tls = client_context.wrap_socket(sock, server_hostname="localhost")
        await tls.do_handshake()
        await tls.sendall(b"secret")
        data = await tls.recv(100)
        result = (isinstance(tls, Socket), data, tls.version())
        await tls.close()
        await server.close()
        return result

    is_curio, data, version = curio_kernel.run(main, clock=virtual_clock)
    assert is_curio
    assert data == b"secret"
    assert version.startswith("TLS")


def test_connect_of_a_wrapped_socket_runs_the_handshake(
    server_context: std_ssl.SSLContext,
    client_context: curio_ssl.SSLContext,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[Any, bytes]:
        server = await _tls_echo_server(server_context, echo)
        tls = client_context.wrap_socket(socket.socket(), server_hostname="localhost")
        await tls.connect(server.address)
        cert = tls.getpeercert()  # available: the handshake is done
        await tls.sendall(b"after connect")
        data = await tls.recv(100)
        await tls.close()
        await server.close()
        return cert, data

    cert, data = curio_kernel.run(main, clock=virtual_clock)
    assert cert is not None
    assert data == b"after connect"


def test_without_an_explicit_handshake_the_first_io_runs_it(
    server_context: std_ssl.SSLContext,
    client_context: curio_ssl.SSLContext,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    async def main() -> bytes:
        server = await _tls_echo_server(server_context, echo)
        sock = await socket.create_connection(server.address)
        tls = client_context.wrap_socket(sock, server_hostname="localhost")
        await tls.sendall(b"implicit")
        data = await tls.recv(100)
        await tls.close()
        await server.close()
        return data

    assert curio_kernel.run(main, clock=virtual_clock) == b"implicit"


def test_wrap_socket_with_the_classic_signature(
    ca: trustme.CA, server_cert: trustme.LeafCert, tmp_path: pathlib.Path, echo: Handler
) -> None:
    ca_file = tmp_path / "ca.pem"
    cert_file = tmp_path / "server.pem"
    key_file = tmp_path / "server.key"
    ca.cert_pem.write_to_path(str(ca_file))
    server_cert.cert_chain_pems[0].write_to_path(str(cert_file))
    server_cert.private_key_pem.write_to_path(str(key_file))

    async def main() -> tuple[bytes, bytes]:
        listener = socket.create_server(("127.0.0.1", 0))
        client = await socket.create_connection(listener.getsockname())
        conn, _ = await listener.accept()
        server_side = curio_ssl.wrap_socket(
            conn, keyfile=str(key_file), certfile=str(cert_file), server_side=True
        )
        client_side = curio_ssl.wrap_socket(
            client, ca_certs=str(ca_file), server_hostname="localhost"
        )
        handshake = await curio_kernel.spawn(server_side.do_handshake)
        await client_side.do_handshake()
        await handshake.join()
        await client_side.sendall(b"old api")
        got = await server_side.recv(100)
        await server_side.sendall(b"reply")
        reply = await client_side.recv(100)
        for s in (client_side, server_side, listener):
            await s.close()
        return got, reply

    assert curio_kernel.run(main) == (b"old api", b"reply")


def test_wrap_socket_verifies_the_server_by_default(
    server_context: std_ssl.SSLContext,
    echo: Handler,
    tmp_path: pathlib.Path,
    virtual_clock: MockClock,
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))

    async def main() -> None:
        server = await _tls_echo_server(server_context, echo)
        client = await socket.create_connection(server.address)
        tls = curio_ssl.wrap_socket(client, ca_certs=str(other_ca))
        try:
            with pytest.raises(std_ssl.SSLCertVerificationError):
                await tls.do_handshake()
        finally:
            await tls.close()
            await server.close()

    curio_kernel.run(main, clock=virtual_clock)


def test_wrap_socket_refuses_a_server_without_certificate() -> None:
    raw = socket.socket()
    try:
        with pytest.raises(ValueError, match="certfile"):
            curio_ssl.wrap_socket(raw, server_side=True)
        with pytest.raises(ValueError, match="certfile"):
            curio_ssl.wrap_socket(raw, keyfile="key.pem")
    finally:
        raw.raw_socket.close()


def test_wrapping_a_closed_socket_is_refused(client_context: curio_ssl.SSLContext) -> None:
    async def main() -> None:
        sock = socket.socket()
        await sock.close()
        with pytest.raises(OSError, match="closed"):
            client_context.wrap_socket(sock, server_hostname="localhost")

    curio_kernel.run(main)


def test_get_server_certificate_returns_the_servers_pem(
    server_context: std_ssl.SSLContext,
    server_cert: trustme.LeafCert,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    async def main() -> str:
        server = await _tls_echo_server(server_context, echo)
        pem = await curio_ssl.get_server_certificate(server.address)
        await server.close()
        return pem

    pem = curio_kernel.run(main, clock=virtual_clock)
    expected = server_cert.cert_chain_pems[0].bytes().decode()
    assert std_ssl.PEM_cert_to_DER_cert(pem) == std_ssl.PEM_cert_to_DER_cert(expected)


def test_get_server_certificate_checks_against_given_authorities(
    server_context: std_ssl.SSLContext,
    echo: Handler,
    tmp_path: pathlib.Path,
    virtual_clock: MockClock,
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))

    async def main() -> None:
        server = await _tls_echo_server(server_context, echo)
        try:
            with pytest.raises(std_ssl.SSLCertVerificationError):
                await curio_ssl.get_server_certificate(server.address, ca_certs=str(other_ca))
        finally:
            await server.close()

    curio_kernel.run(main, clock=virtual_clock)


def test_streams_over_a_tls_socket(
    server_context: std_ssl.SSLContext,
    client_context: curio_ssl.SSLContext,
    echo: Handler,
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[bytes, bytes, bytes]:
        server = await _tls_echo_server(server_context, echo)
        tls = await curio_net.open_connection(
            "127.0.0.1", server.address[1], ssl=client_context, server_hostname="localhost"
        )
        reader, writer = tls.make_streams()
        await writer.write(b"first line\nsecond ")
        first = await reader.readline()
        await writer.write(b"line\n")
        second = await reader.readline()
        await reader.close()
        await writer.close()
        stream = tls.as_stream()
        await stream.write(b"x" * 100_000 + b"\n")
        long_line = await stream.readline()
        await stream.close()
        await server.close()
        return first, second, long_line

    first, second, long_line = curio_kernel.run(main, clock=virtual_clock)
    assert (first, second) == (b"first line\n", b"second line\n")
    assert long_line == b"x" * 100_000 + b"\n"
