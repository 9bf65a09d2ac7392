"""curio 1.x's I/O classes (``curio.io``): FileStream, SocketStream and the Socket additions."""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

import pytest

import curio_kernel
from curio_io import FileStream, Socket, SocketStream, Stream
from curio_kernel.testing import MockClock
from curio_traps import AsyncOnlyError, TaskTimeout


def _pipe_streams() -> tuple[FileStream, FileStream]:
    r, w = os.pipe()
    return FileStream(open(r, "rb", buffering=0)), FileStream(open(w, "wb", buffering=0))


# ---------------------------------------------------------------------- FileStream


def test_file_stream_is_a_stream_and_makefile_gives_one() -> None:
    async def main() -> tuple[bool, bool, str]:
        a, b = socket.socketpair()
        async with Socket(a) as sock:
            reader = sock.makefile("rb")
            is_file_stream = isinstance(reader, FileStream)
            await reader.close()
        b.close()
        r, w = _pipe_streams()
        text = repr(r)
        await r.close()
        await w.close()
        return is_file_stream, isinstance(r, Stream), text

    is_file_stream, is_stream, text = curio_kernel.run(main)
    assert is_file_stream
    assert is_stream
    assert text.startswith("<curio_io.FileStream ")


def test_readinto_fills_the_buffer_across_chunks_and_stops_at_end_of_file() -> None:
    async def main() -> tuple[int, bytes, int, bytes, int]:
        r, w = _pipe_streams()

        async def feed() -> None:
            for part in (b"one\n", b"two", b"three"):
                await w.write(part)
                await curio_kernel.sleep(0)
            await w.close()

        feeder = await curio_kernel.spawn(feed)
        assert await r.readline() == b"one\n"
        buf = bytearray(6)
        first = await r.readinto(buf)  # waits for the second chunk
        copy = bytes(buf)
        view = memoryview(bytearray(10))
        rest = await r.readinto(view)  # end of file first
        at_end = await r.readinto(bytearray(4))
        await feeder.join()
        await r.close()
        return first, copy, rest, bytes(view[:rest]), at_end

    assert curio_kernel.run(main) == (6, b"twothr", 2, b"ee", 0)


