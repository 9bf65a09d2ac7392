"""The exceptions that mean "not now, wait and retry" for a non-blocking operation.

A plain socket or pipe says it with ``BlockingIOError``.  An SSL socket says
it with ``SSLWantReadError`` or ``SSLWantWriteError``, and either can come out
of a read *or* a write (TLS renegotiation and the handshake need both
directions), so every loop that retries an operation sorts the exception into
"wait until readable" or "wait until writable".
"""

from __future__ import annotations

import ssl
from typing import Final

__all__ = ["READ_RETRY", "SEND_RETRY", "SSL_WANT_READ", "SSL_WANT_WRITE"]

SSL_WANT_READ: Final = ssl.SSLWantReadError
SSL_WANT_WRITE: Final = ssl.SSLWantWriteError

#: Raised by a receive that must wait until the descriptor is readable.
READ_RETRY: Final = (BlockingIOError, ssl.SSLWantReadError)

#: Raised by a send that must wait until the descriptor is writable.
SEND_RETRY: Final = (BlockingIOError, ssl.SSLWantWriteError)
