"""Connections and servers, at curio 1.x's path: the names of :mod:`curio_net`."""

from curio_net.connection import (
    open_connection,
    open_unix_connection,
)
from curio_net.network import (
    tcp_server,
    tcp_server_socket,
    unix_server,
    unix_server_socket,
)
from curio_net.server import (
    ClientHandler,
    Server,
    create_server,
    create_unix_server,
    run_server,
    run_unix_server,
)

__all__ = [
    "ClientHandler",
    "Server",
    "create_server",
    "create_unix_server",
    "open_connection",
    "open_unix_connection",
    "run_server",
    "run_unix_server",
    "tcp_server",
    "tcp_server_socket",
    "unix_server",
    "unix_server_socket",
]
