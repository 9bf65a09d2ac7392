"""Socket: a socket whose blocking operations are coroutines.

Every operation is tried at once and waits for the kernel only when the
socket says it would block, so data that is already there costs one system
call and no trip through the kernel.  A task that never has to wait still
passes through the kernel every ``FAST_PATH_BUDGET`` operations, so a peer
that always has data ready cannot starve the other tasks or keep timeouts
and cancellations from the reader (see ``_budget.py``).

One refinement for receives on plain sockets: after a receive found nothing,
the next one waits for readability first.  In request/response traffic the
answer is never there yet right after the request went out, so this saves a
failing system call (and its exception) per message; a receive that fills
its whole buffer switches back to trying first, as data is evidently
streaming in.  SSL sockets always try first, since decrypted data may be
buffered with nothing left to read on the descriptor.
"""

from __future__ import annotations

import errno
import os
import socket as _socket
import ssl as _ssl
import types
from collections.abc import Awaitable, Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, TypeAlias, cast, overload

from curio_traps import YIELD, AwaitedContext, _io_release
from curio_traps.traps import READ_WAIT, WRITE_WAIT, outside_kernel_error

from ._budget import BUDGET, FAST_PATH_BUDGET, read_wait, schedule_point, write_wait
from ._connect import connect_ex
from ._wouldblock import READ_RETRY, SEND_RETRY, SSL_WANT_READ, SSL_WANT_WRITE
from .socket_stream import SocketStream
from .stream import FileStream, Stream

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

    #: What ``connect``, ``bind`` and ``sendto`` take: a tuple for IP families,
    #: a path for Unix sockets.
    Address: TypeAlias = tuple[Any, ...] | str | ReadableBuffer

__all__ = ["Socket"]


class _Done:
    """What :meth:`Socket.shutdown` returns: finished already, and awaitable for curio 1.x code."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, Any, None]:
        return
        yield  # a generator that never suspends

    def __repr__(self) -> str:
        return "<curio_io.Socket.shutdown: done>"


_DONE: Final = _Done()


def _closed(*args: object) -> NoReturn:
    """Stand-in for the socket's methods once the curio Socket is closed."""
    raise OSError(errno.EBADF, "I/O operation on a closed socket")


