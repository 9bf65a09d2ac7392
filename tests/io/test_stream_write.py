"""Stream writes, flush, close, blocking(), tell/seek and the other pass-through methods."""

from __future__ import annotations

import os
import pathlib
import socket
from typing import Any

import pytest

import curio_kernel
from curio_io import Socket, SocketStream, Stream
from curio_kernel.testing import MockClock


def _open(file: int | str | os.PathLike[str], mode: str, **kwargs: Any) -> Any:
    """Open a binary file that the test hands to a Stream, which closes it."""
    return open(file, mode, **kwargs)


def _stream(file: int | str | os.PathLike[str], mode: str, **kwargs: Any) -> Stream:
    return Stream(_open(file, mode, **kwargs))


async def _drain(fd: int, nbytes: int) -> bytes:
    """Read *nbytes* from the pipe *fd* in a curio-friendly way."""
    reader = _stream(fd, "rb", buffering=0, closefd=False)
    parts = []
    while nbytes > 0:
        chunk = await reader.read(nbytes)
        assert chunk, "pipe closed early"
        parts.append(chunk)
        nbytes -= len(chunk)
    return b"".join(parts)


def test_write_sends_everything_to_a_slow_pipe() -> None:
    payload = os.urandom(1 << 20)

    async def main() -> tuple[int, bytes]:
        r, w = os.pipe()
        writer = _stream(w, "wb", buffering=0)
        task = await curio_kernel.spawn(_drain, r, len(payload))
        n = await writer.write(payload)
        received = await task.join()
        await writer.close()
        os.close(r)
        return n, received

    assert curio_kernel.run(main) == (len(payload), payload)


def test_write_through_a_buffered_writer_needs_flush() -> None:
    payload = os.urandom(300_000)

    async def main() -> bytes:
        r, w = os.pipe()
        writer = _stream(w, "wb")  # a BufferedWriter
        task = await curio_kernel.spawn(_drain, r, len(payload) + 3)
        await writer.write(payload)
        await writer.writelines([b"a", bytearray(b"b"), memoryview(b"c")])
        await writer.flush()
        received = await task.join()
        await writer.close()
        os.close(r)
        return received

    assert curio_kernel.run(main) == payload + b"abc"


def test_close_flushes_and_closes_the_file() -> None:
    async def main() -> tuple[bytes, bool]:
        r, w = os.pipe()
        file = _open(w, "wb")
        writer = Stream(file)
        await writer.write(b"kept in the buffer")
        await writer.close()
        await writer.close()
        with open(r, "rb") as reader:
            return reader.read(), file.closed

    assert curio_kernel.run(main) == (b"kept in the buffer", True)


def test_cancelled_write_reports_how_much_was_written(virtual_clock: MockClock) -> None:
    async def main() -> int:
        r, w = os.pipe()
        writer = _stream(w, "wb", buffering=0)
        try:
            await curio_kernel.timeout_after(0.1, writer.write(b"q" * (4 << 20)))
        except curio_kernel.TaskTimeout as exc:
            written: int = exc.bytes_written  # type: ignore[attr-defined]
            assert await curio_kernel.clock() == 0.1
        else:
            raise AssertionError("write() to a full pipe finished")
        await writer.close()
        os.close(r)
        return written

    assert 0 < curio_kernel.run(main, clock=virtual_clock) < 4 << 20


def test_async_with_closes_the_stream() -> None:
    async def main() -> bool:
        r, w = os.pipe()
        file = _open(w, "wb", buffering=0)
        async with Stream(file) as stream:
            await stream.write(b"x")
        os.close(r)
        closed: bool = file.closed
        return closed

    assert curio_kernel.run(main) is True


def test_tell_and_seek_account_for_buffered_input(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"first\nsecond\nthird\n")

    async def main() -> list[object]:
        stream = _stream(path, "rb", buffering=0)
        line = await stream.readline()
        position = stream.tell()
        stream.seek(-3, os.SEEK_CUR)
        again = await stream.readline()
        stream.seek(0)
        whole = await stream.readall()
        name = stream.name
        await stream.close()
        return [line, position, again, whole, name]

    assert curio_kernel.run(main) == [
        b"first\n",
        6,
        b"st\n",
        b"first\nsecond\nthird\n",
        str(path),
    ]


def test_blocking_lends_the_file_in_blocking_mode() -> None:
    async def main() -> tuple[bool, bool]:
        r, w = os.pipe()
        stream = _stream(w, "wb", buffering=0)
        with stream.blocking() as file:
            inside = os.get_blocking(file.fileno())
            file.write(b"sync")
        after = os.get_blocking(w)
        await stream.close()
        os.close(r)
        return inside, after

    assert curio_kernel.run(main) == (True, False)


def test_blocking_is_refused_while_input_is_buffered() -> None:
    async def main() -> None:
        r, w = os.pipe()
        os.write(w, b"one\ntwo\n")
        stream = _stream(r, "rb", buffering=0)
        await stream.readline()
        with pytest.raises(RuntimeError, match="buffered"), stream.blocking():
            pass
        assert await stream.readline() == b"two\n"
        await stream.close()
        os.close(w)

    curio_kernel.run(main)


def test_socket_stream_reads_and_writes_a_socket() -> None:
    async def main() -> tuple[bytes, bytes, list[bytes]]:
        a, b = socket.socketpair()
        stream = SocketStream(a)
        peer = Socket(b)
        await stream.write(b"request\n")
        got = await peer.recv(100)
        await peer.sendall(b"reply\nmore\n")
        await peer.close()
        line = await stream.readline()
        rest = [line async for line in stream]
        with pytest.raises(OSError, match="position"):
            stream.tell()
        with pytest.raises(OSError, match="seek"):
            stream.seek(0)
        await stream.close()
        return got, line, rest

    assert curio_kernel.run(main) == (b"request\n", b"reply\n", [b"more\n"])


def test_socket_stream_refuses_closed_sockets_and_non_sockets() -> None:
    raw = socket.socket()
    raw.close()
    with pytest.raises(OSError, match="closed"):
        SocketStream(raw)
    with pytest.raises(TypeError, match="socket"):
        SocketStream(object())  # type: ignore[arg-type]
