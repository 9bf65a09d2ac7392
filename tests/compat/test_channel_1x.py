"""curio 1.6's message channels: Channel and Connection as its reference manual describes them.

The manual's producer/consumer example runs with two tasks (port 0 instead of 30000); a
channel binds, accepts, connects (and waits for a listener that is not there yet), closes,
and is an async context manager; a connection sends objects and bytes (with offset and
size), receives with a maximum length, authenticates both ways and closes.  Every
argument that cannot work is refused with an error that names it.
"""

from __future__ import annotations

import os
import pickle
import socket as std_socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import curio_kernel
import curio_net
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_net.channel import (
    AuthenticationError,
    Channel,
    ChannelClosedError,
    Connection,
    MessageError,
)

Until = Callable[[Callable[[], bool]], Awaitable[None]]

pytestmark = pytest.mark.usefixtures("no_fd_leak")


def _pair() -> tuple[Connection, Connection]:
    """Two connections joined by a socket pair."""
    a, b = std_socket.socketpair()
    left, right = Socket(a).as_stream(), Socket(b).as_stream()
    return Connection(left, left), Connection(right, right)


def test_the_manuals_producer_and_consumer_run_over_a_channel(virtual_clock: MockClock) -> None:
    got: list[Any] = []

    async def producer(ch: Channel) -> None:
        c = await ch.accept(authkey=b"peekaboo")
        for i in range(10):
            await c.send(i)
        await c.send(None)  # Sentinel
        await c.close()

    async def consumer(ch: Channel) -> None:
        c = await ch.connect(authkey=b"peekaboo")
        while True:
            msg = await c.recv()
            if msg is None:
                break
            got.append(msg)
        await c.close()

    async def main() -> None:
        listening = Channel(("localhost", 0))
        listening.bind()
        connecting = Channel(listening.address)
        async with curio_kernel.timeout_after(10):
            serving = await curio_kernel.spawn(producer, listening)
            await consumer(connecting)
            await serving.join()
        await listening.close()

    curio_kernel.run(main, clock=virtual_clock)
    assert got == list(range(10))


def test_channel_is_top_level_in_curio_net_and_the_same_class() -> None:
    assert curio_net.Channel is Channel


def test_bind_lets_the_system_choose_the_port_and_address_tells_which() -> None:
    async def main() -> tuple[Any, str]:
        ch = Channel(("127.0.0.1", 0))
        ch.bind()
        bound = ch.address
        with pytest.raises(RuntimeError, match="bound already"):
            ch.bind()
        await ch.close()
        await ch.close()  # again is harmless
        return bound, repr(ch)

    (host, port), text = curio_kernel.run(main)
    assert host == "127.0.0.1"
    assert port > 0
    assert text == f"Channel(('127.0.0.1', {port}), {std_socket.AF_INET!r})"


def test_accept_binds_by_itself_when_bind_was_not_called(until: Until) -> None:
    async def main() -> Any:
        server = Channel(("127.0.0.1", 0))
        accepting = await curio_kernel.spawn(server.accept())
        await until(lambda: server.address[1] != 0)  # accept() binds before it first waits
        async with await Channel(server.address).connect() as c, await accepting.join() as s:
            await c.send("no key needed")
            received = await s.recv()
        await server.close()
        return received

    assert curio_kernel.run(main) == "no key needed"


def test_connect_keeps_trying_until_the_channel_listens(
    short_tmp: Path, virtual_clock: MockClock
) -> None:
    path = str(short_tmp / "later")

    async def main() -> Any:
        connecting = await curio_kernel.spawn(Channel(path, std_socket.AF_UNIX).connect())
        for _ in range(3):
            await curio_kernel.sleep(0.02)  # a time test: connect() retries meanwhile
        assert not connecting.terminated
        assert await curio_kernel.clock() == pytest.approx(0.06, abs=1e-12)
        async with (
            Channel(path, std_socket.AF_UNIX) as server,
            await server.accept() as s,
            await connecting.join() as c,
        ):
            await s.send_bytes(b"finally")
            return await c.recv_bytes()

    assert curio_kernel.run(main, clock=virtual_clock) == b"finally"
    assert not os.path.exists(path)  # the channel removed the socket file it made


def test_a_cancelled_connect_or_accept_leaves_nothing_open(virtual_clock: MockClock) -> None:
    async def main() -> None:
        with pytest.raises(curio_kernel.TaskTimeout):
            async with curio_kernel.timeout_after(0.05):
                await Channel(("127.0.0.1", _closed_port())).connect()
        assert await curio_kernel.clock() == 0.05
        server = Channel(("127.0.0.1", 0))
        with pytest.raises(curio_kernel.TaskTimeout):
            async with curio_kernel.timeout_after(0.05):
                await server.accept(authkey=b"k")
        assert await curio_kernel.clock() == 0.1
        await server.close()

    curio_kernel.run(main, clock=virtual_clock)


def _closed_port() -> int:
    """A loopback port nobody listens on (just released by the system)."""
    with std_socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_channel_pickles_as_its_address_without_its_socket() -> None:
    async def main() -> tuple[Any, Any]:
        async with Channel(("127.0.0.1", 0), max_message_size=1000) as ch:
            ch.bind()
            copy = pickle.loads(pickle.dumps(ch))
            async with await copy.connect() as c, await ch.accept() as s:
                await s.send_bytes(b"x" * 1001)
                with pytest.raises(MessageError, match="over the limit of 1000"):
                    await c.recv_bytes()  # the copy keeps the limit
            return copy.address, ch.address

    copied, original = curio_kernel.run(main)
    assert copied == original


