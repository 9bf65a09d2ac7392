"""curio's socket module: the standard :mod:`socket` module for curio tasks.

It offers the same names as the standard module, with these differences:
``socket``, ``socketpair``, ``fromfd`` and ``create_server`` return
:class:`curio_io.Socket` objects; ``create_connection``, ``send_fds`` and
``recv_fds`` are coroutines; and the name-service functions (``getaddrinfo``,
``getfqdn``, ``gethostbyname``, ``gethostbyname_ex``, ``gethostname``,
``gethostbyaddr``, ``getnameinfo``) are coroutines that run their lookups in
the kernel's worker threads, so a slow DNS server never stalls other tasks.

The names every POSIX system has are imported below one by one, so type
checkers see each of them with its exact type.  The constants only some
platforms have (``SO_PEERCRED``, ``TCP_KEEPIDLE``, ...) come from the standard
module on first use, through the module's ``__getattr__``.
"""

from __future__ import annotations

import array
import functools
import socket as _socket
from collections.abc import Iterable
from socket import (
    AF_APPLETALK,
    AF_INET,
    AF_INET6,
    AF_IPX,
    AF_ROUTE,
    AF_SNA,
    AF_UNIX,
    AF_UNSPEC,
    AI_ADDRCONFIG,
    AI_ALL,
    AI_CANONNAME,
    AI_NUMERICHOST,
    AI_NUMERICSERV,
    AI_PASSIVE,
    AI_V4MAPPED,
    CMSG_LEN,
    CMSG_SPACE,
    EAI_ADDRFAMILY,
    EAI_AGAIN,
    EAI_BADFLAGS,
    EAI_FAIL,
    EAI_FAMILY,
    EAI_MEMORY,
    EAI_NODATA,
    EAI_NONAME,
    EAI_OVERFLOW,
    EAI_SERVICE,
    EAI_SOCKTYPE,
    EAI_SYSTEM,
    INADDR_ALLHOSTS_GROUP,
    INADDR_ANY,
    INADDR_BROADCAST,
    INADDR_LOOPBACK,
    INADDR_MAX_LOCAL_GROUP,
    INADDR_NONE,
    INADDR_UNSPEC_GROUP,
    IP_ADD_MEMBERSHIP,
    IP_DEFAULT_MULTICAST_LOOP,
    IP_DEFAULT_MULTICAST_TTL,
    IP_DROP_MEMBERSHIP,
    IP_HDRINCL,
    IP_MAX_MEMBERSHIPS,
    IP_MULTICAST_IF,
    IP_MULTICAST_LOOP,
    IP_MULTICAST_TTL,
    IP_OPTIONS,
    IP_RECVOPTS,
    IP_RECVRETOPTS,
    IP_RECVTOS,
    IP_RETOPTS,
    IP_TOS,
    IP_TTL,
    IPPORT_RESERVED,
    IPPORT_USERRESERVED,
    IPPROTO_AH,
    IPPROTO_DSTOPTS,
    IPPROTO_EGP,
    IPPROTO_ESP,
    IPPROTO_FRAGMENT,
    IPPROTO_GRE,
    IPPROTO_HOPOPTS,
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
    IPPROTO_IDP,
    IPPROTO_IGMP,
    IPPROTO_IP,
    IPPROTO_IPIP,
    IPPROTO_IPV6,
    IPPROTO_NONE,
    IPPROTO_PIM,
    IPPROTO_PUP,
    IPPROTO_RAW,
    IPPROTO_ROUTING,
    IPPROTO_RSVP,
    IPPROTO_SCTP,
    IPPROTO_TCP,
    IPPROTO_TP,
    IPPROTO_UDP,
    IPV6_CHECKSUM,
    IPV6_DONTFRAG,
    IPV6_DSTOPTS,
    IPV6_HOPLIMIT,
    IPV6_HOPOPTS,
    IPV6_JOIN_GROUP,
    IPV6_LEAVE_GROUP,
    IPV6_MULTICAST_HOPS,
    IPV6_MULTICAST_IF,
    IPV6_MULTICAST_LOOP,
    IPV6_NEXTHOP,
    IPV6_PATHMTU,
    IPV6_PKTINFO,
    IPV6_RECVDSTOPTS,
    IPV6_RECVHOPLIMIT,
    IPV6_RECVHOPOPTS,
    IPV6_RECVPATHMTU,
    IPV6_RECVPKTINFO,
    IPV6_RECVRTHDR,
    IPV6_RECVTCLASS,
    IPV6_RTHDR,
    IPV6_RTHDR_TYPE_0,
    IPV6_RTHDRDSTOPTS,
    IPV6_TCLASS,
    IPV6_UNICAST_HOPS,
    IPV6_V6ONLY,
    MSG_CTRUNC,
    MSG_DONTROUTE,
    MSG_DONTWAIT,
    MSG_EOR,
    MSG_OOB,
    MSG_PEEK,
    MSG_TRUNC,
    MSG_WAITALL,
    NI_DGRAM,
    NI_MAXHOST,
    NI_MAXSERV,
    NI_NAMEREQD,
    NI_NOFQDN,
    NI_NUMERICHOST,
    NI_NUMERICSERV,
    SCM_RIGHTS,
    SHUT_RD,
    SHUT_RDWR,
    SHUT_WR,
    SO_ACCEPTCONN,
    SO_BROADCAST,
    SO_DEBUG,
    SO_DONTROUTE,
    SO_ERROR,
    SO_KEEPALIVE,
    SO_LINGER,
    SO_OOBINLINE,
    SO_RCVBUF,
    SO_RCVLOWAT,
    SO_RCVTIMEO,
    SO_REUSEADDR,
    SO_REUSEPORT,
    SO_SNDBUF,
    SO_SNDLOWAT,
    SO_SNDTIMEO,
    SO_TYPE,
    SOCK_DGRAM,
    SOCK_RAW,
    SOCK_RDM,
    SOCK_SEQPACKET,
    SOCK_STREAM,
    SOL_IP,
    SOL_SOCKET,
    SOL_TCP,
    SOL_UDP,
    SOMAXCONN,
    TCP_FASTOPEN,
    TCP_KEEPCNT,
    TCP_KEEPINTVL,
    TCP_MAXSEG,
    TCP_NODELAY,
    TCP_NOTSENT_LOWAT,
    AddressFamily,
    AddressInfo,
    AF_DECnet,
    MsgFlag,
    SocketKind,
    SocketType,
    close,
    dup,
    error,
    gaierror,
    getdefaulttimeout,
    getprotobyname,
    getservbyname,
    getservbyport,
    has_dualstack_ipv6,
    has_ipv6,
    herror,
    htonl,
    htons,
    if_indextoname,
    if_nameindex,
    if_nametoindex,
    inet_aton,
    inet_ntoa,
    inet_ntop,
    inet_pton,
    ntohl,
    ntohs,
    setdefaulttimeout,
    sethostname,
    timeout,
)
from typing import TYPE_CHECKING, Any, cast

