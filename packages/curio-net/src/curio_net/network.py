"""curio 1.x's server functions: :func:`tcp_server`, :func:`unix_server` and their sockets.

They run the same :class:`~curio_net.Server` as :func:`~curio_net.run_server` and
:func:`~curio_net.run_unix_server`, so a 1.x program gets what every server of curio-net
guarantees: the TLS handshake done (within a time limit) before the handler runs, a
crashing handler logged without stopping the server, a back-off while descriptors run
out, and every handler ended when the server is cancelled.
"""

from __future__ import annotations

import ssl as _ssl

from ._listening import tcp_server_socket, unix_server_socket
from .server import ClientHandler, create_unix_server, run_server
from .socket import AF_INET

__all__ = ["tcp_server", "tcp_server_socket", "unix_server", "unix_server_socket"]


async def tcp_server(
    host: str | None,
    port: int,
    client_connected_task: ClientHandler,
    *,
    family: int = AF_INET,
    backlog: int = 100,
    ssl: _ssl.SSLContext | None = None,
    reuse_address: bool = True,
    reuse_port: bool = False,
) -> None:
    """Serve TCP connections on *host* and *port* until cancelled.

    Each connection runs ``await client_connected_task(client, address)`` in a task of
    its own, over TLS when *ssl* (a server ``SSLContext``) is given.  The arguments are
    those of :func:`tcp_server_socket`; the same as ``run_server(host, port, ...)``.
    """
    await run_server(
        host,
        port,
        client_connected_task,
        family=family,
        backlog=backlog,
        ssl=ssl,
        reuse_address=reuse_address,
        reuse_port=reuse_port,
    )


async def unix_server(
    path: str,
    client_connected_task: ClientHandler,
    *,
    backlog: int = 100,
    ssl: _ssl.SSLContext | None = None,
) -> None:
    """Serve connections on the Unix socket *path* until cancelled.

    As :func:`tcp_server` otherwise; the socket file is removed when the server stops,
    unless it was replaced meanwhile.
    """
    server = create_unix_server(path, client_connected_task, backlog=backlog, ssl=ssl)
    await server.serve_forever()
