"""Listening sockets: made for a server, or handed to one by its caller.

:func:`tcp_server_socket` and :func:`unix_server_socket` make the socket every server of
curio-net listens on (curio 1.x's names, public through :mod:`curio_net.network`);
:func:`listening_socket` checks one that a caller made, before a server runs on it.
A Unix socket's file is recorded when it is made (:func:`unix_socket_file`) so that it
is removed on close only if nobody replaced it meanwhile (:func:`remove_unix_socket_file`).
"""

from __future__ import annotations

import os
import socket as _socket
import stat

from curio_io import Socket

from ._ports import check_port
from .socket import (
    AF_INET,
    AF_INET6,
    AF_UNIX,
    SO_REUSEADDR,
    SO_REUSEPORT,
    SOCK_STREAM,
    SOL_SOCKET,
    socket,
)

__all__ = [
    "listening_socket",
    "remove_unix_socket_file",
    "tcp_server_socket",
    "unix_server_socket",
    "unix_socket_file",
]

#: The identity of a Unix socket file: its path, device and inode.
UnixSocketFile = tuple[str, int, int]


def tcp_server_socket(
    host: str | None,
    port: int,
    family: int = AF_INET,
    backlog: int = 100,
    reuse_address: bool = True,
    reuse_port: bool = False,
) -> Socket:
    """A TCP socket bound to *host* and *port* and listening, ready for a server.

    *family* is ``AF_INET`` or ``AF_INET6``; an empty or ``None`` *host* means every
    interface; port 0 lets the system pick a free port (``getsockname()`` tells which).
    *reuse_address* and *reuse_port* set ``SO_REUSEADDR`` and ``SO_REUSEPORT``.  Give the
    socket to :func:`~curio_net.run_server`, or use it as any other
    :class:`curio_io.Socket`.
    """
    check_port(port)
    if family not in (AF_INET, AF_INET6):
        raise ValueError(
            f"a TCP server's family must be AF_INET or AF_INET6, got {family!r} "
            "(for a Unix socket: unix_server_socket or create_unix_server)"
        )
    sock = socket(family, SOCK_STREAM)
    raw = sock.raw_socket
    try:
        if reuse_address:
            raw.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
        if reuse_port:
            raw.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)
        raw.bind((host or "", port))
        raw.listen(backlog)
    except BaseException:
        raw.close()  # never seen by the kernel: a plain close is enough
        raise
    return sock


def unix_server_socket(path: str, backlog: int = 100) -> Socket:
    """A Unix stream socket bound to *path* and listening, ready for a server.

    The socket file stays when the socket is closed (as with the standard library);
    :func:`~curio_net.create_unix_server` and :func:`~curio_net.network.unix_server`
    remove it.
    """
    sock = socket(AF_UNIX, SOCK_STREAM)
    raw = sock.raw_socket
    try:
        raw.bind(path)
        raw.listen(backlog)
    except BaseException:
        raw.close()
        raise
    return sock


def listening_socket(sock: object, caller: str) -> Socket:
    """*sock* (a :class:`curio_io.Socket` or a standard socket) if it is a listening stream socket.

    Raises ``TypeError`` or ``ValueError`` naming *caller* otherwise, so that a socket
    that was never ``listen()``-ed fails at once rather than at its first ``accept()``.
    """
    if isinstance(sock, _socket.socket):
        sock = Socket(sock)
    if not isinstance(sock, Socket):
        raise TypeError(f"{caller} needs a listening socket, got {type(sock).__name__} {sock!r}")
    raw = sock.raw_socket
    if raw.fileno() < 0:
        raise ValueError(f"{caller} needs a listening socket; this one is closed")
    if raw.type != SOCK_STREAM:
        raise ValueError(f"{caller} needs a SOCK_STREAM socket, got {raw.type!r}")
    if not raw.getsockopt(SOL_SOCKET, _socket.SO_ACCEPTCONN):
        raise ValueError(
            f"{caller} needs a listening socket: bind() and listen() it first "
            "(tcp_server_socket() and unix_server_socket() make one)"
        )
    return sock


def unix_socket_file(path: str) -> UnixSocketFile | None:
    """The identity of the socket file just bound at *path* (``None`` if it is none)."""
    info = os.stat(path)
    if not stat.S_ISSOCK(info.st_mode):
        return None
    return (path, info.st_dev, info.st_ino)


def remove_unix_socket_file(file: UnixSocketFile) -> None:
    """Remove the socket file *file*, unless it is gone or was replaced by another."""
    path, device, inode = file
    try:
        info = os.stat(path)
        if (info.st_dev, info.st_ino) == (device, inode):
            os.unlink(path)
    except OSError:
        pass  # removed or replaced by someone else: not ours to touch
