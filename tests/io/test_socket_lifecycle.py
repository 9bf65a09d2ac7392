"""Socket: construction, closing, modes, delegation and clear errors for bad use."""

from __future__ import annotations

import errno
import io
import socket

import pytest

import curio_kernel
from curio_io import Socket, SocketStream, Stream


def test_wrapping_a_closed_socket_is_refused() -> None:
    raw = socket.socket()
    raw.close()
    with pytest.raises(OSError, match="closed") as info:
        Socket(raw)
    assert info.value.errno == errno.EBADF


def test_wrapping_twice_or_wrapping_a_non_socket_is_refused() -> None:
    raw = socket.socket()
    sock = Socket(raw)
    with pytest.raises(TypeError, match="already"):
        Socket(sock)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"socket\.socket"):
        Socket(io.BytesIO())  # type: ignore[arg-type]
    raw.close()


def test_other_attributes_come_from_the_wrapped_socket() -> None:
    raw = socket.socket()
    raw.bind(("127.0.0.1", 0))
    sock = Socket(raw)
    assert sock.getsockname() == raw.getsockname()
    assert sock.family == socket.AF_INET
    assert sock.fileno() == raw.fileno()
    assert sock.raw_socket is raw
    assert "Socket" in repr(sock)
    with pytest.raises(AttributeError):
        sock.no_such_attribute  # noqa: B018
    raw.close()


def test_close_closes_the_socket_and_can_be_repeated() -> None:
    async def main() -> int:
        a, b = socket.socketpair()
        sock = Socket(a)
        await sock.close()
        await sock.close()
        b.close()
        return a.fileno()

    assert curio_kernel.run(main) == -1


def test_operations_on_a_closed_socket_raise_a_clear_error() -> None:
    async def main() -> list[str]:
        a, b = socket.socketpair()
        sock = Socket(a)
        await sock.close()
        messages = []
        for op in (sock.recv(1), sock.send(b"x"), sock.sendall(b"x"), sock.recv_into(bytearray(1))):
            with pytest.raises(OSError) as info:
                await op
            assert info.value.errno == errno.EBADF
            messages.append(str(info.value))
        with pytest.raises(OSError, match="closed"):
            sock.makefile("rb")
        with pytest.raises(OSError, match="closed"):
            sock.as_stream()
        b.close()
        return messages

    messages = curio_kernel.run(main)
    assert len(messages) == 4
    assert all("closed socket" in m for m in messages)


def test_async_with_closes_the_socket() -> None:
    async def main() -> int:
        a, b = socket.socketpair()
        async with Socket(a) as sock:
            assert isinstance(sock, Socket)
        b.close()
        return a.fileno()

    assert curio_kernel.run(main) == -1


def test_closing_wakes_a_task_waiting_on_the_socket_with_an_error() -> None:
    async def main() -> BaseException | None:
        a, b = socket.socketpair()
        sock = Socket(a)
        task = await curio_kernel.spawn(sock.recv, 10)
        await sock.close()
        b.close()
        with pytest.raises(curio_kernel.TaskError) as info:
            await task.join()
        return info.value.__cause__

    cause = curio_kernel.run(main)
    assert isinstance(cause, OSError)
    assert cause.errno == errno.EBADF


def test_blocking_lends_the_raw_socket_in_blocking_mode() -> None:
    async def main() -> tuple[bool, bool, bytes]:
        a, b = socket.socketpair()
        sock = Socket(a)
        with sock.blocking() as raw:
            inside = raw.getblocking()
            b.sendall(b"sync")
            data = raw.recv(10)
        after = a.getblocking()
        await sock.close()
        b.close()
        return inside, after, data

    assert curio_kernel.run(main) == (True, False, b"sync")


def test_timeouts_and_blocking_mode_are_refused() -> None:
    raw = socket.socket()
    sock = Socket(raw)
    with pytest.raises(ValueError, match="timeout_after"):
        sock.settimeout(1.0)
    with pytest.raises(ValueError, match="blocking"):
        sock.setblocking(True)
    sock.settimeout(0)
    sock.setblocking(False)
    assert raw.gettimeout() == 0.0
    raw.close()


