"""The one check of a port, made before a socket is opened or a name looked up.

The C library keeps 16 bits of a port: ``getaddrinfo("127.0.0.1", 70000)`` gives port
4464, and so does the service string ``"70000"``.  ``bind`` and ``connect`` take ``True``
for port 1.  So a mistyped port would reach some other service without a word; every
function of curio-net that takes a port hands it to :func:`check_port` first.
"""

from __future__ import annotations

__all__ = ["MAX_PORT", "check_port"]

#: The largest port number: a port is 16 bits.
MAX_PORT = 65535


def check_port(port: object, *, service_names: bool = False) -> None:
    """Raise unless *port* is an ``int`` from 0 to 65535, or with *service_names* a service name.

    A service name is a ``str`` (or ``bytes``, as :func:`socket.getaddrinfo` takes it) such as
    ``"http"``, allowed only where the port is looked up by name; a string of digits is a
    number and must be in range too.  A ``bool`` is refused although it is an ``int``.
    Raises ``TypeError`` for a wrong type, ``ValueError`` for a number out of range.
    """
    if isinstance(port, bool):
        raise TypeError(f"port must be an int from 0 to {MAX_PORT}, not a bool ({port!r})")
    if isinstance(port, int):
        number = port
    elif service_names and isinstance(port, str | bytes):
        text = port.decode("ascii", "replace") if isinstance(port, bytes) else port
        # Numeric as the C library reads it: blanks around, an optional '+', digits.
        digits = text.strip().removeprefix("+")
        if not (digits.isascii() and digits.isdigit()):
            return  # a service name, looked up as the standard library does
        number = int(digits)
    elif isinstance(port, str | bytes):
        raise TypeError(
            f"port must be an int from 0 to {MAX_PORT}, got the string {port!r} (no service "
            "name is looked up here: give its number, from socket.getservbyname() for example)"
        )
    else:
        expected = f"an int from 0 to {MAX_PORT}" + (" or a service name" if service_names else "")
        raise TypeError(f"port must be {expected}, got {type(port).__name__} {port!r}")
    if not 0 <= number <= MAX_PORT:
        raise ValueError(f"port {port!r} is out of range: a port is a number from 0 to {MAX_PORT}")
