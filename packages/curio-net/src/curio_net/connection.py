"""Outgoing connections: :func:`open_connection` and :func:`open_unix_connection`.

With ``ssl=True`` the server's certificate and host name are verified
against the system's certificate authorities; the host name checked is
*server_hostname*, or else the *host* that was connected to.
"""

from __future__ import annotations

import ssl as _ssl
from collections.abc import Sequence

from curio_io import Socket

from . import ssl as _curio_ssl
from ._ports import check_port
from .socket import (
    AF_INET,
    AF_INET6,
    AF_UNIX,
    IPPROTO_TCP,
    SOCK_STREAM,
    TCP_NODELAY,
    create_connection,
    socket,
)

__all__ = ["open_connection", "open_unix_connection"]


def _context(
    ssl: bool | _ssl.SSLContext | None, alpn_protocols: Sequence[str] | None
) -> _ssl.SSLContext | None:
    """The context that *ssl* asks for (with *alpn_protocols*), or ``None`` for a plain one."""
    if alpn_protocols is not None and (
        isinstance(alpn_protocols, str | bytes)
        or not all(isinstance(p, str) for p in alpn_protocols)
    ):
        raise TypeError(
            f"alpn_protocols must be a list of protocol names such as ['h2', 'http/1.1'], "
            f"got {alpn_protocols!r}"
        )
    if ssl is None or ssl is False:
        if alpn_protocols is not None:
            raise ValueError("alpn_protocols is only meaningful with ssl")
        return None
    if ssl is True:
        context = _curio_ssl.create_default_context()
        if alpn_protocols is not None:
            context.set_alpn_protocols(list(alpn_protocols))
        return context
    if isinstance(ssl, _ssl.SSLContext):
        if alpn_protocols is not None:
            raise ValueError(
                "alpn_protocols goes with ssl=True; a context of your own carries its "
                "protocols already: call its set_alpn_protocols() instead"
            )
        return ssl
    raise TypeError(f"ssl must be True, False, None or an ssl.SSLContext, got {ssl!r}")


async def _secure(
    sock: Socket, context: _ssl.SSLContext | None, server_hostname: str | None
) -> Socket:
    """Run the TLS handshake over *sock* when there is a *context*; close it on failure."""
    if context is None:
        return sock
    tls = sock
    try:
        tls = _curio_ssl._wrap(context, sock, server_hostname=server_hostname)
        await tls.do_handshake()
    except BaseException:
        await tls.close()
        await sock.close()
        raise
    return tls


async def open_connection(
    host: str,
    port: int,
    *,
    ssl: bool | _ssl.SSLContext | None = None,
    source_addr: tuple[str, int] | None = None,
    server_hostname: str | None = None,
    alpn_protocols: Sequence[str] | None = None,
) -> Socket:
    """Connect to *host* and *port* over TCP (IPv4 or IPv6), with TLS if *ssl* asks for it.

    *ssl* is ``True`` (verify the server with the system's authorities) or
    an ``SSLContext``.  *source_addr* is the local address to connect from.
    *server_hostname* is the name the certificate must carry (default:
    *host*).  *alpn_protocols* (with ``ssl=True``) are the protocols offered
    through TLS's ALPN extension, such as ``['h2', 'http/1.1']``; the
    socket's ``selected_alpn_protocol()`` tells which one the server chose.
    Returns a connected :class:`curio_io.Socket` with ``TCP_NODELAY`` set,
    the handshake done.  *port* may also be a service
    name (``"https"``); a number outside 0 to 65535 raises ``ValueError``
    before any connection is tried.
    """
    check_port(port, service_names=True)
    context = _context(ssl, alpn_protocols)
    if server_hostname is not None and context is None:
        raise ValueError("server_hostname is only meaningful with ssl")
    sock = await create_connection((host, port), source_address=source_addr)
    if sock.family in (AF_INET, AF_INET6):
        sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
    return await _secure(sock, context, server_hostname or host)


async def open_unix_connection(
    path: str,
    *,
    ssl: bool | _ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    alpn_protocols: Sequence[str] | None = None,
) -> Socket:
    """Connect to the Unix socket *path*, with TLS if *ssl* asks for it.

    With ``ssl=True``, *server_hostname* is required: the name the server's
    certificate must carry.  *alpn_protocols* as for :func:`open_connection`.
    """
    context = _context(ssl, alpn_protocols)
    if server_hostname is not None and context is None:
        raise ValueError("server_hostname is only meaningful with ssl")
    sock = socket(AF_UNIX, SOCK_STREAM)
    try:
        await sock.connect(path)
    except BaseException:
        await sock.close()
        raise
    return await _secure(sock, context, server_hostname)