class Socket(AwaitedContext):
    """Wrap *sockobj* (a ``socket.socket`` or ``ssl.SSLSocket``) for use in curio tasks.

    The socket is put in non-blocking mode.  The methods that could block
    are coroutines; every other attribute is the wrapped socket's own.  With
    *do_handshake_on_connect* (used by :mod:`curio_net.ssl`), a successful
    :meth:`connect` of an SSL socket also runs its TLS handshake.
    """

    __slots__ = (
        "__weakref__",
        "_handshake_on_connect",
        "_may_wait_first",
        "_recv",
        "_recv_into",
        "_send",
        "_socket",
        "_wait_first",
    )

    _recv: Callable[[int, int], bytes]
    _recv_into: Callable[[WriteableBuffer, int, int], int]
    _send: Callable[[ReadableBuffer, int], int]

    def __init__(self, sockobj: _socket.socket, *, do_handshake_on_connect: bool = False) -> None:
        given: object = sockobj
        if isinstance(given, Socket):
            raise TypeError("Socket() got a curio Socket; it is already wrapped")
        if not isinstance(given, _socket.socket):
            raise TypeError(f"Socket() needs a socket.socket, got {type(given).__name__}")
        if sockobj.fileno() < 0:
            raise OSError(errno.EBADF, "Socket() needs an open socket; this one is closed")
        sockobj.setblocking(False)
        self._socket = sockobj
        self._handshake_on_connect = do_handshake_on_connect
        # See the module's docstring: wait before receiving after a receive found nothing.
        self._may_wait_first = not isinstance(sockobj, _ssl.SSLSocket)
        self._wait_first = False
        # Bound methods of the hot paths, looked up once.
        self._recv = sockobj.recv
        self._recv_into = sockobj.recv_into
        self._send = sockobj.send

    def __repr__(self) -> str:
        return f"<curio_io.Socket {self._socket!r}>"

    @property
    def raw_socket(self) -> _socket.socket:
        """The wrapped socket object; calling its blocking methods would stall the kernel."""
        return self._socket

    def __getattr__(self, name: str) -> Any:
        """Everything not redefined here is the wrapped socket's attribute."""
        if name == "_socket":  # only while half-constructed
            raise AttributeError(name)
        return getattr(self._socket, name)

    # ------------------------------------------------------------------ receiving

    # recv and recv_into are the hot path of every protocol: they yield the
    # kernel's traps themselves rather than awaiting read_wait, which saves a
    # generator frame per wait (bench_net.py, the "echo ..., sockets" rows).
    # Each spends a unit of the fast-path budget before a system call it
    # makes without waiting, or first yields YIELD once the budget is spent;
    # any yield refills it (see _budget.py).

    @types.coroutine
    def recv(self, maxbytes: int, flags: int = 0) -> Generator[Any, Any, bytes]:
        """Receive up to *maxbytes* bytes; ``b''`` once the peer has closed its side."""
        sock = self._socket
        if self._wait_first:
            trap: tuple[Any, ...] | None = (READ_WAIT, sock)
        elif BUDGET.left:  # bench_net "echo ..., sockets"; bench_fairness "..., sockets"
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
                BUDGET.left = FAST_PATH_BUDGET  # bench_net "echo ..., sockets": once per wait
            try:
                data = self._recv(maxbytes, flags)
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
    def recv_into(
        self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0
    ) -> Generator[Any, Any, int]:
        """Receive up to *nbytes* (all of *buffer* if 0) into *buffer*; return the count."""
        sock = self._socket
        if self._wait_first:
            trap: tuple[Any, ...] | None = (READ_WAIT, sock)
        elif BUDGET.left:  # as in recv (no benchmark row of its own)
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
                BUDGET.left = FAST_PATH_BUDGET
            try:
                count = self._recv_into(buffer, nbytes, flags)
            except READ_RETRY:
                self._wait_first = self._may_wait_first
                trap = (READ_WAIT, sock)
                continue
            except SSL_WANT_WRITE:
                trap = (WRITE_WAIT, sock)
                continue
            if count == (nbytes or len(buffer)):  # type: ignore[arg-type]
                self._wait_first = False
            return count

    async def recvfrom(self, maxsize: int, flags: int = 0) -> tuple[bytes, Any]:
        """Receive up to *maxsize* bytes; return ``(data, sender_address)``."""
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                return self._socket.recvfrom(maxsize, flags)
            except READ_RETRY:
                await read_wait(self._socket)

    async def recvfrom_into(
        self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0
    ) -> tuple[int, Any]:
        """Receive into *buffer*; return ``(nbytes, sender_address)``."""
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                return self._socket.recvfrom_into(buffer, nbytes, flags)
            except READ_RETRY:
                await read_wait(self._socket)

    async def recvmsg(
        self, bufsize: int, ancbufsize: int = 0, flags: int = 0
    ) -> tuple[bytes, list[tuple[int, int, bytes]], int, Any]:
        """Receive normal and ancillary data: ``(data, ancdata, msg_flags, address)``."""
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                return self._socket.recvmsg(bufsize, ancbufsize, flags)
            except READ_RETRY:
                await read_wait(self._socket)

    async def recvmsg_into(
        self, buffers: list[WriteableBuffer], ancbufsize: int = 0, flags: int = 0
    ) -> tuple[int, list[tuple[int, int, bytes]], int, Any]:
        """Receive into *buffers*: ``(nbytes, ancdata, msg_flags, address)``."""
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                return self._socket.recvmsg_into(buffers, ancbufsize, flags)
            except READ_RETRY:
                await read_wait(self._socket)

    # ------------------------------------------------------------------ sending

    async def send(self, data: ReadableBuffer, flags: int = 0) -> int:
        """Send some of *data*; return how many bytes went (possibly fewer than all)."""
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                return self._send(data, flags)
            except SEND_RETRY:
                await write_wait(self._socket)
            except SSL_WANT_READ:
                await read_wait(self._socket)

    async def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
        """Send all of *data*, waiting while the peer does not keep up (backpressure).

        If the task is cancelled or times out part way, the exception's
        ``bytes_sent`` attribute tells how much of *data* was sent.
        """
        send = self._send
        if BUDGET.left:  # bench_net "echo ..., sockets": one check per message
            BUDGET.left -= 1
        else:
            try:
                await schedule_point()
            except BaseException as exc:
                exc.bytes_sent = 0  # type: ignore[attr-defined]
                raise
        try:
            sent = send(data, flags)
        except SEND_RETRY:
            sent = 0
        except SSL_WANT_READ:
            sent = 0
        if type(data) is bytes and sent == len(data):
            return
        view = memoryview(data).cast("B")
        total = len(view)
        try:
            while sent < total:
                # A part went without a wait: the next call spends a unit too.
                if BUDGET.left:
                    BUDGET.left -= 1
                else:
                    await schedule_point()
                try:
                    sent += send(view[sent:], flags)
                except SEND_RETRY:
                    await write_wait(self._socket)
                except SSL_WANT_READ:
                    await read_wait(self._socket)
        except BaseException as exc:
            exc.bytes_sent = sent  # type: ignore[attr-defined]
            raise
        finally:
            view.release()

    @overload
    async def sendto(self, data: ReadableBuffer, address: Address, /) -> int: ...
    @overload
    async def sendto(self, data: ReadableBuffer, flags: int, address: Address, /) -> int: ...
    async def sendto(
        self, data: ReadableBuffer, flags_or_address: Any, address: Any = None, /
    ) -> int:
        """Send a datagram: ``sendto(data, address)`` or ``sendto(data, flags, address)``."""
        args = (data, flags_or_address) if address is None else (data, flags_or_address, address)
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                return self._socket.sendto(*args)
            except SEND_RETRY:
                await write_wait(self._socket)

    async def sendmsg(
        self,
        buffers: Iterable[ReadableBuffer],
        ancdata: Iterable[tuple[int, int, ReadableBuffer]] = (),
        flags: int = 0,
        address: Address | None = None,
    ) -> int:
        """Send normal and ancillary data (file descriptors, credentials); return bytes sent."""
        raw = self._socket
        if BUDGET.left:
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                if address is None:
                    return raw.sendmsg(buffers, ancdata, flags)
                return raw.sendmsg(buffers, ancdata, flags, address)
            except SEND_RETRY:
                await write_wait(raw)

    # ------------------------------------------------------------------ connections

    async def accept(self) -> tuple[Socket, Any]:
        """Wait for a connection; return ``(client_socket, client_address)``."""
        raw = self._socket
        if BUDGET.left:  # a listener with a backlog of connections is a fast path too
            BUDGET.left -= 1
        else:
            await schedule_point()
        while True:
            try:
                client, address = raw.accept()
            except READ_RETRY:
                await read_wait(raw)
                continue
            return Socket(client), address

    async def connect(self, address: Address) -> None:
        """Connect to *address*; a host name is looked up in a worker thread.

        For an SSL socket made with ``do_handshake_on_connect``, the TLS
        handshake follows.
        """
        err = await connect_ex(self._socket, address)
        if err:
            raise OSError(err, f"{os.strerror(err)} (connecting to {address!r})")
        if self._handshake_on_connect:
            await self.do_handshake()

    async def connect_ex(self, address: Address) -> int:
        """Like :meth:`connect`, but return an ``errno`` code (0 on success) instead of raising."""
        err = await connect_ex(self._socket, address)
        if not err and self._handshake_on_connect:
            await self.do_handshake()
        return err

    async def do_handshake(self) -> None:
        """Run the TLS handshake of a socket wrapped by :mod:`curio_net.ssl`."""
        raw = self._socket
        handshake = getattr(raw, "do_handshake", None)
        if handshake is None:
            raise TypeError("do_handshake() needs an SSL socket (wrap it with curio_net.ssl)")
        while True:
            try:
                handshake()
                return
            except SSL_WANT_READ:
                await read_wait(raw)
            except SSL_WANT_WRITE:
                await write_wait(raw)

    async def readable(self) -> None:
        """Wait until the socket has input (or the peer closed, or an error is pending)."""
        await read_wait(self._socket)

    async def writeable(self) -> None:
        """Wait until the socket can take more output (the spelling of curio 1.x)."""
        await write_wait(self._socket)

    def shutdown(self, how: int) -> Awaitable[None]:
        """Shut down receiving, sending or both (``SHUT_RD``, ``SHUT_WR``, ``SHUT_RDWR``).

        It never blocks, so it is done when the call returns; curio 1.x code
        writes ``await sock.shutdown(how)``, and the result may be awaited
        for that.
        """
        self._socket.shutdown(how)
        return _DONE

    def dup(self) -> Socket:
        """A new :class:`Socket` over a duplicate of the descriptor."""
        if self._socket.fileno() < 0:
            _closed()
        return Socket(self._socket.dup())

    async def close(self) -> None:
        """Close the socket (again is harmless); the kernel forgets it first."""
        raw = self._socket
        self._recv = self._recv_into = self._send = _closed
        self._wait_first = False
        if raw.fileno() >= 0:
            try:
                await _io_release(raw)
            finally:
                raw.close()

    async def __aenter__(self) -> Socket:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ files and modes

    def makefile(self, mode: str, buffering: int = 0) -> Stream:
        """A :class:`FileStream` reading (``'rb'``), writing (``'wb'``) or both (``'rwb'``).

        Like the standard library's ``makefile``, the socket stays open until
        both it and the stream are closed.  Streams carry bytes: text modes
        are refused.  The stream is a :class:`FileStream`; its declared type
        is :class:`Stream`, as the reference manual gives it.
        """
        if "b" not in mode or not set(mode) <= {"r", "w", "b"} or len(set(mode)) != len(mode):
            raise ValueError(
                f"makefile() needs a binary mode, 'rb', 'wb' or 'rwb' (streams carry bytes), "
                f"got {mode!r}"
            )
        if "r" not in mode and "w" not in mode:
            raise ValueError(
                f"makefile() mode must read or write: 'rb', 'wb' or 'rwb', got {mode!r}"
            )
        if self._socket.fileno() < 0:
            _closed()
        file = self._socket.makefile(cast(Literal["rb"], mode), buffering)
        return FileStream(file)

    def make_streams(self, buffering: int = 0) -> tuple[Stream, Stream]:
        """Return ``(reader, writer)``: :meth:`makefile` streams for each direction."""
        return self.makefile("rb", buffering), self.makefile("wb", buffering)

    def as_stream(self) -> SocketStream:
        """A :class:`SocketStream` over this socket: file-style reads and writes, no copy.

        Closing the stream closes the socket.
        """
        if self._socket.fileno() < 0:
            _closed()
        return SocketStream(self._socket)

    @contextmanager
    def blocking(self) -> Iterator[_socket.socket]:
        """Put the socket in blocking mode for synchronous code; yield the raw socket."""
        raw = self._socket
        raw.setblocking(True)
        try:
            yield raw
        finally:
            if raw.fileno() >= 0:
                raw.setblocking(False)

    def settimeout(self, seconds: float | None) -> None:
        """Refuse a timeout: it would make the socket block the kernel.

        ``settimeout(0)`` is accepted and changes nothing.  Bound an
        operation with ``timeout_after()`` instead.
        """
        if seconds != 0:
            raise ValueError(
                "a curio Socket stays non-blocking: bound operations with timeout_after() "
                "instead of settimeout()"
            )

    def setblocking(self, flag: bool) -> None:
        """Refuse blocking mode (use :meth:`blocking` for synchronous code)."""
        if flag:
            raise ValueError(
                "a curio Socket stays non-blocking: use 'with sock.blocking() as raw:' "
                "to hand it to synchronous code"
            )