from curio_io import Socket
from curio_traps import _run_in_thread

from ._deadline import bounded
from ._ports import check_port

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    from curio_io.socket import Address

__all__ = [
    "AF_APPLETALK",
    "AF_INET",
    "AF_INET6",
    "AF_IPX",
    "AF_ROUTE",
    "AF_SNA",
    "AF_UNIX",
    "AF_UNSPEC",
    "AI_ADDRCONFIG",
    "AI_ALL",
    "AI_CANONNAME",
    "AI_NUMERICHOST",
    "AI_NUMERICSERV",
    "AI_PASSIVE",
    "AI_V4MAPPED",
    "CMSG_LEN",
    "CMSG_SPACE",
    "EAI_ADDRFAMILY",
    "EAI_AGAIN",
    "EAI_BADFLAGS",
    "EAI_FAIL",
    "EAI_FAMILY",
    "EAI_MEMORY",
    "EAI_NODATA",
    "EAI_NONAME",
    "EAI_OVERFLOW",
    "EAI_SERVICE",
    "EAI_SOCKTYPE",
    "EAI_SYSTEM",
    "INADDR_ALLHOSTS_GROUP",
    "INADDR_ANY",
    "INADDR_BROADCAST",
    "INADDR_LOOPBACK",
    "INADDR_MAX_LOCAL_GROUP",
    "INADDR_NONE",
    "INADDR_UNSPEC_GROUP",
    "IPPORT_RESERVED",
    "IPPORT_USERRESERVED",
    "IPPROTO_AH",
    "IPPROTO_DSTOPTS",
    "IPPROTO_EGP",
    "IPPROTO_ESP",
    "IPPROTO_FRAGMENT",
    "IPPROTO_GRE",
    "IPPROTO_HOPOPTS",
    "IPPROTO_ICMP",
    "IPPROTO_ICMPV6",
    "IPPROTO_IDP",
    "IPPROTO_IGMP",
    "IPPROTO_IP",
    "IPPROTO_IPIP",
    "IPPROTO_IPV6",
    "IPPROTO_NONE",
    "IPPROTO_PIM",
    "IPPROTO_PUP",
    "IPPROTO_RAW",
    "IPPROTO_ROUTING",
    "IPPROTO_RSVP",
    "IPPROTO_SCTP",
    "IPPROTO_TCP",
    "IPPROTO_TP",
    "IPPROTO_UDP",
    "IPV6_CHECKSUM",
    "IPV6_DONTFRAG",
    "IPV6_DSTOPTS",
    "IPV6_HOPLIMIT",
    "IPV6_HOPOPTS",
    "IPV6_JOIN_GROUP",
    "IPV6_LEAVE_GROUP",
    "IPV6_MULTICAST_HOPS",
    "IPV6_MULTICAST_IF",
    "IPV6_MULTICAST_LOOP",
    "IPV6_NEXTHOP",
    "IPV6_PATHMTU",
    "IPV6_PKTINFO",
    "IPV6_RECVDSTOPTS",
    "IPV6_RECVHOPLIMIT",
    "IPV6_RECVHOPOPTS",
    "IPV6_RECVPATHMTU",
    "IPV6_RECVPKTINFO",
    "IPV6_RECVRTHDR",
    "IPV6_RECVTCLASS",
    "IPV6_RTHDR",
    "IPV6_RTHDRDSTOPTS",
    "IPV6_RTHDR_TYPE_0",
    "IPV6_TCLASS",
    "IPV6_UNICAST_HOPS",
    "IPV6_V6ONLY",
    "IP_ADD_MEMBERSHIP",
    "IP_DEFAULT_MULTICAST_LOOP",
    "IP_DEFAULT_MULTICAST_TTL",
    "IP_DROP_MEMBERSHIP",
    "IP_HDRINCL",
    "IP_MAX_MEMBERSHIPS",
    "IP_MULTICAST_IF",
    "IP_MULTICAST_LOOP",
    "IP_MULTICAST_TTL",
    "IP_OPTIONS",
    "IP_RECVOPTS",
    "IP_RECVRETOPTS",
    "IP_RECVTOS",
    "IP_RETOPTS",
    "IP_TOS",
    "IP_TTL",
    "MSG_CTRUNC",
    "MSG_DONTROUTE",
    "MSG_DONTWAIT",
    "MSG_EOR",
    "MSG_OOB",
    "MSG_PEEK",
    "MSG_TRUNC",
    "MSG_WAITALL",
    "NI_DGRAM",
    "NI_MAXHOST",
    "NI_MAXSERV",
    "NI_NAMEREQD",
    "NI_NOFQDN",
    "NI_NUMERICHOST",
    "NI_NUMERICSERV",
    "SCM_RIGHTS",
    "SHUT_RD",
    "SHUT_RDWR",
    "SHUT_WR",
    "SOCK_DGRAM",
    "SOCK_RAW",
    "SOCK_RDM",
    "SOCK_SEQPACKET",
    "SOCK_STREAM",
    "SOL_IP",
    "SOL_SOCKET",
    "SOL_TCP",
    "SOL_UDP",
    "SOMAXCONN",
    "SO_ACCEPTCONN",
    "SO_BROADCAST",
    "SO_DEBUG",
    "SO_DONTROUTE",
    "SO_ERROR",
    "SO_KEEPALIVE",
    "SO_LINGER",
    "SO_OOBINLINE",
    "SO_RCVBUF",
    "SO_RCVLOWAT",
    "SO_RCVTIMEO",
    "SO_REUSEADDR",
    "SO_REUSEPORT",
    "SO_SNDBUF",
    "SO_SNDLOWAT",
    "SO_SNDTIMEO",
    "SO_TYPE",
    "TCP_FASTOPEN",
    "TCP_KEEPCNT",
    "TCP_KEEPINTVL",
    "TCP_MAXSEG",
    "TCP_NODELAY",
    "TCP_NOTSENT_LOWAT",
    "AF_DECnet",
    "AddressFamily",
    "AddressInfo",
    "MsgFlag",
    "SocketKind",
    "SocketType",
    "close",
    "create_connection",
    "create_server",
    "dup",
    "error",
    "fromfd",
    "gaierror",
    "getaddrinfo",
    "getdefaulttimeout",
    "getfqdn",
    "gethostbyaddr",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostname",
    "getnameinfo",
    "getprotobyname",
    "getservbyname",
    "getservbyport",
    "has_dualstack_ipv6",
    "has_ipv6",
    "herror",
    "htonl",
    "htons",
    "if_indextoname",
    "if_nameindex",
    "if_nametoindex",
    "inet_aton",
    "inet_ntoa",
    "inet_ntop",
    "inet_pton",
    "ntohl",
    "ntohs",
    "recv_fds",
    "send_fds",
    "setdefaulttimeout",
    "sethostname",
    "socket",
    "socketpair",
    "timeout",
]

