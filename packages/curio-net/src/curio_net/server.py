"""Servers: accept connections and run a handler task for each.

A :class:`Server` keeps going whatever its clients do: a client that resets
the connection or never sends anything, a handler that crashes (the error is
logged), a TLS client that never finishes its handshake (it is dropped after
*ssl_handshake_timeout* seconds), and running out of file descriptors (it
backs off and accepts again once descriptors are free).  ``shutdown()``
stops it gracefully: no new connections, running handlers get a grace
period, then the remaining ones are cancelled.
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import logging
import socket as _socket
import ssl as _ssl
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Final, overload

from curio_io import Socket
from curio_traps import (
    CancelledError,
    TaskError,
    TaskLike,
    _current_task,
    _join_task,
    _sleep,
    _spawn,
    _wait_task,
    cancel_and_wait,
    clean_up,
    stronger,
)

from . import ssl as _curio_ssl
from ._deadline import bounded
from ._listening import (
    UnixSocketFile,
    listening_socket,
    remove_unix_socket_file,
    tcp_server_socket,
    unix_server_socket,
    unix_socket_file,
)
from .socket import AF_INET, AF_INET6, IPPROTO_TCP, TCP_NODELAY

__all__ = [
    "ClientHandler",
    "Server",
    "create_server",
    "create_unix_server",
    "run_server",
    "run_unix_server",
]

_log = logging.getLogger(__name__)

#: A client handler: ``await handler(client_socket, client_address)``.
ClientHandler = Callable[[Socket, Any], Awaitable[object]]

#: Seconds a TLS client gets to finish its handshake, unless told otherwise.
DEFAULT_HANDSHAKE_TIMEOUT: Final = 10.0
#: Seconds ``shutdown()`` lets running handlers finish, unless told otherwise.
DEFAULT_GRACE_PERIOD: Final = 10.0

#: accept() failures that mean "out of descriptors or memory": back off, then retry.
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
#: accept() failures that concern one pending connection only: skip it.
_CONNECTION_GONE = frozenset(
    getattr(errno, name)
    for name in (
        "ECONNABORTED",
        "EPROTO",
        "EPERM",
        "EINTR",
        "ENETDOWN",
        "ENOPROTOOPT",
        "EHOSTDOWN",
        "ENONET",
        "EHOSTUNREACH",
        "EOPNOTSUPP",
        "ENETUNREACH",
    )
    if hasattr(errno, name)
)
_BACKOFF_FIRST: Final = 0.01
_BACKOFF_MAX: Final = 0.5


class _HandshakeFailed(Exception):
    """A TLS client failed or did not finish its handshake; already logged and closed."""


class Server:
    """A listening socket and the handler tasks of its connections.

    Made by :func:`create_server` or :func:`create_unix_server`; run it with
    :meth:`serve_forever` and stop it with :meth:`shutdown` (or cancel the
    task running it).  ``async with server:`` closes it on the way out.
    """

    def __init__(
        self,
        sock: Socket,
        client_connected_task: ClientHandler,
        *,
        ssl: _ssl.SSLContext | None = None,
        ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
    ) -> None:
        if not callable(client_connected_task):
            raise TypeError(
                f"client_connected_task must be an async function, got {client_connected_task!r}"
            )
        given_ssl: object = ssl
        if given_ssl is not None and not isinstance(given_ssl, _ssl.SSLContext):
            raise TypeError(
                "a server's ssl must be an ssl.SSLContext holding its certificate "
                f"(see ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)), got {ssl!r}"
            )
        if ssl_handshake_timeout <= 0:
            raise ValueError(f"ssl_handshake_timeout must be positive, got {ssl_handshake_timeout}")
        self._sock = sock
        self._handler = client_connected_task
        self._ssl = ssl
        self._handshake_timeout = ssl_handshake_timeout
        #: The address the server listens on (useful after binding port 0).
        self.address: Any = sock.getsockname()
        self._unix_path: UnixSocketFile | None = None
        self._clients: set[TaskLike[Any]] = set()
        self._serve_task: TaskLike[Any] | None = None
        self._accepting = False
        self._closed = False
        self._grace = 0.0
        self._stopper: TaskLike[Any] | None = None

    def __repr__(self) -> str:
        state = "closed" if self._closed else "serving" if self._accepting else "idle"
        return f"<curio_net.Server {self.address!r} {state}, {len(self._clients)} connections>"

    @property
    def socket(self) -> Socket:
        """The listening socket."""
        return self._sock

    @property
    def connections(self) -> int:
        """How many connections are being handled now."""
        return len(self._clients)

    @property
    def closed(self) -> bool:
        """Whether the server has stopped accepting for good."""
        return self._closed

    # ------------------------------------------------------------------ serving

    async def serve_forever(self) -> None:
        """Accept connections and start a handler task for each, until stopped.

        Returns after :meth:`shutdown` has stopped the server and its handlers.
        When the task running it is cancelled instead, the listening socket
        is closed and every handler cancelled before the cancellation goes on.
        Errors of ``accept()`` other than running out of descriptors, or a
        single connection failing, end it with that error.
        """
        if self._serve_task is not None:
            raise RuntimeError("serve_forever() is already running")
        if self._closed:
            raise RuntimeError("the server is closed")
        self._serve_task = await _current_task()
        self._accepting = True
        try:
            await self._accept_forever()
        except BaseException as exc:
            await clean_up(exc, self._stop_serving())
            raise
        await self._stop_serving()

    async def _stop_serving(self) -> None:
        self._accepting = False
        self._closed = True
        try:
            await self._close_listener()
            await self._end_clients(self._grace)
        finally:
            self._serve_task = None

    async def _accept_forever(self) -> None:
        listener = self._sock
        delay = 0.0
        while True:
            try:
                client, address = await listener.accept()
            except OSError as exc:
                if not self._accepting:
                    return  # shutdown() closed the listening socket
                if exc.errno in _OUT_OF_RESOURCES:
                    if not delay:
                        _log.warning("%r: accept() failed, backing off: %s", self, exc)
                    delay = min(delay * 2, _BACKOFF_MAX) if delay else _BACKOFF_FIRST
                    await _sleep(delay)
                    continue
                if exc.errno in _CONNECTION_GONE:
                    continue
                raise
            if delay:
                _log.info("%r: accepting again", self)
                delay = 0.0
            await self._start_client(client, address)

    async def _start_client(self, client: Socket, address: Any) -> None:
        if client.family in (AF_INET, AF_INET6):
            # An error means the client is already gone; its handler will find out.
            with contextlib.suppress(OSError):
                client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
        coro = self._run_client(client, address)
        try:
            task = await _spawn(coro, True)
        except BaseException:
            coro.close()
            await client.close()
            raise
        if not task.terminated:
            self._clients.add(task)

    async def _run_client(self, client: Socket, address: Any) -> None:
        """The body of a handler task: TLS handshake, the handler, then close."""
        task = await _current_task()
        self._clients.add(task)
        try:
            if self._ssl is not None:
                client = await self._handshake(self._ssl, client, address)
            await self._handler(client, address)
        except _HandshakeFailed:
            pass
        except ConnectionError as exc:
            _log.debug("connection from %r lost: %s", address, exc)
        except Exception:
            _log.exception("the handler of the connection from %r crashed", address)
        finally:
            self._clients.discard(task)
            await client.close()

    async def _handshake(self, context: _ssl.SSLContext, client: Socket, address: Any) -> Socket:
        """Run the server side of the TLS handshake, within the handshake timeout."""
        try:
            tls = _curio_ssl._wrap(context, client, server_side=True, do_handshake_on_connect=False)
        except OSError as exc:
            _log.debug("TLS setup for %r failed: %s", address, exc)
            raise _HandshakeFailed from exc
        try:
            await bounded(self._handshake_timeout, tls.do_handshake())
        except OSError as exc:  # SSLError and TimeoutError are OSErrors
            await tls.close()
            _log.debug("TLS handshake with %r failed: %s", address, exc)
            raise _HandshakeFailed from exc
        except BaseException:
            await tls.close()
            raise
        return tls

    # ------------------------------------------------------------------ stopping

    async def shutdown(self, grace_period: float = DEFAULT_GRACE_PERIOD) -> None:
        """Stop: accept no more, give handlers *grace_period* seconds, then cancel the rest.

        Returns when the listening socket is closed and every handler has
        ended.  A handler may call it itself: it is then neither waited for
        nor cancelled.
        """
        if grace_period < 0:
            raise ValueError(f"grace_period must be 0 or more, got {grace_period}")
        me = await _current_task()
        serving = self._serve_task
        if serving is me:
            raise RuntimeError("shutdown() cannot be called by the task running serve_forever()")
        self._closed = True
        self._stopper = me
        if serving is not None:
            if self._accepting:
                # Closing the listening socket wakes serve_forever(), which then
                # ends the handlers, with the grace period.
                self._accepting = False
                self._grace = grace_period
                await self._close_listener()
            try:
                await _wait_task(serving)  # serve_forever() ends the handlers, with the grace
            except CancelledError as exc:
                # Interrupted: no more grace; end serve_forever() and its handlers now.
                await clean_up(exc, cancel_and_wait((serving,)))
                raise
            return
        await self._close_listener()
        await self._end_clients(grace_period)

    async def close(self) -> None:
        """Stop at once: close the listening socket and cancel every handler."""
        await self.shutdown(grace_period=0.0)

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _close_listener(self) -> None:
        await self._sock.close()
        if self._unix_path is not None:
            file, self._unix_path = self._unix_path, None
            remove_unix_socket_file(file)

    async def _end_clients(self, grace_period: float) -> None:
        """Wait up to *grace_period* for the handlers to end, then cancel the rest.

        An interruption during the grace period ends it early; every handler
        is then cancelled and waited for all the same (the strongest
        interruption is raised once they have ended).
        """
        interruption: BaseException | None = None
        if grace_period > 0:
            try:
                with contextlib.suppress(TimeoutError):
                    await bounded(grace_period, self._join_clients())
            except CancelledError as exc:
                interruption = exc
        while remaining := [task for task in self._clients if task is not self._stopper]:
            try:
                await cancel_and_wait(remaining)
            except CancelledError as exc:
                interruption = stronger(interruption, exc)
            self._clients.difference_update(remaining)
        if interruption is not None:
            raise interruption

    async def _join_clients(self) -> None:
        while True:
            remaining = [task for task in self._clients if task is not self._stopper]
            if not remaining:
                return
            with contextlib.suppress(TaskError):
                await _join_task(remaining[0])
            self._clients.discard(remaining[0])


# ---------------------------------------------------------------------- factories


def create_server(
    host: str | None,
    port: int,
    client_connected_task: ClientHandler,
    *,
    family: int = AF_INET,
    backlog: int = 100,
    ssl: _ssl.SSLContext | None = None,
    reuse_address: bool = True,
    reuse_port: bool = False,
    ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
) -> Server:
    """Listen for TCP connections on *host* and *port*; return the :class:`Server`, not yet serving.

    *family* is ``AF_INET`` or ``AF_INET6``; an empty *host* means every
    interface.  Each connection runs ``await client_connected_task(client,
    address)`` in a task of its own, after the TLS handshake when *ssl* (an
    ``SSLContext`` with the server's certificate) is given.  *port* is a
    number from 0 to 65535 (0: the system picks a free one, see
    :attr:`Server.address`); anything else raises before a socket is made.
    """
    sock = tcp_server_socket(host, port, family, backlog, reuse_address, reuse_port)
    try:
        return Server(
            sock, client_connected_task, ssl=ssl, ssl_handshake_timeout=ssl_handshake_timeout
        )
    except BaseException:
        sock.raw_socket.close()  # never seen by the kernel: a plain close is enough
        raise


async def _serve_host(
    host: str | None,
    port: int,
    client_connected_task: ClientHandler,
    *,
    family: int = AF_INET,
    backlog: int = 100,
    ssl: _ssl.SSLContext | None = None,
    reuse_address: bool = True,
    reuse_port: bool = False,
    ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
) -> None:
    server = create_server(
        host,
        port,
        client_connected_task,
        family=family,
        backlog=backlog,
        ssl=ssl,
        reuse_address=reuse_address,
        reuse_port=reuse_port,
        ssl_handshake_timeout=ssl_handshake_timeout,
    )
    await server.serve_forever()


async def _serve_socket(
    sock: Socket | _socket.socket,
    client_connected_task: ClientHandler,
    ssl: _ssl.SSLContext | None = None,
    *,
    ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
) -> None:
    listener = listening_socket(sock, "run_server()")
    server = Server(
        listener, client_connected_task, ssl=ssl, ssl_handshake_timeout=ssl_handshake_timeout
    )
    await server.serve_forever()


@overload
async def run_server(
    sock: Socket | _socket.socket,
    client_connected_task: ClientHandler,
    ssl: _ssl.SSLContext | None = None,
    *,
    ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
) -> None: ...
@overload
async def run_server(
    host: str | None,
    port: int,
    client_connected_task: ClientHandler,
    *,
    family: int = AF_INET,
    backlog: int = 100,
    ssl: _ssl.SSLContext | None = None,
    reuse_address: bool = True,
    reuse_port: bool = False,
    ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
) -> None: ...
async def run_server(*args: Any, **kwargs: Any) -> None:
    """Serve connections until cancelled, on a new TCP socket or on a listening socket.

    ``run_server(host, port, client_connected_task, ...)`` listens with
    :func:`create_server` (same arguments).  ``run_server(sock, client_connected_task,
    ssl=None)``, curio 1.x's form, serves on *sock*, a listening socket made by
    :func:`~curio_net.network.tcp_server_socket`, :func:`~curio_net.network.unix_server_socket`
    or by hand (a :class:`curio_io.Socket` or a standard socket), and closes it at the end.
    The first argument tells the forms apart: a socket (or the keyword ``sock``) is the
    second form, a host (``str`` or ``None``) the first.  Either way it is the same
    :class:`Server`: handshake limit, crash logging, back-off when descriptors run out.
    """
    first = args[0] if args else kwargs.get("sock", kwargs.get("host"))
    if "sock" in kwargs or isinstance(first, Socket | _socket.socket):
        form: Callable[..., Awaitable[None]] = _serve_socket
    elif "host" in kwargs or first is None or isinstance(first, str):
        form = _serve_host
    else:
        raise TypeError(
            "run_server() takes a host and a port (run_server(host, port, handler, ...)) "
            "or a listening socket (run_server(sock, handler, ssl=None)); "
            f"got {type(first).__name__} {first!r} first"
        )
    try:
        inspect.signature(form).bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"run_server(): {exc}") from None
    await form(*args, **kwargs)


def create_unix_server(
    path: str,
    client_connected_task: ClientHandler,
    *,
    backlog: int = 100,
    ssl: _ssl.SSLContext | None = None,
    ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
) -> Server:
    """Listen on the Unix socket *path*; return the :class:`Server`, not yet serving.

    The socket file is removed when the server closes, unless it was
    replaced meanwhile.
    """
    sock = unix_server_socket(path, backlog)
    try:
        server = Server(
            sock, client_connected_task, ssl=ssl, ssl_handshake_timeout=ssl_handshake_timeout
        )
        server._unix_path = unix_socket_file(path)
    except BaseException:
        sock.raw_socket.close()
        raise
    return server


async def run_unix_server(
    path: str,
    client_connected_task: ClientHandler,
    *,
    backlog: int = 100,
    ssl: _ssl.SSLContext | None = None,
    ssl_handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT,
) -> None:
    """Create a Unix server with :func:`create_unix_server` and serve until cancelled."""
    server = create_unix_server(
        path,
        client_connected_task,
        backlog=backlog,
        ssl=ssl,
        ssl_handshake_timeout=ssl_handshake_timeout,
    )
    await server.serve_forever()
