"""A port outside 0 to 65535, a bool or a float is refused before any socket or lookup.

The C library keeps 16 bits of a port, so ``open_connection(host, 70000)`` used to reach
port 4464.  Each function is called with the network taken away (``no_network``): the
error must come first.  Everything listens and connects on the loopback interface only.
"""

from __future__ import annotations

import socket as std_socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import curio_kernel
import curio_net
import curio_net._listening
import curio_net.connection
import curio_net.socket
from curio_io import Socket
from curio_net import ssl as curio_ssl

Handler = Callable[[Socket, Any], Awaitable[None]]

OUT_OF_RANGE = [65536, 70000, -1, 2**70]
WRONG_TYPES = [True, False, 80.0, None, [80]]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every way curio-net opens a socket or looks a name up fail the test."""

    def refused(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the port was not checked before the network was used")

    monkeypatch.setattr(std_socket, "getaddrinfo", refused)
    monkeypatch.setattr(std_socket, "create_server", refused)
    monkeypatch.setattr(curio_net.socket, "socket", refused)
    monkeypatch.setattr(curio_net.socket, "_run_in_thread", refused)
    monkeypatch.setattr(curio_net.connection, "socket", refused)
    monkeypatch.setattr(curio_net._listening, "socket", refused)


def _run(coro: Awaitable[Any]) -> Any:
    async def main() -> Any:
        # Real time on purpose: a safety bound; a name is looked up in a thread, in real time.
        async with curio_kernel.timeout_after(5):
            return await coro

    return curio_kernel.run(main)


# ---------------------------------------------------------------------- refused


@pytest.mark.parametrize("port", OUT_OF_RANGE)
@pytest.mark.usefixtures("no_network")
def test_open_connection_refuses_a_port_out_of_range(port: int) -> None:
    with pytest.raises(ValueError, match=rf"port {port} is out of range: .* 0 to 65535"):
        _run(curio_net.open_connection("127.0.0.1", port))


@pytest.mark.parametrize("port", WRONG_TYPES, ids=repr)
@pytest.mark.usefixtures("no_network")
def test_open_connection_refuses_a_bool_or_a_port_that_is_no_int(port: Any) -> None:
    with pytest.raises(TypeError, match="port must be an int from 0 to 65535"):
        _run(curio_net.open_connection("127.0.0.1", port))


@pytest.mark.parametrize("port", ["70000", "+70000", " 65536 ", b"70000"], ids=repr)
@pytest.mark.usefixtures("no_network")
def test_a_port_written_in_digits_must_be_in_range_too(port: str | bytes) -> None:
    with pytest.raises(ValueError, match="out of range"):
        _run(curio_net.socket.getaddrinfo("127.0.0.1", port))
    with pytest.raises(ValueError, match="out of range"):
        _run(curio_net.open_connection("127.0.0.1", port))  # type: ignore[arg-type]


@pytest.mark.parametrize("port", [70000, True, 80.0, "http"], ids=repr)
@pytest.mark.usefixtures("no_network")
def test_create_server_refuses_a_port_it_cannot_bind(port: Any, echo: Handler) -> None:
    error = ValueError if port == 70000 else TypeError
    with pytest.raises(error, match="port"):
        curio_net.create_server("127.0.0.1", port, echo)
    with pytest.raises(error, match="port"):
        _run(curio_net.run_server("127.0.0.1", port, echo))


@pytest.mark.usefixtures("no_network")
def test_a_service_name_given_to_a_server_is_explained() -> None:
    with pytest.raises(TypeError, match=r"no service name is looked up here.*getservbyname"):
        curio_net.socket.create_server(("127.0.0.1", "http"))


@pytest.mark.parametrize("port", [70000, -1, True, 80.0], ids=repr)
@pytest.mark.usefixtures("no_network")
def test_the_socket_module_functions_refuse_a_bad_port(port: Any) -> None:
    error = TypeError if isinstance(port, bool | float) else ValueError
    with pytest.raises(error, match="port"):
        _run(curio_net.socket.getaddrinfo("127.0.0.1", port))
    with pytest.raises(error, match="port"):
        _run(curio_net.socket.create_connection(("127.0.0.1", port)))
    with pytest.raises(error, match="port"):
        _run(curio_net.socket.create_connection(("127.0.0.1", 80), source_address=("", port)))
    with pytest.raises(error, match="port"):
        curio_net.socket.create_server(("127.0.0.1", port))
    with pytest.raises(error, match="port"):
        _run(curio_net.socket.getnameinfo(("127.0.0.1", port), 0))


@pytest.mark.usefixtures("no_network")
def test_get_server_certificate_refuses_a_port_out_of_range() -> None:
    with pytest.raises(ValueError, match="port 70000 is out of range"):
        _run(curio_ssl.get_server_certificate(("127.0.0.1", 70000)))


# ---------------------------------------------------------------------- still accepted


def test_the_ends_of_the_range_and_a_service_name_still_resolve() -> None:
    async def main() -> list[Any]:
        found = []
        for port in (0, 65535, "65535", b"80", None):
            infos = await curio_net.socket.getaddrinfo("127.0.0.1", port, 0, std_socket.SOCK_STREAM)
            found.append(infos[0][4][1])
        return found

    assert curio_kernel.run(main) == [0, 65535, 65535, 80, 0]


def test_a_service_name_resolves_as_the_standard_library_resolves_it() -> None:
    try:
        expected = std_socket.getaddrinfo("127.0.0.1", "http", 0, std_socket.SOCK_STREAM)
    except std_socket.gaierror:
        pytest.skip("this machine has no service named http")
    found = _run(curio_net.socket.getaddrinfo("127.0.0.1", "http", 0, std_socket.SOCK_STREAM))
    assert found == expected


def test_open_connection_still_connects_to_a_port_in_range(echo: Handler) -> None:
    async def main() -> bytes:
        server = curio_net.create_server("127.0.0.1", 0, echo)
        await curio_kernel.spawn(server.serve_forever, daemon=True)
        sock = await curio_net.open_connection("127.0.0.1", server.address[1])
        await sock.sendall(b"in range")
        data = await sock.recv(100)
        await sock.close()
        await server.close()
        return data

    assert _run(main()) == b"in range"