#: What getaddrinfo() returns: (family, type, proto, canonname, sockaddr) tuples.
_AddrInfo = list[tuple[AddressFamily, SocketKind, int, str, tuple[Any, ...]]]


def __getattr__(name: str) -> Any:
    """The standard module's other public names: constants only some platforms have."""
    if not name.startswith("_"):
        try:
            return getattr(_socket, name)
        except AttributeError:
            pass
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {name for name in dir(_socket) if not name.startswith("_")})


# ---------------------------------------------------------------------- sockets


def socket(
    family: AddressFamily | int = -1,
    type: SocketKind | int = -1,
    proto: int = -1,
    fileno: int | None = None,
) -> Socket:
    """Make a socket exactly as :func:`socket.socket` does, as a :class:`curio_io.Socket`.

    The defaults give a TCP/IPv4 socket, or with *fileno* whatever that
    descriptor is.
    """
    return Socket(_socket.socket(family, type, proto, fileno))


def socketpair(
    family: AddressFamily | int | None = None, type: SocketKind | int = SOCK_STREAM, proto: int = 0
) -> tuple[Socket, Socket]:
    """A pair of connected sockets (a Unix socket pair by default)."""
    first, second = _socket.socketpair(family, type, proto)
    return Socket(first), Socket(second)


def fromfd(fd: int, family: AddressFamily | int, type: SocketKind | int, proto: int = 0) -> Socket:
    """A socket on a duplicate of the descriptor *fd*."""
    return Socket(_socket.fromfd(fd, family, type, proto))


