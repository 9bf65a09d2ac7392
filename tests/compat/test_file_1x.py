"""curio 1.x's ``curio.file``: aopen, AsyncFile and anext (curio_io.file)."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, assert_type

import pytest

import curio_kernel
from curio_io.file import AsyncFile, anext, aopen
from curio_traps import AsyncOnlyError, SyncIOError, TaskTimeout

LINES = ["line 1\n", "line 2\n", "line 3\n"]
TEXT = "".join(LINES)


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.txt"
    path.write_text(TEXT)
    return path


def test_read_returns_the_whole_text_file(data_file: Path) -> None:
    async def main() -> str:
        async with aopen(data_file, "r") as f:
            return await f.read()

    assert curio_kernel.run(main) == TEXT


def test_binary_reads_read1_readinto_and_readinto1(data_file: Path) -> None:
    async def main() -> list[bytes]:
        got = []
        async with aopen(data_file, "rb") as f:
            got.append(await f.read1(4))
            buf = bytearray(3)
            got.append(bytes(buf[: await f.readinto(buf)]))
            got.append(bytes(buf[: await f.readinto1(buf)]))
            got.append(await f.read())
        return got

    assert curio_kernel.run(main) == [b"line", b" 1\n", b"lin", b"e 2\nline 3\n"]


def test_readline_readlines_and_async_iteration_give_the_lines(data_file: Path) -> None:
    async def main() -> tuple[str, list[str], list[str]]:
        async with aopen(data_file) as f:
            first = await f.readline()
            rest = await f.readlines()
        async with aopen(data_file) as f:
            iterated = [line async for line in f]
        return first, rest, iterated

    assert curio_kernel.run(main) == (LINES[0], LINES[1:], LINES)


def test_readline_and_readlines_take_a_size(data_file: Path) -> None:
    async def main() -> tuple[str, list[str]]:
        async with aopen(data_file) as f:
            part = await f.readline(4)
            await f.seek(0)
            return part, await f.readlines(3)

    assert curio_kernel.run(main) == ("line", LINES[:1])


def test_readall_reads_text_and_binary_files_to_the_end(tmp_path: Path) -> None:
    big = bytes(range(256)) * 1000  # several chunks
    path = tmp_path / "big"
    path.write_bytes(big)
    empty = tmp_path / "empty"
    empty.write_bytes(b"")

    async def main() -> tuple[bytes, str, bytes]:
        async with aopen(path, "rb") as f:
            data = await f.readall()
        async with aopen(path, "r", encoding="latin-1", newline="") as t:
            text = await t.readall()
        async with aopen(empty, "rb") as e:
            nothing = await e.readall()
        return data, text, nothing

    data, text, nothing = curio_kernel.run(main)
    assert data == big
    assert text == big.decode("latin-1")
    assert nothing == b""


def test_write_writelines_flush_and_close_reach_the_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"

    async def main() -> tuple[int, bool]:
        async with aopen(path, "w") as f:
            count = await f.write("first\n")
            await f.writelines(["a\n", "b\n"])
            await f.flush()
            assert path.read_text() == "first\na\nb\n"
        return count, f.closed

    assert curio_kernel.run(main) == (6, True)
    assert path.read_text() == "first\na\nb\n"


def test_seek_tell_and_truncate(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"0123456789")

    async def main() -> tuple[int, int, bytes, int]:
        async with aopen(path, "r+b") as f:
            moved = await f.seek(4)
            where = await f.tell()
            rest = await f.read()
            size = await f.truncate(6)
        return moved, where, rest, size

    assert curio_kernel.run(main) == (4, 4, b"456789", 6)
    assert path.read_bytes() == b"012345"


def test_other_attributes_are_the_files_own(data_file: Path) -> None:
    async def main() -> tuple[str, str, bool, bool]:
        async with aopen(data_file, "rb") as f:
            return f.name, f.mode, f.readable(), f.closed

    assert curio_kernel.run(main) == (str(data_file), "rb", True, False)


def test_an_already_open_file_can_be_wrapped(data_file: Path) -> None:
    async def main() -> bytes:
        async with AsyncFile(open(data_file, "rb")) as f:
            return await f.read(4)

    assert curio_kernel.run(main) == b"line"


def test_using_the_file_before_async_with_is_refused(data_file: Path) -> None:
    async def main() -> None:
        f = aopen(data_file)
        with pytest.raises(RuntimeError, match="async with"):
            await f.read()

    curio_kernel.run(main)


def test_a_missing_file_fails_in_async_with(tmp_path: Path) -> None:
    async def main() -> None:
        with pytest.raises(FileNotFoundError):
            async with aopen(tmp_path / "missing"):
                pass

    curio_kernel.run(main)


def test_synchronous_with_is_refused_with_async_only_error(data_file: Path) -> None:
    async def main() -> None:
        f: Any = aopen(data_file)  # a type checker refuses 'with' on an AsyncFile
        with pytest.raises(AsyncOnlyError, match="async with"), f:
            pass

    curio_kernel.run(main)


def test_synchronous_iteration_is_refused_with_sync_io_error(data_file: Path) -> None:
    async def main() -> None:
        async with aopen(data_file) as f:
            sync: Any = f  # a type checker refuses 'for' on an AsyncFile
            with pytest.raises(SyncIOError, match="async for"):
                for _ in sync:
                    pass
            with pytest.raises(SyncIOError):
                next(sync)

    curio_kernel.run(main)


def test_blocking_hands_the_file_to_synchronous_code(data_file: Path) -> None:
    async def main() -> str:
        async with aopen(data_file) as f:
            with f.blocking() as sync_f:
                return sync_f.read()

    assert curio_kernel.run(main) == TEXT


def test_bad_arguments_are_refused_with_clear_errors(data_file: Path) -> None:
    with pytest.raises(TypeError, match="needs the file"):
        aopen()  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="file object"):
        AsyncFile(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a file object"):
        AsyncFile(None)

    async def main() -> None:
        async with aopen(data_file) as f:
            with pytest.raises(TypeError, match="already wrapped"):
                AsyncFile(f)  # type: ignore[arg-type]

    curio_kernel.run(main)


def test_anext_returns_the_next_item_or_the_default(data_file: Path) -> None:
    async def numbers() -> AsyncIterator[int]:
        yield 1

    async def main() -> tuple[str, str, int, int | str]:
        async with aopen(data_file) as f:
            header = await anext(f)
            second = await anext(f, "none")
        it = numbers()
        one = await anext(it)
        done = await anext(it, "done")
        return header, second, one, done

    assert curio_kernel.run(main) == (LINES[0], LINES[1], 1, "done")


def test_anext_without_default_raises_stop_async_iteration_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_text("")

    async def main() -> None:
        async with aopen(path) as f:
            with pytest.raises(StopAsyncIteration):
                await anext(f)
        with pytest.raises(TypeError, match="async iterator"):
            await anext([1, 2])  # type: ignore[call-overload]

    curio_kernel.run(main)


# ---------------------------------------------------------------------- cancellation


class _GatedFile:
    """A file whose ``read`` and ``write`` block in the worker thread until released.

    It records what the calls did, so a test can see the thread finish a call
    whose task was cancelled.
    """

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls: list[str] = []
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        self.entered.set()
        assert self.release.wait(10), "the test never released the read"
        self.calls.append("read")
        return b"data"

    def write(self, data: bytes) -> int:
        self.entered.set()
        assert self.release.wait(10), "the test never released the write"
        self.calls.append("write")
        return len(data)

    def tell(self) -> int:
        self.calls.append("tell")
        return 0

    def close(self) -> None:
        self.calls.append("close")
        self.closed = True


@pytest.mark.parametrize("operation", ["read", "write"])
def test_a_cancelled_call_returns_at_once_and_its_thread_finishes_before_the_next_call(
    operation: str, no_thread_leak: None
) -> None:
    gated = _GatedFile()

    async def main() -> list[str]:
        f: AsyncFile[bytes] = AsyncFile(gated)  # type: ignore[arg-type]

        async def use() -> None:
            if operation == "read":
                await f.read(4)
            else:
                await f.write(b"abcd")

        task = await curio_kernel.spawn(use)
        assert await curio_kernel.run_in_thread(gated.entered.wait, 10)
        await task.cancel()  # returns while the worker thread is still blocked
        assert gated.calls == []
        gated.release.set()
        assert await f.tell() == 0  # waits for the abandoned call, then runs
        await f.close()
        return gated.calls

    assert curio_kernel.run(main) == [operation, "tell", "close"]
    assert gated.closed


class _SlowFile(io.FileIO):
    """A real file whose reads wait for the test's go-ahead in the worker thread."""

    gate: threading.Event

    def read(self, size: int | None = -1) -> bytes:
        assert self.gate.wait(10), "the test never released the read"
        data = super().read(size)
        assert data is not None
        return data


