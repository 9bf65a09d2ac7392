"""curio 1.6's networking: tcp_server, unix_server, their sockets and run_server(sock, ...).

Every server here is the same curio_net.Server as the manual's functions run, so the
checks are of the 1.6 call forms and of what they promise: the socket functions return
listening sockets, ``run_server`` tells its two forms apart by the first argument, a
crashing handler is logged without stopping the server, cancelling a server closes the
listening socket and ends every handler, and ``alpn_protocols`` reaches the TLS handshake.
Everything listens on port 0 of the loopback interface or on a Unix socket in a short
temporary directory.
"""

from __future__ import annotations

import logging
import os
import socket as std_socket
import ssl as std_ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trustme

import curio_kernel
import curio_net
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_net import ssl as curio_ssl
from curio_net.network import tcp_server, tcp_server_socket, unix_server, unix_server_socket

Until = Callable[[Callable[[], bool]], Awaitable[None]]


async def _echo(client: Socket, address: Any) -> None:
    while data := await client.recv(65536):
        await client.sendall(data)


async def _round_trip(sock: Socket, data: bytes) -> bytes:
    await sock.sendall(data)
    received = b""
    while len(received) < len(data):
        chunk = await sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def _listening_ports() -> set[int]:
    """The ports of this process's listening TCP sockets, read through its descriptors."""
    ports = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            fd = os.dup(int(name))
        except OSError:
            continue  # the listing's own descriptor, closed by now
        try:
            probe = std_socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            continue  # not a socket
        with probe:
            if (
                probe.family == std_socket.AF_INET
                and probe.type == std_socket.SOCK_STREAM
                and probe.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_ACCEPTCONN)
            ):
                ports.add(probe.getsockname()[1])
    return ports


async def _new_listening_port(before: set[int]) -> int:
    """The port of the one TCP socket that started listening since *before* was taken."""
    for _ in range(1000):
        if new := _listening_ports() - before:
            [port] = new
            return port
        await curio_kernel.sleep(0)
    raise AssertionError("no new listening socket appeared")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_context(ca: trustme.CA) -> std_ssl.SSLContext:
    context = curio_ssl.create_default_context(curio_ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def client_context(ca: trustme.CA) -> std_ssl.SSLContext:
    context = curio_ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def trusted_ca(ca: trustme.CA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make :func:`ca` the authority that ``ssl=True`` trusts."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-dir"))


# ---------------------------------------------------------------------- the sockets


def test_tcp_server_socket_returns_a_listening_curio_socket_on_the_port_the_system_chose() -> None:
    sock = tcp_server_socket("127.0.0.1", 0)
    try:
        raw = sock.raw_socket
        assert isinstance(sock, Socket)
        assert raw.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_ACCEPTCONN)
        assert raw.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR)
        assert not raw.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEPORT)
        host, port = sock.getsockname()
        assert host == "127.0.0.1"
        assert port > 0
    finally:
        sock.raw_socket.close()


def test_tcp_server_socket_sets_the_reuse_options_it_is_asked_for() -> None:
    sock = tcp_server_socket("127.0.0.1", 0, reuse_address=False, reuse_port=True)
    try:
        raw = sock.raw_socket
        assert not raw.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR)
        assert raw.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEPORT)
    finally:
        sock.raw_socket.close()


@pytest.mark.usefixtures("no_fd_leak")
def test_tcp_server_socket_refuses_a_unix_family_and_a_bad_port_without_leaking() -> None:
    with pytest.raises(ValueError, match="AF_INET or AF_INET6"):
        tcp_server_socket("127.0.0.1", 0, std_socket.AF_UNIX)
    with pytest.raises(ValueError, match="out of range"):
        tcp_server_socket("127.0.0.1", 70000)
    busy = tcp_server_socket("127.0.0.1", 0, reuse_address=False)
    try:
        with pytest.raises(OSError, match="in use"):
            tcp_server_socket("127.0.0.1", busy.getsockname()[1], reuse_address=False)
    finally:
        busy.raw_socket.close()


