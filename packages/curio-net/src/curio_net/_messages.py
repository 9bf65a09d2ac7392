"""Message connections: whole messages framed as ``multiprocessing.connection`` frames them.

A message is a 4-byte big-endian signed length and that many bytes; a message over 2 GiB
has -1 for its length, then an 8-byte unsigned one.  The receiving side reads ahead into
a buffer of its own, which is what lets an interrupted receive resume and what bounds the
memory a peer can make it hold.  Public through :mod:`curio_net.channel`.
"""

from __future__ import annotations

import os
import pickle
import socket as _socket
from types import TracebackType
from typing import Any, Final, NoReturn

from curio_io import Socket, Stream
from curio_traps import AwaitedContext, CurioError, ReadResourceBusy, WriteResourceBusy, clean_up

from . import _challenge

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "AuthenticationError",
    "ChannelClosedError",
    "ChannelError",
    "Connection",
    "MessageError",
    "bytes_key",
    "check_size",
]

#: The largest message a :class:`Connection` accepts unless told otherwise: 32 MiB.
DEFAULT_MAX_MESSAGE_SIZE: Final = 32 * 1024 * 1024

_READ_MIN: Final = 65536  # a read asks for at least this much (the next headers come along)
_READ_MAX: Final = 1 << 20  # and never for more: the socket allocates what is asked for
_COMBINED: Final = 65536  # a message this small goes out in one write with its header
_LONG_SIZE: Final = 0x7FFFFFFF  # above this, the header is -1 and an 8-byte length


class ChannelError(CurioError):
    """A message connection failed: the base of this module's errors."""


class AuthenticationError(ChannelError):
    """The HMAC challenge failed: the peer holds another authkey, or does not authenticate."""


class MessageError(ChannelError, OSError):
    """The peer broke the framing or sent what is no message; an ``OSError`` as in multiprocessing.

    A bad header, a message over the limit or one cut short closes the connection,
    since the next message's start is lost; an object that does not unpickle leaves it
    usable.
    """


class ChannelClosedError(ChannelError, OSError):
    """The connection is closed (by :meth:`Connection.close` or after a broken message)."""


for _public in (ChannelError, AuthenticationError, MessageError, ChannelClosedError):
    _public.__module__ = "curio_net.channel"  # where users import them from (and pickle finds)


def bytes_key(authkey: object) -> bytes:
    """*authkey* as ``bytes``; ``TypeError`` unless it is bytes-like."""
    if isinstance(authkey, bytes | bytearray | memoryview):
        return bytes(authkey)
    raise TypeError(f"authkey must be bytes, got {type(authkey).__name__}")


