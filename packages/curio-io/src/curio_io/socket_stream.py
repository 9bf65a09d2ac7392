"""SocketStream: the :class:`Stream` interface straight over a socket.

It reads with ``recv`` and writes with ``send``, without the file object
that ``makefile`` puts in between; ``Socket.as_stream()`` makes one.  Its
reads and writes spend the fast-path budget as the socket's do (see
``_budget.py``).
"""

from __future__ import annotations

import errno
import io
import socket as _socket
import ssl as _ssl
import types
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from curio_traps import YIELD, _io_release
from curio_traps.traps import READ_WAIT, WRITE_WAIT, outside_kernel_error

from ._budget import BUDGET, FAST_PATH_BUDGET, read_wait, schedule_point, write_wait
from ._wouldblock import READ_RETRY, SEND_RETRY, SSL_WANT_READ, SSL_WANT_WRITE
from .stream import Stream

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["SocketStream"]


class SocketStream(Stream):
    """A :class:`Stream` reading and writing the socket *sock* (plain or SSL).

    Closing the stream closes the socket.
    """

    def __init__(self, sock: _socket.socket) -> None:
        if not isinstance(sock, _socket.socket):
            raise TypeError(f"SocketStream() needs a socket.socket, got {type(sock).__name__}")
        if sock.fileno() < 0:
            raise OSError(errno.EBADF, "SocketStream() needs an open socket; this one is closed")
        sock.setblocking(False)
        self._file: Any = sock
        self._buffer = b""
        self._pos = 0
        self._recv = sock.recv
        self._send = sock.send
        # As in Socket.recv: after a read found nothing, wait before the next one.
        self._may_wait_first = not isinstance(sock, _ssl.SSLSocket)
        self._wait_first = False

    @types.coroutine
    def read(self, maxbytes: int = -1) -> Generator[Any, Any, bytes]:
        """Read up to *maxbytes*; with -1, whatever is available now (see :meth:`Stream.read`)."""
        if self._buffer or maxbytes < 1:
            # Buffered input, "whatever is available", or a bad size: the general path.
            return (yield from Stream.read(self, maxbytes).__await__())
        # The common case, straight from the socket.  It yields the wait traps
        # itself, like Socket.recv: one frame less per wait.
        sock = self._file
        if self._wait_first:
            trap: tuple[Any, ...] | None = (READ_WAIT, sock)
        elif BUDGET.left:  # bench_net "echo ..., streams"; bench_fairness "..., streams"
            BUDGET.left -= 1
            trap = None
        else:
            trap = YIELD
        while True:
            if trap is not None:
                try:
                    yield trap
                except BaseException as exc:
                    raise outside_kernel_error(exc)  # noqa: B904 (the same exception, or one chained to it)
                BUDGET.left = FAST_PATH_BUDGET  # bench_net "echo ..., streams": once per wait
            try:
                data: bytes = self._recv(maxbytes)
            except READ_RETRY:
                self._wait_first = self._may_wait_first
                trap = (READ_WAIT, sock)
                continue
            except SSL_WANT_WRITE:
                trap = (WRITE_WAIT, sock)
                continue
            if len(data) == maxbytes:
                self._wait_first = False
            return data

    @types.coroutine
    def _read_chunk(self, maxbytes: int) -> Generator[Any, Any, bytes]:
        # Called with nothing buffered and a positive size: read()'s direct path.
        return (yield from self.read(maxbytes))

    async def write(self, data: ReadableBuffer) -> int:
        """Write all of *data*; return its length in bytes (see :meth:`Stream.write`)."""
        if BUDGET.left:  # bench_net "echo ..., streams": one check per write
            BUDGET.left -= 1
        else:
            try:
                await schedule_point()
            except BaseException as exc:
                exc.bytes_written = 0  # type: ignore[attr-defined]
                raise
        try:
            sent = self._send(data)
        except SEND_RETRY:
            sent = 0
        except SSL_WANT_READ:
            sent = 0
        if type(data) is bytes and sent == len(data):
            return sent  # all of it at once: the common case
        return await self._write_rest(data, sent)

    async def _write_some(self, view: memoryview) -> int:
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                sent: int = self._send(view)
            except SEND_RETRY:
                await write_wait(self._file)
                continue
            except SSL_WANT_READ:
                await read_wait(self._file)
                continue
            return sent

    async def _flush_file(self) -> None:
        """Nothing to flush: every write goes straight to the socket."""

    def _file_closed(self) -> bool:
        return bool(self._file.fileno() < 0)

    async def _close_file(self) -> None:
        self._wait_first = False
        sock = self._file
        if sock.fileno() >= 0:
            try:
                await _io_release(sock)
            finally:
                sock.close()

    def _writable(self) -> bool:
        return False  # nothing is ever held back, so close() has nothing to flush

    @contextmanager
    def blocking(self) -> Iterator[io.FileIO]:
        """Lend the socket to synchronous code as a file in blocking mode.

        Yields an unbuffered binary file (``open(fileno, 'rb+', buffering=0,
        closefd=False)``) over the socket's descriptor, which synchronous
        code reads and writes as any file; it is closed at the end of the
        block, the socket is not.  Refused while the stream holds input that
        was read but not consumed, since the file would skip it.
        """
        if self._buffer:
            raise RuntimeError(
                "the stream holds buffered input that synchronous code would miss; read it first"
            )
        sock = self._file
        sock.setblocking(True)
        try:
            with open(sock.fileno(), "rb+", buffering=0, closefd=False) as file:
                yield file
        finally:
            if sock.fileno() >= 0:
                sock.setblocking(False)

    def tell(self) -> int:
        """Sockets have no position."""
        raise OSError(errno.ESPIPE, "a socket stream has no position")

    def seek(self, offset: int, whence: int = 0) -> int:
        """Sockets have no position."""
        raise OSError(errno.ESPIPE, "a socket stream cannot seek")
