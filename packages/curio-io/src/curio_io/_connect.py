"""Connecting a non-blocking socket: the host-name lookup and the wait for the handshake.

A host name is looked up in a worker thread (``getaddrinfo`` blocks), a
numeric address or a Unix path is used as it is.  The connection is started
with ``connect_ex`` and, while it is under way, the task waits until the
socket is writable, then reads the outcome from ``SO_ERROR``.
"""

from __future__ import annotations

import errno
import functools
import socket as _socket
from typing import TYPE_CHECKING, Any

from curio_traps import _run_in_thread, _sleep

from ._budget import write_wait

if TYPE_CHECKING:
    from .socket import Address

__all__ = ["connect_ex"]

#: connect_ex() results that mean "the connection is under way, wait until writable".
_IN_PROGRESS = frozenset({errno.EINPROGRESS, errno.EALREADY, errno.EINTR})
_IP_FAMILIES = frozenset({_socket.AF_INET, _socket.AF_INET6})
#: Host strings the socket module understands without any lookup.
_SPECIAL_HOSTS = frozenset({"", "<broadcast>"})
#: Back-off of a Unix-socket connect whose listener's backlog is full (seconds).
_BACKLOG_RETRY_FIRST = 0.001
_BACKLOG_RETRY_MAX = 0.1


async def connect_ex(raw: _socket.socket, address: Address) -> int:
    """Connect *raw* to *address*; return 0 or the ``errno`` code of the failure."""
    address = await _resolve(raw, address)
    delay = _BACKLOG_RETRY_FIRST
    while True:
        err = raw.connect_ex(address)
        if err in _IN_PROGRESS:
            await write_wait(raw)
            return raw.getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR)
        if err == errno.EAGAIN and raw.family == _socket.AF_UNIX:
            # The listener's backlog is full: nothing to wait on, so retry.
            await _sleep(delay)
            delay = min(delay * 2, _BACKLOG_RETRY_MAX)
            continue
        return err


async def _resolve(raw: _socket.socket, address: Address) -> Address:
    """Look up a host name in a worker thread, so ``connect`` never blocks the kernel."""
    if raw.family not in _IP_FAMILIES or not isinstance(address, tuple) or len(address) < 2:
        return address
    host = address[0]
    if not isinstance(host, str) or host in _SPECIAL_HOSTS:
        return address
    try:
        _socket.inet_pton(raw.family, host)
    except OSError:
        pass
    else:
        return address
    infos = await _run_in_thread(
        functools.partial(_socket.getaddrinfo, host, address[1], raw.family, raw.type, raw.proto)
    )
    found: tuple[Any, ...] = infos[0][4]
    return found
