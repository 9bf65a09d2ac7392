"""Stream: a binary file (pipe, socket file, terminal) read and written by coroutines.

The stream keeps its own read buffer, so ``readline`` and ``async for line in
stream`` cost one system call per chunk of input, not one per line.  Each
chunk read or written without waiting spends a unit of the fast-path budget
(see ``_budget.py``): a pipe that is never empty cannot starve the other
tasks.  Lines served from the buffer make no system call and spend nothing.
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Final

from curio_traps import AwaitedContext, AwaitedIteration, _io_release

from ._budget import BUDGET, read_wait, schedule_point, write_wait
from ._wouldblock import READ_RETRY, SEND_RETRY, SSL_WANT_READ, SSL_WANT_WRITE

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

__all__ = ["FileStream", "Stream"]

#: How much one read asks the file for when the caller does not say.
CHUNK_SIZE: Final = 65536


class Stream(AwaitedContext, AwaitedIteration[bytes]):
    """Wrap the binary file object *fileobj* for use in curio tasks.

    The file's descriptor is put in non-blocking mode.  Methods that could
    block are coroutines; ``tell``, ``seek`` and every other attribute of
    the file are available as they are.
    """

    # Subclasses replace how a chunk is read and written (_read_chunk,
    # _write_some, _flush_file, _close_file); the buffering logic is shared.

    def __init__(self, fileobj: IO[bytes] | io.IOBase) -> None:
        if isinstance(fileobj, io.TextIOBase):
            raise TypeError("Stream() needs a file opened in binary mode, got a text file")
        mode = getattr(fileobj, "mode", "b")
        if isinstance(mode, str) and "b" not in mode:
            raise TypeError(f"Stream() needs a file opened in binary mode, got mode {mode!r}")
        try:
            fileno = fileobj.fileno()
        except (AttributeError, io.UnsupportedOperation) as exc:
            raise TypeError(f"Stream() needs a file with a descriptor, got {fileobj!r}") from exc
        os.set_blocking(fileno, False)
        self._file: Any = fileobj
        self._buffer = b""
        self._pos = 0

    def __repr__(self) -> str:
        return f"<curio_io.{type(self).__name__} {self._file!r}>"

    def __getattr__(self, name: str) -> Any:
        """Other file methods (``fileno``, ``name``, ``isatty``, ...) are the file's own."""
        if name == "_file":  # only while half-constructed
            raise AttributeError(name)
        return getattr(self._file, name)

    # ------------------------------------------------------------------ the file itself

    async def _read_chunk(self, maxbytes: int) -> bytes:
        """Read at most *maxbytes* from the file, waiting until some are there."""
        read = self._file.read
        if BUDGET.left:  # bench_net "Stream readline from a pipe": one check per chunk
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                data: bytes | None = read(maxbytes)
            except READ_RETRY:
                data = None
            except SSL_WANT_WRITE:
                await write_wait(self._file)
                continue
            if data is not None:
                return data
            await read_wait(self._file)

    async def _write_some(self, view: memoryview) -> int:
        """Write some of *view* to the file, waiting until it takes at least a byte."""
        write = self._file.write
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                written: int | None = write(view)
            except SEND_RETRY as exc:
                # A buffered writer took part of the data before its buffer filled up.
                written = getattr(exc, "characters_written", 0)
            except SSL_WANT_READ:
                await read_wait(self._file)
                continue
            if written:
                return written
            await write_wait(self._file)

    async def _flush_file(self) -> None:
        """Push a buffered file's pending bytes to the descriptor."""
        flush = self._file.flush
        while True:
            try:
                flush()
                return
            except SEND_RETRY:
                await write_wait(self._file)

    def _file_closed(self) -> bool:
        return bool(self._file.closed)

    async def _close_file(self) -> None:
        file = self._file
        if not file.closed:
            try:
                await _io_release(file)
            finally:
                file.close()

    # ------------------------------------------------------------------ reading

    def _take(self, maxbytes: int) -> bytes:
        """Remove and return up to *maxbytes* (all if negative) of the buffered input."""
        buf, pos = self._buffer, self._pos
        if maxbytes < 0 or pos + maxbytes >= len(buf):
            data = buf[pos:] if pos else buf
            self._buffer, self._pos = b"", 0
            return data
        self._pos = pos + maxbytes
        return buf[pos : pos + maxbytes]

    async def read(self, maxbytes: int = -1) -> bytes:
        """Read up to *maxbytes*; with -1, whatever is available now (waiting for some).

        Returns ``b''`` at end of file.
        """
        if maxbytes < -1:
            raise ValueError(f"read() size must be -1 (what is available) or more, got {maxbytes}")
        if self._buffer:
            return self._take(maxbytes)
        if maxbytes == 0:
            return b""
        return await self._read_chunk(maxbytes if maxbytes > 0 else CHUNK_SIZE)

    async def read_exactly(self, nbytes: int) -> bytes:
        """Read exactly *nbytes*; ``EOFError`` (with ``.bytes_read``) if the file ends first."""
        if nbytes < 0:
            raise ValueError(f"read_exactly() size must be 0 or more, got {nbytes}")
        parts: list[bytes] = []
        missing = nbytes
        while missing > 0:
            try:
                chunk = await self.read(missing)
            except BaseException:
                self._unread(parts)  # interrupted: a later read gets these bytes
                raise
            if not chunk:
                err = EOFError(f"end of file after {nbytes - missing} of {nbytes} bytes")
                err.bytes_read = b"".join(parts)  # type: ignore[attr-defined]
                raise err
            parts.append(chunk)
            missing -= len(chunk)
        return b"".join(parts)

    async def readall(self) -> bytes:
        """Read until end of file and return everything."""
        parts = [self._take(-1)] if self._buffer else []
        while True:
            try:
                chunk = await self._read_chunk(CHUNK_SIZE)
            except BaseException:
                self._unread(parts)  # interrupted: a later read gets these bytes
                raise
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    async def readinto(self, buffer: WriteableBuffer) -> int:
        """Fill *buffer* with input; return how many bytes went in.

        Like ``readinto`` of a blocking file, it waits until *buffer* is
        full and returns less only at end of file (0 there).  If the task is
        cancelled or times out part way, the exception's ``bytes_read``
        attribute tells how many bytes are already in *buffer*.
        """
        with memoryview(buffer) as whole, whole.cast("B") as view:
            total = len(view)
            filled = 0
            while filled < total:
                try:
                    chunk = await self.read(total - filled)
                except BaseException as exc:
                    exc.bytes_read = filled  # type: ignore[attr-defined]
                    raise
                if not chunk:
                    break
                view[filled : filled + len(chunk)] = chunk
                filled += len(chunk)
            return filled

    async def readline(self) -> bytes:
        """Read one line, ending with ``b'\\n'`` unless the file ends first (``b''`` at the end)."""
        buf, pos = self._buffer, self._pos
        end = buf.find(b"\n", pos)
        if end >= 0:
            end += 1
            if end == len(buf):
                self._buffer, self._pos = b"", 0
                return buf[pos:] if pos else buf
            self._pos = end
            return buf[pos:end]
        # No whole line buffered: gather chunks until a newline or the end of file.
        pending = bytearray(buf[pos:] if pos else buf)
        self._buffer, self._pos = b"", 0
        while True:
            try:
                chunk = await self._read_chunk(CHUNK_SIZE)
            except BaseException:
                self._unread([bytes(pending)])  # keep the partial line for a later call
                raise
            if not chunk:
                return bytes(pending)
            end = chunk.find(b"\n")
            if end >= 0:
                end += 1
                if end < len(chunk):
                    self._buffer, self._pos = chunk, end
                if not pending:
                    return chunk[:end] if end < len(chunk) else chunk
                pending += memoryview(chunk)[:end]
                return bytes(pending)
            pending += chunk

    def _unread(self, parts: list[bytes]) -> None:
        """Put *parts* back in front of the buffer, so an interrupted read loses no byte."""
        if any(parts):
            rest = self._buffer[self._pos :] if self._pos else self._buffer
            self._buffer, self._pos = b"".join(parts) + rest, 0

    async def readlines(self) -> list[bytes]:
        """Read to the end of file and return the lines.

        If the task is cancelled or times out part way, the exception's
        ``lines_read`` attribute holds the whole lines read before it (a
        partial line stays in the stream for the next read).
        """
        lines: list[bytes] = []
        try:
            async for line in self:
                lines.append(line)
        except BaseException as exc:
            exc.lines_read = lines  # type: ignore[attr-defined]
            raise
        return lines

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        line = await self.readline()
        if not line:
            raise StopAsyncIteration
        return line

    # ------------------------------------------------------------------ writing

    async def write(self, data: ReadableBuffer) -> int:
        """Write all of *data*; return its length in bytes.

        If the task is cancelled part way, the exception's
        ``bytes_written`` attribute tells how much was written.
        """
        return await self._write_rest(data, 0)

    async def _write_rest(self, data: ReadableBuffer, written: int) -> int:
        """Write *data* from byte *written* on; return the total length of *data*."""
        view = memoryview(data).cast("B")
        total = len(view)
        try:
            while written < total:
                written += await self._write_some(view[written:] if written else view)
        except BaseException as exc:
            exc.bytes_written = written  # type: ignore[attr-defined]
            raise
        finally:
            view.release()
        return total

    async def writelines(self, lines: Iterable[ReadableBuffer]) -> None:
        """Write each of *lines* (no separators are added).

        If the task is cancelled part way, the exception's ``bytes_written``
        attribute tells how many bytes of all the lines were written.
        """
        done = 0
        for line in lines:
            try:
                done += await self.write(line)
            except BaseException as exc:
                exc.bytes_written = done + getattr(exc, "bytes_written", 0)  # type: ignore[attr-defined]
                raise

    async def flush(self) -> None:
        """Push any bytes a buffered file holds to the descriptor."""
        await self._flush_file()

    async def close(self) -> None:
        """Flush what is left, then close the file (again is harmless)."""
        try:
            if self._writable() and not self._file_closed():
                await self._flush_file()
        finally:
            self._buffer, self._pos = b"", 0
            await self._close_file()

    def _writable(self) -> bool:
        try:
            return bool(self._file.writable())
        except (AttributeError, ValueError):
            return False

    async def __aenter__(self) -> Stream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ files and modes

    @contextmanager
    def blocking(self) -> Iterator[Any]:
        """Put the file in blocking mode for synchronous code; yield the raw file.

        Refused while the stream holds input that was read but not consumed,
        since synchronous code reading the file would skip it.
        """
        if self._buffer:
            raise RuntimeError(
                "the stream holds buffered input that synchronous code would miss; read it first"
            )
        fileno = self._file.fileno()
        os.set_blocking(fileno, True)
        try:
            yield self._file
        finally:
            if not self._file_closed():
                os.set_blocking(fileno, False)

    def tell(self) -> int:
        """The file's position, counting buffered but unread input as not yet read."""
        position: int = self._file.tell()
        return position - (len(self._buffer) - self._pos)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the file's position (see ``io.IOBase.seek``); buffered input is dropped."""
        if whence == os.SEEK_CUR:
            offset -= len(self._buffer) - self._pos
        self._buffer, self._pos = b"", 0
        position: int = self._file.seek(offset, whence)
        return position


class FileStream(Stream):
    """curio 1.x's name for a :class:`Stream` over a file object (pipe, terminal, socket file).

    Exactly a :class:`Stream`; :meth:`curio_io.Socket.makefile` and the pipes
    of :class:`curio_subprocess.Popen` are ``FileStream`` objects.
    """