def test_makefile_accepts_only_binary_modes() -> None:
    raw = socket.socket()
    sock = Socket(raw)
    for mode in ("r", "w", "rw", "rt", "rbb", "x"):
        with pytest.raises(ValueError, match="binary mode"):
            sock.makefile(mode)
    with pytest.raises(ValueError, match="read or write"):
        sock.makefile("b")
    raw.close()


def test_a_read_write_makefile_stream_reads_writes_and_lends_a_raw_file() -> None:
    async def main() -> tuple[bytes, bytes, bool, bytes]:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        stream = sock.makefile("rwb")
        await stream.write(b"ping")
        got = await peer.recv(10)
        await peer.sendall(b"pong")
        answer = await stream.read(10)
        with stream.blocking() as file:
            is_raw = isinstance(file, io.RawIOBase)
            await peer.sendall(b"sync")
            sync = file.read(10)
        await stream.close()
        await sock.close()
        await peer.close()
        return got, answer, is_raw, sync

    assert curio_kernel.run(main) == (b"ping", b"pong", True, b"sync")


def test_make_streams_read_and_write_through_the_socket() -> None:
    async def main() -> tuple[bytes, bytes]:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        reader, writer = sock.make_streams()
        assert isinstance(reader, Stream)
        assert isinstance(writer, Stream)
        await writer.write(b"to peer\n")
        got = await peer.recv(100)
        await peer.sendall(b"line one\nline two\n")
        line = await reader.readline()
        await reader.close()
        await writer.close()
        await sock.close()
        await peer.close()
        return got, line

    assert curio_kernel.run(main) == (b"to peer\n", b"line one\n")


def test_buffered_makefile_flushes_on_close() -> None:
    async def main() -> bytes:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        writer = sock.makefile("wb", buffering=8192)
        await writer.write(b"buffered")
        await writer.close()
        await sock.close()
        data = await peer.recv(100)
        await peer.close()
        return data

    assert curio_kernel.run(main) == b"buffered"


def test_as_stream_gives_a_socket_stream() -> None:
    async def main() -> tuple[bool, bytes, bool]:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        stream = sock.as_stream()
        await peer.sendall(b"x\ny")
        line = await stream.readline()
        await stream.close()
        closed = a.fileno() == -1
        await peer.close()
        return isinstance(stream, SocketStream), line, closed

    assert curio_kernel.run(main) == (True, b"x\n", True)


def test_do_handshake_needs_an_ssl_socket() -> None:
    async def main() -> None:
        a, b = socket.socketpair()
        sock = Socket(a)
        try:
            with pytest.raises(TypeError, match="SSL"):
                await sock.do_handshake()
        finally:
            await sock.close()
            b.close()

    curio_kernel.run(main)


def test_negative_receive_size_is_refused() -> None:
    async def main() -> None:
        a, b = socket.socketpair()
        sock = Socket(a)
        try:
            with pytest.raises(ValueError, match="negative"):
                await sock.recv(-1)
        finally:
            await sock.close()
            b.close()

    curio_kernel.run(main)


def test_awaiting_outside_a_curio_kernel_says_so() -> None:
    import asyncio

    a, b = socket.socketpair()
    sock = Socket(a)

    async def under_asyncio() -> bytes:
        return await sock.recv(10)

    try:
        with pytest.raises(RuntimeError, match="outside a running curio kernel"):
            asyncio.run(under_asyncio())
    finally:
        a.close()
        b.close()


def test_receive_after_an_empty_try_waits_first_but_still_gets_data() -> None:
    """After an empty try the next receive waits first; data already there still arrives."""

    async def main() -> list[bytes]:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        got = []
        reader = await curio_kernel.spawn(sock.recv, 100)  # finds nothing, waits
        await peer.sendall(b"first")
        got.append(await reader.join())
        await peer.sendall(b"second")  # already there when the next receive starts
        got.append(await sock.recv(100))
        buf = bytearray(6)
        await peer.sendall(b"third!")
        got.append(bytes(buf[: await sock.recv_into(buf)]))
        await sock.close()
        await peer.close()
        return got

    assert curio_kernel.run(main) == [b"first", b"second", b"third!"]
