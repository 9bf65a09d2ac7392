"""Message passing between programs: :class:`Channel` and :class:`Connection`.

A :class:`Connection` sends and receives whole messages, bytes or pickled objects, over a
pair of :class:`curio_io.Stream` objects, framed as ``multiprocessing.connection``
frames them (a 4-byte big-endian length, or -1 and an 8-byte length), so either end may
be a ``multiprocessing.connection.Client`` or ``Listener``.  A :class:`Channel` is the
address such connections are made on; with an *authkey* both ends prove they hold the
same key with multiprocessing's HMAC challenge before any message passes.

What the other end sends cannot make this end misbehave: a message longer than the limit
(:data:`DEFAULT_MAX_MESSAGE_SIZE` unless told otherwise) is refused from its header
before its body is read, and only the bytes that actually arrive are ever held.  Objects
are unpickled, which runs code of the sender's choosing: receive objects only from peers
that proved they hold the key, or use :meth:`Connection.recv_bytes`.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
from types import TracebackType
from typing import Any, Final

from curio_io import Socket
from curio_traps import AwaitedContext, _sleep, clean_up

from ._deadline import bounded
from ._listening import (
    UnixSocketFile,
    remove_unix_socket_file,
    tcp_server_socket,
    unix_server_socket,
    unix_socket_file,
)
from ._messages import (
    DEFAULT_MAX_MESSAGE_SIZE,
    AuthenticationError,
    ChannelClosedError,
    ChannelError,
    Connection,
    MessageError,
    bytes_key,
    check_size,
)
from .socket import AF_INET, AF_INET6, AF_UNIX, IPPROTO_TCP, SOCK_STREAM, TCP_NODELAY, socket

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "AuthenticationError",
    "Channel",
    "ChannelClosedError",
    "ChannelError",
    "Connection",
    "MessageError",
]

_log = logging.getLogger(__name__)

_RETRY_FIRST: Final = 0.01
_RETRY_MAX: Final = 1.0

# ---------------------------------------------------------------------- channels


class Channel(AwaitedContext):
    """The address of message connections: :meth:`accept` them on it, or :meth:`connect` to it.

    *address* is a ``(host, port)`` pair for ``AF_INET`` and ``AF_INET6`` (port 0: the
    system picks one, see :meth:`bind`) or a path for ``AF_UNIX``.  The connections it
    makes refuse messages over *max_message_size* bytes; *auth_timeout* is how long the
    HMAC challenge may take.  A channel pickles as its address, so a child process can
    connect to it.
    """

    def __init__(
        self,
        address: Any,
        family: int = AF_INET,
        *,
        max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
        auth_timeout: float = 1.0,
    ) -> None:
        if family not in (AF_INET, AF_INET6, AF_UNIX):
            raise ValueError(f"a channel's family is AF_INET, AF_INET6 or AF_UNIX, got {family!r}")
        if family == AF_UNIX:
            if not isinstance(address, str | bytes):
                raise TypeError(f"an AF_UNIX channel's address is a path, got {address!r}")
        elif not (isinstance(address, tuple) and len(address) >= 2):
            raise TypeError(f"a channel's address is a (host, port) pair, got {address!r}")
        if not auth_timeout > 0:
            raise ValueError(
                f"auth_timeout must be a positive number of seconds, got {auth_timeout!r}"
            )
        check_size(max_message_size, "max_message_size")
        #: The address: the one given, then the bound one once :meth:`bind` has run.
        self.address: Any = address
        #: The address family.
        self.family: int = family
        self._limit = max_message_size
        self._auth_timeout = auth_timeout
        self._sock: Socket | None = None
        self._unix_file: UnixSocketFile | None = None

    def __repr__(self) -> str:
        return f"Channel({self.address!r}, {self.family!r})"

    def __getstate__(self) -> tuple[Any, int, int | None, float]:
        return (self.address, self.family, self._limit, self._auth_timeout)

    def __setstate__(self, state: tuple[Any, int, int | None, float]) -> None:
        self.address, self.family, self._limit, self._auth_timeout = state
        self._sock = None
        self._unix_file = None

    async def __aenter__(self) -> Channel:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def bind(self) -> None:
        """Listen on the address now, before :meth:`accept`; :attr:`address` becomes the bound one.

        With port 0 the system picks a free port, and :attr:`address` tells which.
        """
        if self._sock is not None:
            raise RuntimeError(f"{self!r} is bound already")
        if self.family == AF_UNIX:
            self._sock = unix_server_socket(self.address, backlog=5)
            self._unix_file = unix_socket_file(self.address)
        else:
            host, port = self.address[:2]
            self._sock = tcp_server_socket(host, port, self.family, backlog=5)
        self.address = self._sock.getsockname()

    async def accept(self, *, authkey: bytes | None = None) -> Connection:
        """Wait for a peer to connect (binding first if need be) and return the :class:`Connection`.

        With *authkey*, a peer that fails the HMAC challenge, or does not finish it
        within the channel's *auth_timeout*, is dropped and the next one awaited.
        """
        key = None if authkey is None else bytes_key(authkey)
        if self._sock is None:
            self.bind()
        assert self._sock is not None
        while True:
            client, address = await self._sock.accept()
            conn = _connection(client, self._limit)
            if not key:
                return conn
            try:
                await bounded(self._auth_timeout, conn.authenticate_server(key))
            except (ChannelError, EOFError, OSError) as exc:
                _log.debug("%r: dropped %r, which did not authenticate: %s", self, address, exc)
                await conn.close()
                continue
            except BaseException as exc:
                await clean_up(exc, conn.close())
                raise
            return conn

    async def connect(self, *, authkey: bytes | None = None) -> Connection:
        """Connect to the channel's address and return the :class:`Connection`.

        While nobody listens there yet (connection refused, no socket file) it tries
        again, at most a second apart, until it gets through or is cancelled.  With
        *authkey*, a peer that rejects the key or does not take part in the HMAC
        challenge within *auth_timeout* raises :class:`AuthenticationError`.
        """
        key = None if authkey is None else bytes_key(authkey)
        delay = _RETRY_FIRST
        while True:
            sock = socket(self.family, SOCK_STREAM)
            try:
                await sock.connect(self.address)
            except (ConnectionRefusedError, FileNotFoundError):
                await sock.close()
                await _sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)
                continue
            except BaseException as exc:
                await clean_up(exc, sock.close())
                raise
            break
        conn = _connection(sock, self._limit)
        if not key:
            return conn
        try:
            await bounded(self._auth_timeout, conn.authenticate_client(key))
        except BaseException as exc:
            await clean_up(exc, conn.close())
            if isinstance(exc, TimeoutError | EOFError | builtins.ConnectionError):
                raise AuthenticationError(
                    f"the peer at {self.address!r} did not complete the HMAC challenge: {exc}"
                ) from exc
            raise
        return conn

    async def close(self) -> None:
        """Stop listening (again is harmless); a Unix socket file this channel made is removed."""
        sock, self._sock = self._sock, None
        if sock is not None:
            await sock.close()
        if self._unix_file is not None:
            file, self._unix_file = self._unix_file, None
            remove_unix_socket_file(file)


def _connection(sock: Socket, limit: int | None) -> Connection:
    """A :class:`Connection` over the connected socket *sock*."""
    if sock.family in (AF_INET, AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
    stream = sock.as_stream()
    return Connection(stream, stream, max_message_size=limit)
