"""curio-net: curio's socket and ssl modules, connections, servers and message channels.

:mod:`curio_net.socket` and :mod:`curio_net.ssl` stand in for the standard
modules of the same names; :func:`open_connection` and the server functions
cover the common cases in one call.  Everything reaches the kernel only
through :mod:`curio_traps`.
"""

from . import socket, ssl
from .channel import Channel
from .connection import open_connection, open_unix_connection
from .network import tcp_server, tcp_server_socket, unix_server, unix_server_socket
from .server import (
    ClientHandler,
    Server,
    create_server,
    create_unix_server,
    run_server,
    run_unix_server,
)

__all__ = [
    "Channel",
    "ClientHandler",
    "Server",
    "create_server",
    "create_unix_server",
    "open_connection",
    "open_unix_connection",
    "run_server",
    "run_unix_server",
    "socket",
    "ssl",
    "tcp_server",
    "tcp_server_socket",
    "unix_server",
    "unix_server_socket",
]

__version__ = "0.1.0"