def test_send_bytes_takes_an_offset_and_a_size_in_bytes_of_any_buffer() -> None:
    import array

    async def main() -> list[bytes]:
        a, b = _pair()
        async with a, b:
            await a.send_bytes(b"hello world", 6)
            await a.send_bytes(memoryview(b"hello world"), 0, 5)
            await a.send_bytes(array.array("i", [1, 2]), 4, 4)
            await a.send_bytes(b"")
            return [await b.recv_bytes() for _ in range(4)]

    assert curio_kernel.run(main) == [b"world", b"hello", (2).to_bytes(4, "little"), b""]


def test_send_bytes_refuses_what_is_no_buffer_and_offsets_outside_it() -> None:
    async def main() -> None:
        a, b = _pair()
        async with a, b:
            with pytest.raises(TypeError, match="needs a bytes-like object, got str"):
                await a.send_bytes("text")
            with pytest.raises(ValueError, match="offset must be a number of bytes"):
                await a.send_bytes(b"abc", -1)
            with pytest.raises(ValueError, match="offset 4 is past the end of the buffer"):
                await a.send_bytes(b"abc", 4)
            with pytest.raises(ValueError, match=r"offset 1 \+ size 3 is past the end"):
                await a.send_bytes(b"abc", 1, 3)
            with pytest.raises(ValueError, match="size must be a number of bytes"):
                await a.send_bytes(b"abc", 0, -2)
            await a.send_bytes(b"still fine")
            assert await b.recv_bytes() == b"still fine"

    curio_kernel.run(main)


def test_recv_bytes_with_maxlength_refuses_a_longer_message_and_closes() -> None:
    async def main() -> None:
        a, b = _pair()
        async with a, b:
            await a.send_bytes(b"12345")
            assert await b.recv_bytes(maxlength=5) == b"12345"
            await a.send_bytes(b"123456")
            with pytest.raises(MessageError, match="6 bytes, over the limit of 5"):
                await b.recv_bytes(maxlength=5)
            assert b.closed
            with pytest.raises(ChannelClosedError, match="over the limit"):
                await b.recv_bytes()
            with pytest.raises(ValueError, match="maxlength must be"):
                await a.recv_bytes(maxlength=-1)

    curio_kernel.run(main)


def test_connections_authenticate_each_other_and_refuse_another_key() -> None:
    async def main() -> tuple[str, str]:
        a, b = _pair()
        async with a, b:
            serving = await curio_kernel.spawn(a.authenticate_server(b"key"))
            await b.authenticate_client(b"key")
            await serving.join()
            await a.send("authenticated")
            received = await b.recv()
        c, d = _pair()
        async with c, d:
            serving = await curio_kernel.spawn(c.authenticate_server(b"key"))
            with pytest.raises(AuthenticationError, match="rejected our answer") as client_side:
                await d.authenticate_client(b"not the key")
            with pytest.raises(curio_kernel.TaskError) as server_side:
                await serving.join()
        assert isinstance(server_side.value.__cause__, AuthenticationError)
        return received, str(client_side.value)

    received, _ = curio_kernel.run(main)
    assert received == "authenticated"


def test_an_authkey_that_is_not_bytes_is_refused() -> None:
    async def main() -> None:
        a, b = _pair()
        async with a, b:
            with pytest.raises(TypeError, match="authkey must be bytes, got str"):
                await a.authenticate_server("key")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="authkey must be bytes, got int"):
            await Channel(("127.0.0.1", 0)).accept(authkey=1)  # type: ignore[arg-type]

    curio_kernel.run(main)


def test_a_channel_refuses_a_family_or_address_it_cannot_use() -> None:
    with pytest.raises(ValueError, match="AF_INET, AF_INET6 or AF_UNIX"):
        Channel(("127.0.0.1", 0), std_socket.AF_PACKET)
    with pytest.raises(TypeError, match=r"\(host, port\) pair"):
        Channel("127.0.0.1:80")
    with pytest.raises(TypeError, match="address is a path"):
        Channel(("127.0.0.1", 0), std_socket.AF_UNIX)
    with pytest.raises(ValueError, match="max_message_size must be"):
        Channel(("127.0.0.1", 0), max_message_size=-5)
    with pytest.raises(ValueError, match="auth_timeout must be"):
        Channel(("127.0.0.1", 0), auth_timeout=0)
    with pytest.raises(TypeError, match=r"reader must be a curio_io\.Stream"):
        Connection(object(), object())  # type: ignore[arg-type]


def test_a_closed_connection_says_so_and_closing_again_is_harmless() -> None:
    async def main() -> str:
        a, b = _pair()
        await a.close()
        await a.close()
        with pytest.raises(ChannelClosedError, match="the connection is closed") as error:
            await a.send("late")
        with pytest.raises(EOFError, match="the peer closed the connection"):
            await b.recv()
        await b.close()
        assert isinstance(error.value, OSError)
        return repr(a)

    assert "closed" in curio_kernel.run(main)
