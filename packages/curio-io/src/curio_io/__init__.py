"""curio-io: sockets and files whose blocking operations are coroutines.

:class:`Socket` wraps a socket, :class:`Stream` (:class:`FileStream`, by its
curio 1.x name) a binary file, and :class:`SocketStream` gives a socket the
:class:`Stream` interface; :mod:`curio_io.file` runs ordinary files in worker
threads.  They reach the kernel only through :mod:`curio_traps`.
"""

from .socket import Socket
from .socket_stream import SocketStream
from .stream import FileStream, Stream

__all__ = ["FileStream", "Socket", "SocketStream", "Stream"]

__version__ = "0.1.0"