@pytest.mark.usefixtures("no_fd_leak")
def test_unix_server_socket_listens_on_its_path_and_leaves_the_file_when_closed(
    short_tmp: Path,
) -> None:
    path = str(short_tmp / "s")
    sock = unix_server_socket(path, backlog=5)
    assert sock.family == std_socket.AF_UNIX
    assert sock.raw_socket.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_ACCEPTCONN)
    assert sock.getsockname() == path
    sock.raw_socket.close()
    assert os.path.exists(path)  # as with the standard library: the caller removes it


# ---------------------------------------------------------------------- run_server(sock, ...)


@pytest.mark.usefixtures("no_fd_leak")
def test_run_server_serves_a_socket_made_by_tcp_server_socket_and_closes_it_when_cancelled() -> (
    None
):
    async def main() -> tuple[bytes, int]:
        sock = tcp_server_socket("127.0.0.1", 0)
        serving = await curio_kernel.spawn(curio_net.run_server, sock, _echo)
        client = await curio_net.open_connection(*sock.getsockname())
        reply = await _round_trip(client, b"served on a given socket")
        await serving.cancel()
        await client.close()
        return reply, sock.raw_socket.fileno()

    reply, fileno = curio_kernel.run(main)
    assert reply == b"served on a given socket"
    assert fileno == -1  # run_server closed the socket it served on


@pytest.mark.usefixtures("no_fd_leak")
def test_cancelling_run_server_ends_the_handlers_that_are_still_running(
    until: Until, flag: Callable[[], Any]
) -> None:
    ended: list[str] = []
    started = flag()

    async def handler(client: Socket, address: Any) -> None:
        await started.set()
        try:
            await client.recv(10)  # the client sends nothing
        except curio_kernel.CancelledError:
            ended.append("cancelled")
            raise

    async def main() -> None:
        sock = tcp_server_socket("127.0.0.1", 0)
        serving = await curio_kernel.spawn(curio_net.run_server, sock, handler)
        client = await curio_net.open_connection(*sock.getsockname())
        await started.wait()
        await serving.cancel()
        assert await client.recv(10) == b""  # the handler's end closed the connection
        await client.close()

    curio_kernel.run(main)
    assert ended == ["cancelled"]


def test_run_server_takes_a_standard_socket_and_its_ssl_context_as_third_argument(
    server_context: std_ssl.SSLContext, client_context: std_ssl.SSLContext, virtual_clock: MockClock
) -> None:
    async def main() -> tuple[bytes, str | None]:
        raw = std_socket.socket()
        raw.bind(("127.0.0.1", 0))
        raw.listen()
        serving = await curio_kernel.spawn(curio_net.run_server, raw, _echo, server_context)
        client = await curio_net.open_connection(
            "127.0.0.1", raw.getsockname()[1], ssl=client_context
        )
        reply = await _round_trip(client, b"over TLS")
        version = client.version()
        await client.close()
        await serving.cancel()
        return reply, version

    reply, version = curio_kernel.run(main, clock=virtual_clock)
    assert reply == b"over TLS"
    assert version is not None
    assert version.startswith("TLS")


def test_run_server_on_a_socket_logs_a_crashing_handler_and_goes_on_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(client: Socket, address: Any) -> None:
        data = await client.recv(100)
        if data == b"crash":
            raise ZeroDivisionError("the handler's own bug")
        await client.sendall(data)

    async def main() -> tuple[bytes, bytes]:
        sock = tcp_server_socket("127.0.0.1", 0)
        serving = await curio_kernel.spawn(curio_net.run_server, sock, handler)
        first = await curio_net.open_connection(*sock.getsockname())
        await first.sendall(b"crash")
        closed = await first.recv(10)
        await first.close()
        second = await curio_net.open_connection(*sock.getsockname())
        reply = await _round_trip(second, b"still here")
        await second.close()
        await serving.cancel()
        return closed, reply

    with caplog.at_level(logging.ERROR, logger="curio_net.server"):
        assert curio_kernel.run(main) == (b"", b"still here")
    [record] = [r for r in caplog.records if r.name == "curio_net.server"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ZeroDivisionError)


