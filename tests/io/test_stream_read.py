"""Stream reads: read, read_exactly, readall, readline, readlines and async iteration."""

from __future__ import annotations

import io
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

import curio_kernel
from curio_io import Stream
from curio_io.stream import CHUNK_SIZE
from curio_kernel.testing import MockClock

T = TypeVar("T")


def _open(file: int | str | os.PathLike[str], mode: str, **kwargs: Any) -> Any:
    """Open a binary file that the test hands to a Stream, which closes it."""
    return open(file, mode, **kwargs)


def _stream(file: int | str | os.PathLike[str], mode: str, **kwargs: Any) -> Stream:
    return Stream(_open(file, mode, **kwargs))


def _with_pipe(feed: bytes, body: Callable[[Stream], Awaitable[T]]) -> T:
    """Run *body* on a Stream reading a pipe that a task fills with *feed*, then closes."""

    async def main() -> T:
        r, w = os.pipe()
        reader = _stream(r, "rb", buffering=0)
        writer = _stream(w, "wb", buffering=0)

        async def feeder() -> None:
            await writer.write(feed)
            await writer.close()

        task = await curio_kernel.spawn(feeder)
        try:
            return await body(reader)
        finally:
            await task.join()
            await reader.close()

    return curio_kernel.run(main)


def test_read_returns_what_is_available() -> None:
    async def body(s: Stream) -> tuple[bytes, bytes]:
        first = await s.read(3)
        rest = await s.read()
        return first, rest

    assert _with_pipe(b"abcdef", body) == (b"abc", b"def")


def test_read_at_end_of_file_returns_empty_bytes() -> None:
    async def body(s: Stream) -> list[bytes]:
        return [await s.read(), await s.read(), await s.read(5)]

    assert _with_pipe(b"x", body) == [b"x", b"", b""]


def test_read_zero_bytes_returns_empty_bytes() -> None:
    async def body(s: Stream) -> tuple[bytes, bytes]:
        return await s.read(0), await s.readall()

    assert _with_pipe(b"data", body) == (b"", b"data")


def test_negative_sizes_are_refused() -> None:
    async def body(s: Stream) -> bytes:
        with pytest.raises(ValueError, match="-1"):
            await s.read(-2)
        with pytest.raises(ValueError, match="0 or more"):
            await s.read_exactly(-1)
        return await s.readall()

    assert _with_pipe(b"ok", body) == b"ok"


def test_readall_reads_to_the_end() -> None:
    payload = os.urandom(3 * CHUNK_SIZE + 17)

    async def body(s: Stream) -> bytes:
        return await s.readall()

    assert _with_pipe(payload, body) == payload


def test_read_exactly_collects_the_requested_size() -> None:
    async def body(s: Stream) -> tuple[bytes, bytes]:
        return await s.read_exactly(5), await s.read_exactly(2)

    assert _with_pipe(b"hello!!", body) == (b"hello", b"!!")


def test_read_exactly_raises_eof_error_with_the_partial_data() -> None:
    async def body(s: Stream) -> bytes:
        with pytest.raises(EOFError) as info:
            await s.read_exactly(10)
        partial: bytes = info.value.bytes_read  # type: ignore[attr-defined]
        return partial

    assert _with_pipe(b"short", body) == b"short"


def test_readline_splits_lines_and_keeps_the_rest_buffered() -> None:
    async def body(s: Stream) -> list[bytes]:
        return [await s.readline(), await s.readline(), await s.read(), await s.readline()]

    assert _with_pipe(b"one\ntwo\nrest", body) == [b"one\n", b"two\n", b"rest", b""]


def test_readline_returns_a_last_line_without_newline() -> None:
    async def body(s: Stream) -> list[bytes]:
        return [await s.readline(), await s.readline(), await s.readline()]

    assert _with_pipe(b"a\nno newline", body) == [b"a\n", b"no newline", b""]


def test_readline_handles_a_line_longer_than_a_chunk() -> None:
    long_line = b"x" * (5 * CHUNK_SIZE + 3) + b"\n"

    async def body(s: Stream) -> list[bytes]:
        return [await s.readline(), await s.readline()]

    assert _with_pipe(long_line + b"short\n", body) == [long_line, b"short\n"]


def test_async_for_yields_each_line() -> None:
    lines = [b"line %d\n" % i for i in range(1000)]

    async def body(s: Stream) -> list[bytes]:
        return [line async for line in s]

    assert _with_pipe(b"".join(lines), body) == lines


def test_readlines_reads_every_line() -> None:
    async def body(s: Stream) -> list[bytes]:
        first = await s.read(2)
        return [first, *await s.readlines()]

    assert _with_pipe(b"abc\nd\n", body) == [b"ab", b"c\n", b"d\n"]


def test_a_cancelled_readline_keeps_the_partial_line(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bytes, bytes]:
        r, w = os.pipe()
        reader = _stream(r, "rb", buffering=0)
        os.write(w, b"par")
        with pytest.raises(curio_kernel.TaskTimeout):
            await curio_kernel.timeout_after(0.05, reader.readline())
        assert await curio_kernel.clock() == 0.05
        os.write(w, b"tial\nnext\n")
        line = await reader.readline()
        second = await reader.readline()
        os.close(w)
        await reader.close()
        return line, second

    assert curio_kernel.run(main, clock=virtual_clock) == (b"partial\n", b"next\n")


def test_a_buffered_reader_is_read_without_blocking() -> None:
    async def main() -> list[bytes]:
        r, w = os.pipe()
        reader = _stream(r, "rb")  # a BufferedReader

        async def feeder() -> None:
            await curio_kernel.sleep(0)
            os.write(w, b"first\nsecond\n")
            os.close(w)

        task = await curio_kernel.spawn(feeder)
        lines = [line async for line in reader]
        await task.join()
        await reader.close()
        return lines

    assert curio_kernel.run(main) == [b"first\n", b"second\n"]


def test_text_mode_files_are_refused() -> None:
    r, w = os.pipe()
    with open(r) as text, open(w, "wb") as binary:
        with pytest.raises(TypeError, match="binary"):
            Stream(text)
        Stream(binary)


def test_objects_without_a_descriptor_are_refused() -> None:
    with pytest.raises(TypeError, match="descriptor"):
        Stream(io.BytesIO(b"in memory"))


@pytest.mark.timeout(10)
@pytest.mark.parametrize("method", ["read_exactly", "readall", "readline"])
def test_a_read_interrupted_part_way_keeps_the_bytes_it_had_read(
    method: str, virtual_clock: MockClock
) -> None:
    async def main() -> bytes:
        rfd, wfd = os.pipe()
        stream = Stream(_open(rfd, "rb", buffering=0))
        try:
            os.write(wfd, b"abc")
            reading = (
                stream.read_exactly(10) if method == "read_exactly" else getattr(stream, method)()
            )
            async with curio_kernel.ignore_after(0.01) as block:
                await reading
            assert block.expired
            assert await curio_kernel.clock() == 0.01
            os.write(wfd, b"defghij\n")
            os.close(wfd)
            wfd = -1
            return await stream.read_exactly(11)
        finally:
            if wfd >= 0:
                os.close(wfd)
            await stream.close()

    assert curio_kernel.run(main, clock=virtual_clock) == b"abcdefghij\n"