def create_server(
    address: Address,
    *,
    family: AddressFamily | int = AF_INET,
    backlog: int | None = None,
    reuse_port: bool = False,
    dualstack_ipv6: bool = False,
) -> Socket:
    """A TCP socket bound to *address* and listening, as :func:`socket.create_server` makes it.

    The port of *address* must be a number from 0 to 65535.
    """
    if isinstance(address, tuple) and len(address) >= 2:
        check_port(address[1])
    return Socket(
        _socket.create_server(
            address,
            family=family,
            backlog=backlog,
            reuse_port=reuse_port,
            dualstack_ipv6=dualstack_ipv6,
        )
    )


async def create_connection(
    address: tuple[str | None, int],
    timeout: float | None = None,
    source_address: Address | None = None,
    *,
    all_errors: bool = False,
) -> Socket:
    """Connect to the TCP service *address* ``(host, port)``; return the connected socket.

    Each address the host name resolves to is tried in turn.  *timeout*
    bounds the whole attempt (``TimeoutError``); *source_address* is bound
    before connecting.  When every address fails, the first error is raised,
    or all of them as an ``ExceptionGroup`` with *all_errors*.  The port may
    be a service name; a number outside 0 to 65535 raises ``ValueError``
    before any lookup.
    """
    check_port(address[1], service_names=True)
    if isinstance(source_address, tuple) and len(source_address) >= 2:
        check_port(source_address[1])
    return await bounded(timeout, _connect_first(address, source_address, all_errors))


