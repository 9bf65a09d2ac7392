"""curio-io: sockets and files whose blocking operations are coroutines.

:class:`Socket` wraps a socket, :class:`Stream` a binary file, and
:class:`SocketStream` gives a socket the :class:`Stream` interface.  They
reach the kernel only through :mod:`curio_traps`.
"""

from .socket import Socket
from .socket_stream import SocketStream
from .stream import Stream

__all__ = ["Socket", "SocketStream", "Stream"]

__version__ = "0.1.0"
