"""Sockets and streams for curio tasks: the names of :mod:`curio_io`, under ``curio.io``."""

from curio_io import (
    Socket,
    SocketStream,
    Stream,
)

__all__ = [
    "Socket",
    "SocketStream",
    "Stream",
]