def check_size(value: object, name: str, *, optional: bool = True) -> None:
    """Refuse *value* for the argument *name* unless it is a size in bytes (or ``None``)."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        also = " or None" if optional else ""
        raise ValueError(f"{name} must be a number of bytes, 0 or more{also}; got {value!r}")


def _byte_view(buf: object) -> memoryview:
    try:
        view = memoryview(buf)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"send_bytes() needs a bytes-like object, got {type(buf).__name__}"
        ) from None
    if view.itemsize != 1 or view.ndim != 1:
        view = view.cast("B") if view.c_contiguous else memoryview(view.tobytes())
    return view


class Connection(AwaitedContext):
    """Whole messages over *reader* and *writer* (:class:`curio_io.Stream` objects, or one twice).

    A message longer than *max_message_size* bytes (``None``: no limit) is refused.  An
    interrupted :meth:`recv_bytes` keeps what it read, so the next call returns the same
    message whole; an interrupted send that had put part of its message on the wire
    closes the connection (the peer then sees a message cut short, never a misframed one).
    One task at a time may send, and one receive.
    """

    def __init__(
        self,
        reader: Stream,
        writer: Stream,
        *,
        max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        for name, stream in (("reader", reader), ("writer", writer)):
            if not isinstance(stream, Stream):
                raise TypeError(
                    f"Connection() {name} must be a curio_io.Stream (Socket.as_stream() "
                    f"makes one), got {type(stream).__name__}"
                )
        check_size(max_message_size, "max_message_size")
        self._reader = reader
        self._writer = writer
        self._limit = max_message_size
        self._input = bytearray()  # received and not yet returned: whole or partial messages
        self._closed: str | None = None
        self._receiving = False
        self._sending = False

    @classmethod
    def from_Connection(
        cls, conn: Any, *, max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE
    ) -> Connection:
        """A connection over the descriptor of a ``multiprocessing`` connection (``Pipe()``).

        The descriptor is taken over and *conn* closed; the other end may stay a
        ``multiprocessing`` connection, since the framing is the same.  A one-way end
        of ``Pipe(duplex=False)`` gives a connection that only receives or only sends.
        """
        fileno = getattr(conn, "fileno", lambda: None)()  # OSError if it is closed
        if not isinstance(fileno, int):
            raise TypeError(f"from_Connection() needs a multiprocessing connection, got {conn!r}")
        fd = os.dup(fileno)
        try:
            try:
                stream: Stream = Socket(_socket.socket(fileno=fd)).as_stream()
            except OSError:  # not a socket: one end of an os.pipe()
                stream = Stream(open(fd, "rb" if conn.readable else "wb", buffering=0))  # noqa: SIM115
        except BaseException:
            os.close(fd)
            raise
        conn.close()
        return cls(stream, stream, max_message_size=max_message_size)

    def __repr__(self) -> str:
        state = f"closed ({self._closed})" if self._closed else "open"
        return f"<curio_net.channel.Connection {state} {self._reader!r}>"

    @property
    def closed(self) -> bool:
        """Whether the connection is closed."""
        return self._closed is not None

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close both streams (again is harmless)."""
        if self._closed is None:
            self._closed = "closed"
        self._input.clear()
        try:
            await self._reader.close()
        finally:
            if self._writer is not self._reader:
                await self._writer.close()

    def _check_open(self) -> None:
        if self._closed is not None:
            raise ChannelClosedError(f"the connection is closed ({self._closed})")

    async def _break(self, reason: str) -> NoReturn:
        """Close the connection because its framing is lost, and raise :class:`MessageError`."""
        self._closed = reason
        await self.close()
        raise MessageError(reason)

    # ------------------------------------------------------------------ sending

    async def send_bytes(self, buf: Any, offset: int = 0, size: int | None = None) -> None:
        """Send *buf* (any bytes-like object), or *size* bytes of it from *offset*, as a message."""
        view = _byte_view(buf)
        total = view.nbytes
        check_size(offset, "offset", optional=False)
        if offset > total:
            raise ValueError(f"offset {offset} is past the end of the buffer ({total} bytes)")
        if size is None:
            size = total - offset
        check_size(size, "size")
        if offset + size > total:
            raise ValueError(
                f"offset {offset} + size {size} is past the end of the buffer ({total} bytes)"
            )
        if size > _LONG_SIZE:
            header = b"\xff\xff\xff\xff" + size.to_bytes(8, "big")
        else:
            header = size.to_bytes(4, "big")
        body = view[offset : offset + size]
        if size <= _COMBINED:
            await self._send((header + body.tobytes(),))
        else:
            await self._send((header, body))

    async def send(self, obj: Any) -> None:
        """Send *obj*, pickled, as one message."""
        await self.send_bytes(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))

    async def _send(self, parts: tuple[bytes | memoryview, ...]) -> None:
        self._check_open()
        if self._sending:
            raise WriteResourceBusy("another task is sending a message on this connection")
        self._sending = True
        written = 0
        try:
            for part in parts:
                try:
                    await self._writer.write(part)
                except BaseException as exc:
                    written += getattr(exc, "bytes_written", 0)
                    if written:
                        self._closed = "a send was interrupted part way through its message"
                        await clean_up(exc, self.close())
                    raise
                written += len(part)
        finally:
            self._sending = False

    # ------------------------------------------------------------------ receiving

    async def recv_bytes(self, maxlength: int | None = None) -> bytes:
        """Receive one message; ``EOFError`` if the peer closed the connection before it.

        *maxlength* overrides the connection's limit for this message; a longer message
        raises :class:`MessageError` and closes the connection.
        """
        check_size(maxlength, "maxlength")
        self._check_open()
        if self._receiving:
            raise ReadResourceBusy("another task is receiving a message on this connection")
        self._receiving = True
        try:
            return await self._receive(self._limit if maxlength is None else maxlength)
        finally:
            self._receiving = False

    async def recv(self) -> Any:
        """Receive one message and unpickle it; :class:`MessageError` if it is no pickle."""
        data = await self.recv_bytes()
        try:
            return pickle.loads(data)
        except Exception as exc:
            raise MessageError(
                f"a message of {len(data)} bytes could not be unpickled: {exc!r}"
            ) from exc

    async def _receive(self, limit: int | None) -> bytes:
        buf = self._input
        while True:
            try:
                header = self._header()
            except ValueError as exc:
                await self._break(str(exc))
            if header is not None:
                break
            await self._fill(_READ_MIN, "a message header")
        size, start = header
        if limit is not None and size > limit:
            await self._break(
                f"the peer announced a message of {size} bytes, over the limit of {limit}"
            )
        end = start + size
        while len(buf) < end:
            await self._fill(
                min(max(end - len(buf), _READ_MIN), _READ_MAX), f"a message of {size} bytes"
            )
        with memoryview(buf) as view:
            message = bytes(view[start:end])
        del buf[:end]
        return message

    def _header(self) -> tuple[int, int] | None:
        """``(size, header length)`` of the buffered message, ``None`` while incomplete."""
        buf = self._input
        if len(buf) < 4:
            return None
        size = int.from_bytes(buf[:4], "big", signed=True)
        if size >= 0:
            return size, 4
        if size != -1:
            raise ValueError(f"a message header announces {size} bytes: this is no message")
        return (int.from_bytes(buf[4:12], "big"), 12) if len(buf) >= 12 else None

    async def _fill(self, wanted: int, what: str) -> None:
        """Read more input, up to *wanted* bytes; the end of input is an error within *what*."""
        chunk = await self._reader.read(wanted)
        if chunk:
            self._input += chunk
            return
        if not self._input:
            raise EOFError("the peer closed the connection")
        await self._break(f"the connection ended within {what} ({len(self._input)} bytes came)")

    # ------------------------------------------------------------------ authentication

    async def authenticate_server(self, authkey: bytes) -> None:
        """The serving side's HMAC challenge: challenge the peer, then answer its challenge.

        Raises :class:`AuthenticationError` if the peer holds another key.
        """
        key = bytes_key(authkey)
        await self._deliver_challenge(key)
        await self._answer_challenge(key)

    async def authenticate_client(self, authkey: bytes) -> None:
        """The connecting side's HMAC challenge: answer the peer's challenge, then challenge it."""
        key = bytes_key(authkey)
        await self._answer_challenge(key)
        await self._deliver_challenge(key)

    async def _deliver_challenge(self, key: bytes) -> None:
        nonce = _challenge.make_nonce()
        await self.send_bytes(_challenge.CHALLENGE + nonce)
        response = await self.recv_bytes(_challenge.LIMIT)
        try:
            _challenge.verify(key, nonce, response)
        except ValueError as exc:
            await self.send_bytes(_challenge.FAILURE)
            raise AuthenticationError(str(exc)) from None
        await self.send_bytes(_challenge.WELCOME)

    async def _answer_challenge(self, key: bytes) -> None:
        message = await self.recv_bytes(_challenge.LIMIT)
        if not message.startswith(_challenge.CHALLENGE):
            raise AuthenticationError(
                f"the peer sent {message[:20]!r} where its HMAC challenge was expected"
            )
        try:
            response = _challenge.answer(key, message[len(_challenge.CHALLENGE) :])
        except ValueError as exc:
            raise AuthenticationError(str(exc)) from None
        await self.send_bytes(response)
        if await self.recv_bytes(_challenge.LIMIT) != _challenge.WELCOME:
            raise AuthenticationError("the peer rejected our answer: it has another authkey")