def test_a_timed_out_read_leaves_a_real_file_usable(tmp_path: Path, no_fd_leak: None) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"0123456789")
    raw = _SlowFile(path, "rb")
    raw.gate = threading.Event()

    async def main() -> tuple[int, bytes]:
        async with AsyncFile(raw) as f:
            with pytest.raises(TaskTimeout):
                # Real time on purpose: the read runs in a thread, which holds an autojump back.
                await curio_kernel.timeout_after(0.01, f.read(3))
            raw.gate.set()
            where = await f.tell()  # runs after the abandoned read of 3 bytes
            return where, await f.read()

    assert curio_kernel.run(main) == (3, b"3456789")
    assert raw.closed


def test_a_cancellation_during_open_closes_the_file_it_opened(
    data_file: Path, no_fd_leak: None, no_thread_leak: None
) -> None:
    entered, gate = threading.Event(), threading.Event()
    opened: list[Any] = []

    def opener(path: str, flags: int) -> int:
        entered.set()
        assert gate.wait(10)
        fd = os.open(path, flags)
        opened.append(fd)
        return fd

    async def main() -> None:
        async def enter() -> None:
            async with aopen(data_file, "rb", opener=opener):
                raise AssertionError("the block never runs")

        task = await curio_kernel.spawn(enter)
        assert await curio_kernel.run_in_thread(entered.wait, 10)
        await task.cancel()
        gate.set()

    curio_kernel.run(main)  # the kernel joins its worker threads on the way out
    assert len(opened) == 1  # opened once, and closed again (no_fd_leak)


