"""curio_net.socket: the socket module's API with curio sockets and non-blocking lookups."""

from __future__ import annotations

import socket as std_socket
import threading
from typing import Any

import pytest

import curio_kernel
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_net import socket


def test_module_offers_the_standard_names() -> None:
    for name in ("AF_INET", "AF_UNIX", "SOCK_STREAM", "SOL_SOCKET", "SO_REUSEADDR", "timeout"):
        assert getattr(socket, name) == getattr(std_socket, name)
        assert name in socket.__all__
    assert socket.error is OSError
    assert socket.gaierror is std_socket.gaierror


def test_platform_constants_come_from_the_standard_module() -> None:
    extra = sorted(set(std_socket.__all__) - set(socket.__all__))
    assert extra, "every standard name is listed explicitly"
    for name in extra:
        assert getattr(socket, name) is getattr(std_socket, name)
        assert name in dir(socket)


def test_unknown_names_raise_attribute_error_naming_the_module() -> None:
    with pytest.raises(AttributeError, match=r"curio_net\.socket"):
        socket.no_such_name  # noqa: B018


def test_socket_makes_a_curio_socket() -> None:
    async def main() -> tuple[bool, Any, Any, bool]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        default = socket.socket()
        result = (isinstance(sock, Socket), default.family, default.type, sock.getblocking())
        await sock.close()
        await default.close()
        return result

    assert curio_kernel.run(main) == (True, std_socket.AF_INET, std_socket.SOCK_STREAM, False)


def test_socketpair_and_fromfd_make_curio_sockets() -> None:
    async def main() -> tuple[bytes, bool]:
        a, b = socket.socketpair()
        c = socket.fromfd(b.fileno(), socket.AF_UNIX, socket.SOCK_STREAM)
        await a.sendall(b"via a duplicate")
        data = await c.recv(100)
        result = (data, all(isinstance(s, Socket) for s in (a, b, c)))
        for s in (a, b, c):
            await s.close()
        return result

    assert curio_kernel.run(main) == (b"via a duplicate", True)


def test_create_server_and_create_connection_connect() -> None:
    async def main() -> bytes:
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        client = await socket.create_connection(("localhost", port))
        conn, _ = await listener.accept()
        await client.sendall(b"ping")
        data = await conn.recv(10)
        for s in (client, conn, listener):
            await s.close()
        return data

    assert curio_kernel.run(main) == b"ping"


def test_create_connection_binds_the_source_address() -> None:
    async def main() -> bool:
        listener = socket.create_server(("127.0.0.1", 0))
        client = await socket.create_connection(
            listener.getsockname(), source_address=("127.0.0.1", 0)
        )
        conn, address = await listener.accept()
        same: bool = address == client.getsockname()
        for s in (client, conn, listener):
            await s.close()
        return same

    assert curio_kernel.run(main) is True


def test_create_connection_reports_refusal() -> None:
    async def main() -> None:
        probe = std_socket.socket()
        probe.bind(("127.0.0.1", 0))
        address = probe.getsockname()
        probe.close()
        with pytest.raises(ConnectionRefusedError):
            await socket.create_connection(address)
        with pytest.raises(ExceptionGroup) as info:
            await socket.create_connection(address, all_errors=True)
        assert info.group_contains(ConnectionRefusedError)

    curio_kernel.run(main)


def test_create_connection_timeout_raises_timeout_error(virtual_clock: MockClock) -> None:
    async def main() -> None:
        listener = std_socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler = std_socket.socket()
        filler.setblocking(False)
        filler.connect_ex(listener.getsockname())  # fills the backlog: later connects hang
        try:
            with pytest.raises(TimeoutError):
                await socket.create_connection(listener.getsockname(), timeout=0.1)
            assert await curio_kernel.clock() == 0.1
        finally:
            filler.close()
            listener.close()

    curio_kernel.run(main, clock=virtual_clock)


def test_send_fds_and_recv_fds_pass_descriptors() -> None:
    async def main() -> bytes:
        a, b = socket.socketpair()
        r, w = std_socket.socketpair()
        await socket.send_fds(a, [b"fd"], [w.fileno()])
        data, fds, _flags, _addr = await socket.recv_fds(b, 10, 1)
        assert data == b"fd"
        passed = std_socket.socket(fileno=fds[0])
        passed.sendall(b"works")
        got = r.recv(10)
        for s in (passed, r, w):
            s.close()
        await a.close()
        await b.close()
        return got

    assert curio_kernel.run(main) == b"works"


def test_name_lookups_are_coroutines_with_the_standard_results() -> None:
    async def main() -> list[object]:
        return [
            await socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM),
            await socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM),
            await socket.gethostbyname("localhost"),
            await socket.gethostbyname_ex("localhost"),
            await socket.gethostname(),
            await socket.gethostbyaddr("127.0.0.1"),
            await socket.getnameinfo(
                ("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
            ),
            await socket.getfqdn("localhost"),
        ]

    results = curio_kernel.run(main)
    expected = [
        std_socket.getaddrinfo("localhost", 80, std_socket.AF_INET, std_socket.SOCK_STREAM),
        std_socket.getaddrinfo("127.0.0.1", 80, std_socket.AF_INET, std_socket.SOCK_STREAM),
        std_socket.gethostbyname("localhost"),
        std_socket.gethostbyname_ex("localhost"),
        std_socket.gethostname(),
        std_socket.gethostbyaddr("127.0.0.1"),
        ("127.0.0.1", "80"),
        std_socket.getfqdn("localhost"),
    ]
    assert results == expected


def test_a_slow_lookup_does_not_block_other_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup runs in a thread: it can only finish because another task runs meanwhile."""
    released = threading.Event()
    real = std_socket.getaddrinfo

    def slow_getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        if not released.wait(timeout=5):
            raise AssertionError("the other task never ran while the lookup waited")
        return real(*args, **kwargs)

    monkeypatch.setattr(std_socket, "getaddrinfo", slow_getaddrinfo)

    async def main() -> object:
        async def other_task() -> None:
            released.set()

        lookup = await curio_kernel.spawn(socket.getaddrinfo, "localhost", 80)
        await curio_kernel.spawn(other_task)
        return await lookup.join()

    assert curio_kernel.run(main)


def test_literal_addresses_are_resolved_without_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_threads(func: Any) -> Any:
        raise AssertionError("a literal address was looked up in a thread")

    monkeypatch.setattr(socket, "_run_in_thread", no_threads)

    async def main() -> list[tuple[Any, Any, int, str, tuple[Any, ...]]]:
        return await socket.getaddrinfo("::1", 443, socket.AF_INET6, socket.SOCK_STREAM)

    [(family, _kind, _proto, _name, sockaddr)] = curio_kernel.run(main)
    assert family == std_socket.AF_INET6
    assert sockaddr[:2] == ("::1", 443)