async def _connect_first(
    address: tuple[str | None, int], source_address: Address | None, all_errors: bool
) -> Socket:
    host, port = address
    errors: list[OSError] = []
    for family, kind, proto, _, sockaddr in await getaddrinfo(host, port, 0, SOCK_STREAM):
        sock = socket(family, kind, proto)
        try:
            if source_address is not None:
                sock.bind(source_address)
            await sock.connect(sockaddr)
        except OSError as exc:
            await sock.close()
            errors.append(exc)
            continue
        except BaseException:
            await sock.close()
            raise
        return sock
    if not errors:
        raise OSError(f"getaddrinfo() found no address for {host!r}")
    if all_errors:
        raise ExceptionGroup(f"could not connect to {address!r}", errors)
    raise errors[0]


async def send_fds(
    sock: Socket,
    buffers: Iterable[ReadableBuffer],
    fds: Iterable[int],
    flags: int = 0,
    address: Address | None = None,
) -> int:
    """Send *buffers* and the open descriptors *fds* over the Unix socket *sock*."""
    ancdata = [(SOL_SOCKET, SCM_RIGHTS, array.array("i", fds))]
    return await sock.sendmsg(buffers, ancdata, flags, address)


async def recv_fds(
    sock: Socket, bufsize: int, maxfds: int, flags: int = 0
) -> tuple[bytes, list[int], int, Any]:
    """Receive data and up to *maxfds* descriptors: ``(data, fds, msg_flags, address)``."""
    fds = array.array("i")
    data, ancdata, msg_flags, address = await sock.recvmsg(
        bufsize, CMSG_LEN(maxfds * fds.itemsize), flags
    )
    for level, kind, payload in ancdata:
        if level == SOL_SOCKET and kind == SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    return data, list(fds), msg_flags, address


# ---------------------------------------------------------------------- names


def _is_numeric(host: bytes | str | None) -> bool:
    """Whether *host* is an address literal (or ``None``), which needs no lookup."""
    if host is None:
        return True
    if not isinstance(host, str):
        return False
    for family in (AF_INET, AF_INET6):
        try:
            inet_pton(family, host)
        except OSError:
            continue
        return True
    return False


async def getaddrinfo(
    host: bytes | str | None,
    port: bytes | str | int | None,
    family: int = 0,
    type: int = 0,
    proto: int = 0,
    flags: int = 0,
) -> _AddrInfo:
    """Resolve *host* and *port* to socket addresses (see :func:`socket.getaddrinfo`).

    An address literal with a numeric port is converted at once; anything
    else is looked up in a worker thread.  Unlike the standard function, a
    port number outside 0 to 65535 (which the C library would wrap round)
    raises ``ValueError``, and a ``bool`` or a ``float`` raises ``TypeError``.
    """
    if port is not None:
        check_port(port, service_names=True)
    if _is_numeric(host) and (port is None or isinstance(port, int)):
        found = _socket.getaddrinfo(host, port, family, type, proto, flags | AI_NUMERICHOST)
    else:
        found = await _run_in_thread(
            functools.partial(_socket.getaddrinfo, host, port, family, type, proto, flags)
        )
    return cast(_AddrInfo, found)


async def getfqdn(name: str = "") -> str:
    """The fully qualified domain name of *name* (of this host if empty)."""
    return await _run_in_thread(functools.partial(_socket.getfqdn, name))


async def gethostbyname(hostname: str) -> str:
    """The IPv4 address of *hostname*, as a string."""
    return await _run_in_thread(functools.partial(_socket.gethostbyname, hostname))


async def gethostbyname_ex(hostname: str) -> tuple[str, list[str], list[str]]:
    """``(hostname, aliases, ipv4_addresses)`` for *hostname*."""
    return await _run_in_thread(functools.partial(_socket.gethostbyname_ex, hostname))


async def gethostname() -> str:
    """This machine's host name (no lookup is involved)."""
    return _socket.gethostname()


async def gethostbyaddr(ip_address: str) -> tuple[str, list[str], list[str]]:
    """``(hostname, aliases, addresses)`` for the address *ip_address*."""
    return await _run_in_thread(functools.partial(_socket.gethostbyaddr, ip_address))


async def getnameinfo(
    sockaddr: tuple[str, int] | tuple[str, int, int, int], flags: int
) -> tuple[str, str]:
    """``(host, port)`` names for the socket address *sockaddr* (its port from 0 to 65535)."""
    if len(sockaddr) >= 2:  # a malformed one is left to the standard function
        check_port(sockaddr[1])
    return await _run_in_thread(functools.partial(_socket.getnameinfo, sockaddr, flags))
