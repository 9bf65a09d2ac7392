"""Sockets and streams for curio tasks: the names of :mod:`curio_io`, under ``curio.io``."""

from curio_io import (
    FileStream,
    Socket,
    SocketStream,
    Stream,
)

__all__ = [
    "FileStream",
    "Socket",
    "SocketStream",
    "Stream",
]
