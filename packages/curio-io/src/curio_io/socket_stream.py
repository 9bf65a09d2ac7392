"""SocketStream: the :class:`Stream` interface straight over a socket.

It reads with ``recv`` and writes with ``send``, without the file object
that ``makefile`` puts in between; ``Socket.as_stream()`` makes one.
"""

from __future__ import annotations

import errno
import socket as _socket
from typing import Any

from curio_traps import _io_release, _read_wait, _write_wait

from ._wouldblock import READ_RETRY, SEND_RETRY, SSL_WANT_READ, SSL_WANT_WRITE
from .stream import Stream

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

    async def _read_chunk(self, maxbytes: int) -> bytes:
        while True:
            try:
                return self._recv(maxbytes)
            except READ_RETRY:
                await _read_wait(self._file)
            except SSL_WANT_WRITE:
                await _write_wait(self._file)

    async def _write_some(self, view: memoryview) -> int:
        while True:
            try:
                return self._send(view)
            except SEND_RETRY:
                await _write_wait(self._file)
            except SSL_WANT_READ:
                await _read_wait(self._file)

    async def _flush_file(self) -> None:
        """Nothing to flush: every write goes straight to the socket."""

    def _file_closed(self) -> bool:
        return bool(self._file.fileno() < 0)

    async def _close_file(self) -> None:
        sock = self._file
        if sock.fileno() >= 0:
            try:
                await _io_release(sock)
            finally:
                sock.close()

    def _writable(self) -> bool:
        return False  # nothing is ever held back, so close() has nothing to flush

    def tell(self) -> int:
        """Sockets have no position."""
        raise OSError(errno.ESPIPE, "a socket stream has no position")

    def seek(self, offset: int, whence: int = 0) -> int:
        """Sockets have no position."""
        raise OSError(errno.ESPIPE, "a socket stream cannot seek")
