"""The examples of the manual's I/O, socket, ssl and networking sections, against local servers."""

from __future__ import annotations

import os
import pathlib
import socket as std_socket
from typing import Any

import trustme

import curio_kernel
import curio_net
from curio_io import Socket, Stream
from curio_kernel.testing import MockClock
from curio_net import socket, ssl


def _listening_ports() -> set[int]:
    """The ports of this process's listening TCP sockets."""
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    ports = set()
    for name in os.listdir(fd_dir):
        try:
            fd = os.dup(int(name))
        except OSError:
            continue
        try:
            probe = std_socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            continue
        with probe:
            if probe.type == std_socket.SOCK_STREAM and probe.getsockopt(
                std_socket.SOL_SOCKET, std_socket.SO_ACCEPTCONN
            ):
                ports.add(probe.getsockname()[1])
    return ports


def test_socket_as_async_context_manager() -> None:
    # async with sock:
    #     # Use the socket
    # # socket closed here
    async def main() -> tuple[bytes, int]:
        a, b = socket.socketpair()
        async with a as sock:
            await b.sendall(b"use the socket")
            data = await sock.recv(100)
        await b.close()
        return data, a.fileno()

    assert curio_kernel.run(main) == (b"use the socket", -1)


def test_stream_as_async_context_manager() -> None:
    # async with stream:
    #     #  Use the stream object
    # # stream closed here
    async def main() -> tuple[bytes, bool]:
        r, w = os.pipe()
        os.write(w, b"use the stream\n")
        os.close(w)
        file = open(r, "rb", buffering=0)  # noqa: SIM115 (the stream closes it)
        async with Stream(file) as stream:
            line = await stream.readline()
        return line, file.closed

    assert curio_kernel.run(main) == (b"use the stream\n", True)


def test_outgoing_ssl_connection(
    ca: trustme.CA, trusted_ca: None, echo: Any, virtual_clock: MockClock
) -> None:
    # sock = await curio.open_connection('www.python.org', 443,
    #                                    ssl=True,
    #                                    server_hostname='www.python.org')
    cert = ca.issue_cert("www.python.org")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    async def main() -> bytes:
        server = curio_net.create_server("127.0.0.1", 0, echo, ssl=context)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection(
            "localhost", server.address[1], ssl=True, server_hostname="www.python.org"
        )
        await sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = await sock.recv(100)
        await sock.close()
        await server.close()
        return data

    assert curio_kernel.run(main, clock=virtual_clock) == b"GET / HTTP/1.0\r\n\r\n"


def test_ssl_server(
    server_cert: trustme.LeafCert,
    client_context: ssl.SSLContext,
    tmp_path: pathlib.Path,
    virtual_clock: MockClock,
) -> None:
    KEYFILE = str(tmp_path / "privkey_rsa")  # Private key
    CERTFILE = str(tmp_path / "certificate.crt")  # Server certificate
    server_cert.private_key_pem.write_to_path(KEYFILE)
    server_cert.cert_chain_pems[0].write_to_path(CERTFILE)
    served: list[Any] = []

    async def handler(client: Socket, addr: Any) -> None:
        served.append(addr)
        await client.sendall(b"hello over TLS")

    async def main() -> bytes:
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(certfile=CERTFILE, keyfile=KEYFILE)
        before = _listening_ports()
        server = await curio_kernel.spawn(curio_net.run_server("", 0, handler, ssl=ssl_context))
        [port] = _listening_ports() - before
        sock = await curio_net.open_connection(
            "127.0.0.1", port, ssl=client_context, server_hostname="localhost"
        )
        data = await sock.recv(100)
        await sock.close()
        await server.cancel()
        return data

    kernel = curio_kernel.Kernel(clock=virtual_clock)
    with kernel:
        assert kernel.run(main()) == b"hello over TLS"
    assert len(served) == 1