def test_run_server_still_takes_a_host_and_a_port_positionally_or_by_keyword() -> None:
    async def main() -> list[bytes]:
        replies = []
        for keywords in (False, True):
            before = _listening_ports()
            if keywords:
                call = curio_net.run_server(host="127.0.0.1", port=0, client_connected_task=_echo)
            else:
                call = curio_net.run_server("127.0.0.1", 0, _echo)
            serving = await curio_kernel.spawn(call)
            port = await _new_listening_port(before)
            client = await curio_net.open_connection("127.0.0.1", port)
            replies.append(await _round_trip(client, b"host form"))
            await client.close()
            await serving.cancel()
        return replies

    assert curio_kernel.run(main) == [b"host form", b"host form"]


@pytest.mark.usefixtures("no_fd_leak")
def test_run_server_explains_a_first_argument_that_is_neither_a_host_nor_a_socket() -> None:
    async def main() -> list[str]:
        errors = []
        for args in [(("127.0.0.1", 0), _echo), (8000, _echo)]:
            with pytest.raises(TypeError, match=r"host and a port .* or a listening socket") as e:
                await curio_net.run_server(*args)  # type: ignore[call-overload]
            errors.append(str(e.value))
        return errors

    errors = curio_kernel.run(main)
    assert "tuple" in errors[0]
    assert "int 8000" in errors[1]


@pytest.mark.usefixtures("no_fd_leak")
def test_run_server_refuses_a_socket_that_does_not_listen_and_wrong_arguments() -> None:
    async def main() -> None:
        with (
            std_socket.socket() as raw,
            pytest.raises(ValueError, match=r"needs a listening socket: bind\(\) and listen"),
        ):
            await curio_net.run_server(raw, _echo)
        with (
            std_socket.socket(std_socket.AF_INET, std_socket.SOCK_DGRAM) as udp,
            pytest.raises(ValueError, match="SOCK_STREAM"),
        ):
            await curio_net.run_server(udp, _echo)
        sock = tcp_server_socket("127.0.0.1", 0)
        try:
            with pytest.raises(TypeError, match=r"run_server\(\): .*port"):
                await curio_net.run_server(sock, _echo, None, port=80)  # type: ignore[call-overload]
            with pytest.raises(TypeError, match=r"run_server\(\): .*client_connected_task"):
                await curio_net.run_server(sock)  # type: ignore[call-overload]
            with pytest.raises(TypeError, match=r"ssl must be an ssl\.SSLContext"):
                await curio_net.run_server(sock, _echo, "cert.pem")  # type: ignore[call-overload]
            assert sock.raw_socket.fileno() >= 0  # refused: the socket is still the caller's
        finally:
            await sock.close()

    curio_kernel.run(main)


# ---------------------------------------------------------------------- tcp_server, unix_server


@pytest.mark.usefixtures("no_fd_leak")
def test_tcp_server_serves_until_cancelled() -> None:
    async def main() -> bytes:
        before = _listening_ports()
        serving = await curio_kernel.spawn(tcp_server, "127.0.0.1", 0, _echo)
        port = await _new_listening_port(before)
        client = await curio_net.open_connection("127.0.0.1", port)
        reply = await _round_trip(client, b"1.x tcp_server")
        await serving.cancel()
        assert await client.recv(10) == b""
        await client.close()
        assert port not in _listening_ports()
        return reply

    assert curio_kernel.run(main) == b"1.x tcp_server"


@pytest.mark.usefixtures("no_fd_leak")
def test_unix_server_serves_on_its_path_and_removes_the_socket_file_when_cancelled(
    short_tmp: Path, until: Until
) -> None:
    path = str(short_tmp / "server")

    async def main() -> bytes:
        serving = await curio_kernel.spawn(unix_server, path, _echo)
        await until(lambda: os.path.exists(path))
        client = await curio_net.open_unix_connection(path)
        reply = await _round_trip(client, b"1.x unix_server")
        await client.close()
        await serving.cancel()
        return reply

    assert curio_kernel.run(main) == b"1.x unix_server"
    assert not os.path.exists(path)