def test_a_cancelled_close_still_closes_the_file_once_the_abandoned_call_ends(
    no_thread_leak: None,
) -> None:
    gated = _GatedFile()

    async def main() -> bool:
        f: AsyncFile[bytes] = AsyncFile(gated)  # type: ignore[arg-type]
        reader = await curio_kernel.spawn(f.read, 4)
        assert await curio_kernel.run_in_thread(gated.entered.wait, 10)
        await reader.cancel()
        closer = await curio_kernel.spawn(f.close)  # its thread waits for the read
        await curio_kernel.sleep(0)
        await closer.cancel()
        closed_meanwhile = gated.closed
        gated.release.set()
        return closed_meanwhile

    assert curio_kernel.run(main) is False  # the kernel joins its worker threads on the way out
    assert gated.calls == ["read", "close"]
    assert gated.closed


def test_aopen_gives_text_or_binary_files_to_a_type_checker(data_file: Path) -> None:
    async def main() -> tuple[str, bytes]:
        async with aopen(data_file) as text, aopen(data_file, "rb") as binary:
            assert_type(text, AsyncFile[str])
            assert_type(binary, AsyncFile[bytes])
            line = await text.readline()
            data = await binary.read(4)
            assert_type(line, str)
            assert_type(data, bytes)
            return line, data

    assert curio_kernel.run(main) == (LINES[0], b"line")
