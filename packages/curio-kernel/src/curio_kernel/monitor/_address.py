"""Where the remote monitor console listens: ``host:port`` or the path of a Unix socket.

The server and the client (``python -m curio.monitor``) read addresses the
same way.  The server refuses every address that is not a loopback one: the
console can cancel tasks and send signals, so it is never offered to the
network.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import socket
import stat

__all__ = [
    "DEFAULT_ADDRESS",
    "MONITOR_ENV",
    "Address",
    "address_from_env",
    "connect",
    "format_address",
    "listen",
    "parse_address",
]

#: The environment variable that turns the remote console on (see :func:`address_from_env`).
MONITOR_ENV = "CURIO_MONITOR"

#: The address used when the remote console is asked for without one.
DEFAULT_ADDRESS: tuple[str, int] = ("127.0.0.1", 48802)

#: A TCP ``(host, port)`` or the path of a Unix socket.
Address = tuple[str, int] | str

_OFF = frozenset({"", "0", "off", "no", "false"})
_ON = frozenset({"1", "on", "yes", "true"})


def parse_address(text: str) -> Address:
    """Read ``host:port``, ``[ipv6]:port``, ``:port``, ``port`` or a Unix socket path.

    A path is anything containing a ``/`` (``./monitor.sock`` for one in the
    current directory).  A missing host is ``127.0.0.1``.
    """
    text = text.strip()
    if not text:
        raise ValueError("the monitor address is empty; give host:port or a Unix socket path")
    if "/" in text:
        return text
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"monitor address {text!r}: expected [ipv6-address]:port")
        port_text = rest[1:]
    elif text.count(":") > 1:
        raise ValueError(f"monitor address {text!r}: write an IPv6 address as [address]:port")
    elif ":" in text:
        host, _, port_text = text.partition(":")
    elif text.isdigit():
        host, port_text = "", text
    else:
        host, port_text = text, ""
    if not port_text:
        port = DEFAULT_ADDRESS[1]
    elif port_text.isdigit() and int(port_text) <= 65535:
        port = int(port_text)
    else:
        raise ValueError(f"monitor address {text!r}: the port must be a number from 0 to 65535")
    return (host or DEFAULT_ADDRESS[0], port)


def address_from_env(value: str | None) -> Address | None:
    """The remote console's address from the value of ``CURIO_MONITOR``.

    Unset, empty, ``0``, ``off``, ``no`` or ``false``: no remote console.
    ``1``, ``on``, ``yes`` or ``true``: :data:`DEFAULT_ADDRESS`.  Anything
    else is an address for :func:`parse_address` (``127.0.0.1:0`` picks a
    free port).
    """
    if value is None or value.strip().lower() in _OFF:
        return None
    if value.strip().lower() in _ON:
        return DEFAULT_ADDRESS
    return parse_address(value)


def format_address(address: Address) -> str:
    """The address as :func:`parse_address` reads it back."""
    if isinstance(address, str):
        return address
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _loopback_addrinfo(host: str, port: int) -> tuple[int, tuple[object, ...]]:
    """Resolve *host*; refuse it unless every address it names is a loopback one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"monitor address {host!r} cannot be resolved: {exc}") from exc
    for _, _, _, _, sockaddr in infos:
        if not ipaddress.ip_address(str(sockaddr[0]).partition("%")[0]).is_loopback:
            raise ValueError(
                f"monitor address {host!r} is not a loopback address; the monitor console only "
                "listens on 127.0.0.1, ::1 or a Unix socket (use an SSH tunnel to reach it "
                "from another machine)"
            )
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr


def listen(address: Address) -> tuple[socket.socket, Address]:
    """Open a listening socket on *address*; return it and the address actually bound.

    TCP addresses must be loopback ones.  A Unix socket is made readable and
    writable by its owner only; a stale socket file nobody listens on is
    replaced.
    """
    if isinstance(address, str):
        return _listen_unix(address)
    family, sockaddr = _loopback_addrinfo(*address)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
        sock.listen(8)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    bound = sock.getsockname()
    return sock, (str(bound[0]), int(bound[1]))


def _listen_unix(path: str) -> tuple[socket.socket, Address]:
    _remove_stale_socket(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
        os.chmod(path, 0o600)
        sock.listen(8)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock, path


def _remove_stale_socket(path: str) -> None:
    """Delete *path* if it is a Unix socket that nobody listens on any more."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise FileExistsError(errno.EEXIST, "the monitor socket path exists and is no socket", path)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except ConnectionRefusedError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    finally:
        probe.close()
    raise OSError(errno.EADDRINUSE, "another program listens on the monitor socket", path)


def connect(address: Address, timeout: float | None = None) -> socket.socket:
    """Connect to a monitor console at *address* (a blocking socket)."""
    if isinstance(address, str):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.settimeout(None)
        except BaseException:
            sock.close()
            raise
        return sock
    sock = socket.create_connection(address, timeout=timeout)
    sock.settimeout(None)
    return sock