@pytest.mark.usefixtures("no_fd_leak")
def test_run_server_serves_a_unix_server_socket_given_by_keyword(short_tmp: Path) -> None:
    path = str(short_tmp / "s")

    async def main() -> bytes:
        sock = unix_server_socket(path)
        serving = await curio_kernel.spawn(
            curio_net.run_server(sock=sock, client_connected_task=_echo)
        )
        client = await curio_net.open_unix_connection(path)
        reply = await _round_trip(client, b"on a unix socket")
        await client.close()
        await serving.cancel()
        return reply

    assert curio_kernel.run(main) == b"on a unix socket"


# ---------------------------------------------------------------------- alpn_protocols


async def _alpn_handler(client: Socket, address: Any) -> None:
    chosen = client.selected_alpn_protocol()
    await client.sendall((chosen or "none").encode())


@pytest.mark.usefixtures("trusted_ca")
def test_open_connection_offers_the_alpn_protocols_and_the_server_picks_one(
    server_context: std_ssl.SSLContext,
    virtual_clock: MockClock,
) -> None:
    server_context.set_alpn_protocols(["http/1.1", "h2"])

    async def main() -> tuple[bytes, str | None, bytes]:
        sock = tcp_server_socket("127.0.0.1", 0)
        serving = await curio_kernel.spawn(
            curio_net.run_server, sock, _alpn_handler, server_context
        )
        port = sock.getsockname()[1]
        client = await curio_net.open_connection(
            "127.0.0.1", port, ssl=True, alpn_protocols=["h2", "spdy/3"]
        )
        reply = await client.recv(100)
        chosen = client.selected_alpn_protocol()
        await client.close()
        plain = await curio_net.open_connection("127.0.0.1", port, ssl=True)
        without = await plain.recv(100)
        await plain.close()
        await serving.cancel()
        return reply, chosen, without

    assert curio_kernel.run(main, clock=virtual_clock) == (b"h2", "h2", b"none")


@pytest.mark.usefixtures("trusted_ca")
def test_open_unix_connection_offers_the_alpn_protocols_too(
    server_context: std_ssl.SSLContext, short_tmp: Path, virtual_clock: MockClock
) -> None:
    server_context.set_alpn_protocols(["h2"])
    path = str(short_tmp / "tls")

    async def main() -> bytes:
        sock = unix_server_socket(path)
        serving = await curio_kernel.spawn(
            curio_net.run_server, sock, _alpn_handler, server_context
        )
        client = await curio_net.open_unix_connection(
            path, ssl=True, server_hostname="localhost", alpn_protocols=["h2"]
        )
        reply = await client.recv(100)
        await client.close()
        await serving.cancel()
        return reply

    assert curio_kernel.run(main, clock=virtual_clock) == b"h2"


@pytest.mark.usefixtures("no_fd_leak")
def test_alpn_protocols_without_ssl_with_an_own_context_or_as_a_string_are_refused(
    client_context: std_ssl.SSLContext,
) -> None:
    async def main() -> None:
        with pytest.raises(ValueError, match="alpn_protocols is only meaningful with ssl"):
            await curio_net.open_connection("127.0.0.1", 9, alpn_protocols=["h2"])
        with pytest.raises(ValueError, match="set_alpn_protocols"):
            await curio_net.open_connection(
                "127.0.0.1", 9, ssl=client_context, alpn_protocols=["h2"]
            )
        with pytest.raises(TypeError, match="a list of protocol names"):
            await curio_net.open_connection("127.0.0.1", 9, ssl=True, alpn_protocols="h2")
        with pytest.raises(TypeError, match="a list of protocol names"):
            await curio_net.open_unix_connection("/nowhere", ssl=True, alpn_protocols=[b"h2"])  # type: ignore[list-item]

    curio_kernel.run(main)
