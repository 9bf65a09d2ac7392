"""Servers: create_server, run_server, their Unix variants and Server.serve_forever."""

from __future__ import annotations

import os
import pathlib
import socket as std_socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import curio_kernel
import curio_net
from curio_io import Socket
from curio_sync import Event

Handler = Callable[[Socket, Any], Awaitable[None]]


async def _round_trip(sock: Socket, data: bytes) -> bytes:
    await sock.sendall(data)
    received = b""
    while len(received) < len(data):
        received += await sock.recv(65536)
    return received


def _listening_ports() -> set[int]:
    """The ports of this process's listening TCP sockets (read through its descriptors)."""
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    ports = set()
    for name in os.listdir(fd_dir):
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
            if probe.type == std_socket.SOCK_STREAM and probe.getsockopt(
                std_socket.SOL_SOCKET, std_socket.SO_ACCEPTCONN
            ):
                ports.add(probe.getsockname()[1])
    return ports


def test_server_serves_many_clients_at_once(echo: Handler) -> None:
    async def main() -> list[bytes]:
        server = curio_net.create_server("127.0.0.1", 0, echo)
        serving = await curio_kernel.spawn(server.serve_forever, daemon=True)

        async def client(k: int) -> bytes:
            sock = await curio_net.open_connection("127.0.0.1", server.address[1])
            data = b""
            for i in range(20):
                data = await _round_trip(sock, b"client %d message %d" % (k, i))
            await sock.close()
            return data

        tasks = [await curio_kernel.spawn(client, k) for k in range(10)]
        results = [await task.join() for task in tasks]
        await server.shutdown(grace_period=1)
        await serving.join()
        return results

    assert curio_kernel.run(main) == [b"client %d message 19" % k for k in range(10)]


def test_handler_gets_the_client_socket_and_address() -> None:
    seen: list[Any] = []

    async def handler(client: Socket, address: Any) -> None:
        seen.append((isinstance(client, Socket), address, client.getpeername()))
        await client.sendall(b"bye")

    async def main() -> tuple[bytes, Any]:
        server = curio_net.create_server("127.0.0.1", 0, handler)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        data = await sock.recv(10)
        rest = await sock.recv(10)  # the server closed the connection after the handler
        local = sock.getsockname()
        await sock.close()
        await server.close()
        return data + rest, local

    data, local = curio_kernel.run(main)
    assert data == b"bye"
    assert seen == [(True, local, local)]


def test_run_server_serves_until_cancelled(echo: Handler, open_fds: Callable[[], int]) -> None:
    async def main() -> tuple[bytes, int, int]:
        before_fds = open_fds()
        before = _listening_ports()
        task = await curio_kernel.spawn(curio_net.run_server, "127.0.0.1", 0, echo)
        [port] = _listening_ports() - before
        sock = await curio_net.open_connection("127.0.0.1", port)
        data = await _round_trip(sock, b"run_server")
        await task.cancel()
        assert await sock.recv(10) == b""  # the handler was cancelled, its socket closed
        await sock.close()
        return data, before_fds, open_fds()

    data, before, after = curio_kernel.run(main)
    assert data == b"run_server"
    assert after == before


def test_unix_servers(tmp_path: pathlib.Path, echo: Handler) -> None:
    created = str(tmp_path / "created.sock")
    ran = str(tmp_path / "ran.sock")

    async def main() -> tuple[bytes, bytes, bool, bool]:
        server = curio_net.create_unix_server(created, echo)
        assert server.address == created
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        task = await curio_kernel.spawn(curio_net.run_unix_server, ran, echo)
        first = await curio_net.open_unix_connection(created)
        second = await curio_net.open_unix_connection(ran)
        results = (await _round_trip(first, b"one"), await _round_trip(second, b"two"))
        await first.close()
        await second.close()
        await server.close()
        await task.cancel()
        return (*results, os.path.exists(created), os.path.exists(ran))

    # The socket files are removed when the servers close.
    assert curio_kernel.run(main) == (b"one", b"two", False, False)


def test_unix_server_leaves_a_replaced_path_alone(tmp_path: pathlib.Path, echo: Handler) -> None:
    path = tmp_path / "replaced.sock"

    async def main() -> bool:
        server = curio_net.create_unix_server(str(path), echo)
        path.unlink()
        path.write_text("someone else's file")
        await server.close()
        return path.exists()

    assert curio_kernel.run(main) is True


def test_serve_forever_twice_or_after_close_is_refused(echo: Handler) -> None:
    async def main() -> None:
        server = curio_net.create_server("127.0.0.1", 0, echo)
        started = Event()

        async def serve() -> None:
            await started.set()
            await server.serve_forever()

        task = await curio_kernel.spawn(serve)
        await started.wait()
        with pytest.raises(RuntimeError, match="already running"):
            await server.serve_forever()
        await server.close()
        await task.join()
        with pytest.raises(RuntimeError, match="closed"):
            await server.serve_forever()
        assert server.closed

    curio_kernel.run(main)


def test_bad_server_arguments_are_refused(echo: Handler) -> None:
    with pytest.raises(TypeError, match="async function"):
        curio_net.create_server("127.0.0.1", 0, "not callable")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="SSLContext"):
        curio_net.create_server("127.0.0.1", 0, echo, ssl=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="family"):
        curio_net.create_server("127.0.0.1", 0, echo, family=std_socket.AF_UNIX)
    with pytest.raises(ValueError, match="handshake"):
        curio_net.create_server("127.0.0.1", 0, echo, ssl_handshake_timeout=0)
    taken = std_socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with pytest.raises(OSError, match="in use"):
            curio_net.create_server("127.0.0.1", taken.getsockname()[1], echo, reuse_address=False)
    finally:
        taken.close()


def test_reuse_port_lets_two_servers_share_a_port(echo: Handler) -> None:
    async def main() -> bool:
        first = curio_net.create_server("127.0.0.1", 0, echo, reuse_port=True)
        second = curio_net.create_server("127.0.0.1", first.address[1], echo, reuse_port=True)
        shared: bool = first.address == second.address
        await first.close()
        await second.close()
        return shared

    assert curio_kernel.run(main) is True


def test_server_as_async_context_manager(echo: Handler) -> None:
    async def main() -> tuple[bytes, str]:
        async with curio_net.create_server("127.0.0.1", 0, echo) as server:
            await curio_kernel.spawn(server.serve_forever, daemon=True)
            sock = await curio_net.open_connection("127.0.0.1", server.address[1])
            data = await _round_trip(sock, b"ctx")
            shown = repr(server)
            assert server.connections == 1
        assert await sock.recv(10) == b""
        await sock.close()
        return data, shown

    data, shown = curio_kernel.run(main)
    assert data == b"ctx"
    assert "serving" in shown