def test_a_timed_out_readinto_reports_how_many_bytes_are_in_the_buffer(
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[int, bytes]:
        r, w = _pipe_streams()
        await w.write(b"abc")
        buf = bytearray(10)
        with pytest.raises(TaskTimeout) as info:
            await curio_kernel.timeout_after(0.05, r.readinto(buf))
        assert await curio_kernel.clock() == 0.05
        await r.close()
        await w.close()
        count: int = info.value.bytes_read  # type: ignore[attr-defined]
        return count, bytes(buf[:count])

    assert curio_kernel.run(main, clock=virtual_clock) == (3, b"abc")


def test_a_timed_out_readlines_reports_the_lines_read_and_keeps_the_partial_one(
    virtual_clock: MockClock,
) -> None:
    async def main() -> tuple[list[bytes], bytes]:
        r, w = _pipe_streams()
        await w.write(b"a\nb\npart")
        with pytest.raises(TaskTimeout) as info:
            await curio_kernel.timeout_after(0.05, r.readlines())
        assert await curio_kernel.clock() == 0.05
        lines: list[bytes] = info.value.lines_read  # type: ignore[attr-defined]
        await w.write(b"ial\n")
        await w.close()
        rest = await r.readline()
        await r.close()
        return lines, rest

    assert curio_kernel.run(main, clock=virtual_clock) == ([b"a\n", b"b\n"], b"partial\n")


def test_a_timed_out_writelines_reports_the_bytes_of_all_lines_written(
    virtual_clock: MockClock,
) -> None:
    lines = [b"x" * 40000, b"y" * 40000, b"z" * 40000]  # more than a pipe holds

    async def main() -> tuple[int, bytes]:
        r, w = _pipe_streams()
        with pytest.raises(TaskTimeout) as info:
            await curio_kernel.timeout_after(0.05, w.writelines(lines))
        assert await curio_kernel.clock() == 0.05
        written: int = info.value.bytes_written  # type: ignore[attr-defined]
        await w.close()
        got = await r.readall()
        await r.close()
        return written, got

    written, got = curio_kernel.run(main, clock=virtual_clock)
    assert 40000 < written < 120000
    assert got == b"".join(lines)[:written]


def test_streams_refuse_synchronous_with_and_for() -> None:
    async def main() -> list[str]:
        r, w = _pipe_streams()
        sync: Any = r  # a type checker refuses these uses itself
        messages = []
        with pytest.raises(AsyncOnlyError, match="async with") as info, sync:
            pass
        messages.append(str(info.value))
        with pytest.raises(AsyncOnlyError, match="async for") as info:
            for _ in sync:
                pass
        messages.append(str(info.value))
        await r.close()
        await w.close()
        return messages

    assert all("FileStream" in m for m in curio_kernel.run(main))


# ---------------------------------------------------------------------- SocketStream


def test_socket_stream_readinto_and_writelines() -> None:
    async def main() -> tuple[int, bytes]:
        a, b = socket.socketpair()
        stream, peer = Socket(a).as_stream(), Socket(b).as_stream()
        await peer.writelines([b"hello ", b"world"])
        await peer.close()
        buf = bytearray(20)
        count = await stream.readinto(buf)
        await stream.close()
        return count, bytes(buf[:count])

    assert curio_kernel.run(main) == (11, b"hello world")


def test_socket_stream_blocking_lends_a_blocking_file_over_the_socket() -> None:
    async def main() -> tuple[bool, bytes, bool, bool]:
        a, b = socket.socketpair()
        stream = SocketStream(a)
        peer = Socket(b)
        with stream.blocking() as file:
            in_blocking_mode = a.getblocking()
            file.write(b"sync data")
        got = await peer.recv(100)
        await peer.sendall(b"more")
        assert await stream.read(4) == b"more"
        file_closed = file.closed
        await stream.close()
        await peer.close()
        return in_blocking_mode, got, file_closed, a.fileno() < 0

    assert curio_kernel.run(main) == (True, b"sync data", True, True)


def test_socket_stream_blocking_is_refused_while_input_is_buffered() -> None:
    async def main() -> bytes:
        a, b = socket.socketpair()
        stream = SocketStream(a)
        b.sendall(b"one\ntwo\n")
        await stream.readline()
        with pytest.raises(RuntimeError, match="buffered"), stream.blocking():
            pass
        rest = await stream.readline()
        await stream.close()
        b.close()
        return rest

    assert curio_kernel.run(main) == b"two\n"


# ---------------------------------------------------------------------- Socket


def test_readable_and_writeable_wait_for_the_socket() -> None:
    async def main() -> tuple[bool, bytes]:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        await sock.writeable()  # an idle socket can take output at once
        woken = False

        async def reader() -> None:
            nonlocal woken
            await sock.readable()
            woken = True

        task = await curio_kernel.spawn(reader)
        await curio_kernel.sleep(0)
        assert not woken
        await peer.sendall(b"x")
        await task.join()
        data = await sock.recv(1)
        await sock.close()
        await peer.close()
        return woken, data

    assert curio_kernel.run(main) == (True, b"x")


def test_a_timed_out_readable_leaves_the_socket_usable(virtual_clock: MockClock) -> None:
    async def main() -> bytes:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        with pytest.raises(TaskTimeout):
            await curio_kernel.timeout_after(0.01, sock.readable())
        assert await curio_kernel.clock() == 0.01
        await peer.sendall(b"late")
        await sock.readable()
        data = await sock.recv(10)
        await sock.close()
        await peer.close()
        return data

    assert curio_kernel.run(main, clock=virtual_clock) == b"late"


def test_shutdown_works_called_or_awaited() -> None:
    async def main() -> tuple[bytes, bytes]:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        await sock.shutdown(socket.SHUT_WR)  # curio 1.x's spelling
        first = await peer.recv(10)
        peer.shutdown(socket.SHUT_WR)  # the standard library's
        second = await sock.recv(10)
        await sock.close()
        await peer.close()
        return first, second

    assert curio_kernel.run(main) == (b"", b"")


def test_dup_gives_a_socket_over_a_new_descriptor() -> None:
    async def main() -> tuple[bool, bytes]:
        a, b = socket.socketpair()
        sock, peer = Socket(a), Socket(b)
        copy = sock.dup()
        other_descriptor = copy.fileno() != sock.fileno()
        await sock.close()
        await peer.sendall(b"to the copy")
        data = await copy.recv(100)
        await copy.close()
        await peer.close()
        with pytest.raises(OSError, match="closed"):
            sock.dup()
        return other_descriptor, data

    assert curio_kernel.run(main) == (True, b"to the copy")


def test_sockets_refuse_synchronous_with() -> None:
    async def main() -> None:
        a, b = socket.socketpair()
        sock: Any = Socket(a)  # a type checker refuses 'with' itself
        with pytest.raises(AsyncOnlyError, match="async with"), sock:
            pass
        await sock.close()
        b.close()

    curio_kernel.run(main)


def test_connect_ex_reports_a_refused_connection_as_an_errno() -> None:
    async def main() -> int:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        address = probe.getsockname()
        probe.close()  # nothing listens there now
        async with Socket(socket.socket()) as sock:
            return await sock.connect_ex(address)

    assert curio_kernel.run(main) == errno.ECONNREFUSED


def test_recvfrom_into_and_sendto_with_flags() -> None:
    async def main() -> tuple[int, bytes, bool]:
        a = Socket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        b = Socket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        await b.sendto(b"datagram", 0, a.getsockname())
        buf = bytearray(100)
        count, sender = await a.recvfrom_into(buf)
        same = sender == b.getsockname()
        await a.close()
        await b.close()
        return count, bytes(buf[:count]), same

    assert curio_kernel.run(main) == (8, b"datagram", True)
