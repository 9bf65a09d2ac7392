"""curio's ssl module: the standard :mod:`ssl` module for curio sockets.

:func:`wrap_socket`, :meth:`SSLContext.wrap_socket` and
:func:`create_default_context` work as in the standard library but give
:class:`curio_io.Socket` objects, and :func:`get_server_certificate` is a
coroutine.  The TLS handshake of a wrapped socket runs without blocking the
kernel: explicitly with ``await sock.do_handshake()``, as part of ``await
sock.connect(...)``, or else by itself on the first read or write.

The names every platform has are imported one by one; the rest of the
standard module (the ``ALERT_DESCRIPTION_*`` constants, say) comes from it
on first use.  Read the standard library's documentation of :mod:`ssl`
before using this module: secure defaults come from
:func:`create_default_context`.
"""

from __future__ import annotations

import errno
import ssl as _ssl
from socket import socket as _RawSocket
from ssl import (
    CERT_NONE,
    CERT_OPTIONAL,
    CERT_REQUIRED,
    CHANNEL_BINDING_TYPES,
    HAS_ALPN,
    HAS_ECDH,
    HAS_NEVER_CHECK_COMMON_NAME,
    HAS_NPN,
    HAS_SNI,
    OP_ALL,
    OP_CIPHER_SERVER_PREFERENCE,
    OP_ENABLE_MIDDLEBOX_COMPAT,
    OP_NO_COMPRESSION,
    OP_NO_RENEGOTIATION,
    OP_NO_TICKET,
    OP_SINGLE_DH_USE,
    OP_SINGLE_ECDH_USE,
    OPENSSL_VERSION,
    OPENSSL_VERSION_INFO,
    OPENSSL_VERSION_NUMBER,
    PROTOCOL_TLS,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
    VERIFY_ALLOW_PROXY_CERTS,
    VERIFY_CRL_CHECK_CHAIN,
    VERIFY_CRL_CHECK_LEAF,
    VERIFY_DEFAULT,
    VERIFY_X509_PARTIAL_CHAIN,
    VERIFY_X509_STRICT,
    VERIFY_X509_TRUSTED_FIRST,
    AlertDescription,
    CertificateError,
    DefaultVerifyPaths,
    DER_cert_to_PEM_cert,
    HAS_SSLv2,
    HAS_SSLv3,
    HAS_TLSv1,
    HAS_TLSv1_1,
    HAS_TLSv1_2,
    HAS_TLSv1_3,
    MemoryBIO,
    OP_NO_SSLv2,
    OP_NO_SSLv3,
    OP_NO_TLSv1,
    OP_NO_TLSv1_1,
    OP_NO_TLSv1_2,
    OP_NO_TLSv1_3,
    Options,
    PEM_cert_to_DER_cert,
    Purpose,
    RAND_add,
    RAND_bytes,
    RAND_status,
    SSLCertVerificationError,
    SSLEOFError,
    SSLError,
    SSLErrorNumber,
    SSLObject,
    SSLSession,
    SSLSocket,
    SSLSyscallError,
    SSLWantReadError,
    SSLWantWriteError,
    SSLZeroReturnError,
    TLSVersion,
    VerifyFlags,
    VerifyMode,
    cert_time_to_seconds,
    get_default_verify_paths,
)
from typing import Any, cast

from curio_io import Socket

from ._deadline import bounded
from .socket import create_connection

__all__ = [
    "CERT_NONE",
    "CERT_OPTIONAL",
    "CERT_REQUIRED",
    "CHANNEL_BINDING_TYPES",
    "HAS_ALPN",
    "HAS_ECDH",
    "HAS_NEVER_CHECK_COMMON_NAME",
    "HAS_NPN",
    "HAS_SNI",
    "OPENSSL_VERSION",
    "OPENSSL_VERSION_INFO",
    "OPENSSL_VERSION_NUMBER",
    "OP_ALL",
    "OP_CIPHER_SERVER_PREFERENCE",
    "OP_ENABLE_MIDDLEBOX_COMPAT",
    "OP_NO_COMPRESSION",
    "OP_NO_RENEGOTIATION",
    "OP_NO_TICKET",
    "OP_SINGLE_DH_USE",
    "OP_SINGLE_ECDH_USE",
    "PROTOCOL_TLS",
    "PROTOCOL_TLS_CLIENT",
    "PROTOCOL_TLS_SERVER",
    "VERIFY_ALLOW_PROXY_CERTS",
    "VERIFY_CRL_CHECK_CHAIN",
    "VERIFY_CRL_CHECK_LEAF",
    "VERIFY_DEFAULT",
    "VERIFY_X509_PARTIAL_CHAIN",
    "VERIFY_X509_STRICT",
    "VERIFY_X509_TRUSTED_FIRST",
    "AlertDescription",
    "CertificateError",
    "DER_cert_to_PEM_cert",
    "DefaultVerifyPaths",
    "HAS_SSLv2",
    "HAS_SSLv3",
    "HAS_TLSv1",
    "HAS_TLSv1_1",
    "HAS_TLSv1_2",
    "HAS_TLSv1_3",
    "MemoryBIO",
    "OP_NO_SSLv2",
    "OP_NO_SSLv3",
    "OP_NO_TLSv1",
    "OP_NO_TLSv1_1",
    "OP_NO_TLSv1_2",
    "OP_NO_TLSv1_3",
    "Options",
    "PEM_cert_to_DER_cert",
    "Purpose",
    "RAND_add",
    "RAND_bytes",
    "RAND_status",
    "SSLCertVerificationError",
    "SSLContext",
    "SSLEOFError",
    "SSLError",
    "SSLErrorNumber",
    "SSLObject",
    "SSLSession",
    "SSLSocket",
    "SSLSyscallError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLZeroReturnError",
    "TLSVersion",
    "VerifyFlags",
    "VerifyMode",
    "cert_time_to_seconds",
    "create_default_context",
    "get_default_verify_paths",
    "get_server_certificate",
    "wrap_socket",
]


def __getattr__(name: str) -> Any:
    """The standard module's other public names."""
    if not name.startswith("_"):
        try:
            return getattr(_ssl, name)
        except AttributeError:
            pass
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {name for name in dir(_ssl) if not name.startswith("_")})


def _wrap(
    context: _ssl.SSLContext,
    sock: Socket | _RawSocket,
    *,
    server_side: bool = False,
    do_handshake_on_connect: bool = True,
    suppress_ragged_eofs: bool = True,
    server_hostname: str | None = None,
    session: SSLSession | None = None,
) -> Socket:
    """Wrap *sock* with *context* (any ``ssl.SSLContext``); return a curio Socket.

    The standard library never runs the handshake here (it would block);
    *do_handshake_on_connect* is kept by the curio Socket, which runs it
    after its own non-blocking ``connect``.
    """
    raw = sock.raw_socket if isinstance(sock, Socket) else sock
    if not isinstance(raw, _RawSocket):
        raise TypeError(f"wrap_socket() needs a socket, got {type(sock).__name__}")
    if raw.fileno() < 0:
        raise OSError(errno.EBADF, "wrap_socket() needs an open socket; this one is closed")
    raw.setblocking(False)
    tls = _ssl.SSLContext.wrap_socket(
        context,
        raw,
        server_side=server_side,
        do_handshake_on_connect=False,
        suppress_ragged_eofs=suppress_ragged_eofs,
        server_hostname=server_hostname,
        session=session,
    )
    return Socket(tls, do_handshake_on_connect=do_handshake_on_connect)


class SSLContext(_ssl.SSLContext):
    """An ``ssl.SSLContext`` whose :meth:`wrap_socket` gives curio sockets."""

    def wrap_socket(  # type: ignore[override]
        self,
        sock: Socket | _RawSocket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: str | None = None,
        session: SSLSession | None = None,
    ) -> Socket:
        """Wrap *sock* (a curio Socket or a plain socket) for TLS; return a curio Socket.

        *sock* itself is detached and must not be used afterwards.  The
        handshake runs on ``await connect()`` of an unconnected socket when
        *do_handshake_on_connect* is true, on ``await do_handshake()``, or
        else on the first read or write.
        """
        return _wrap(
            self,
            sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            suppress_ragged_eofs=suppress_ragged_eofs,
            server_hostname=server_hostname,
            session=session,
        )


def create_default_context(
    purpose: Purpose = Purpose.SERVER_AUTH,
    *,
    cafile: str | None = None,
    capath: str | None = None,
    cadata: str | bytes | None = None,
) -> SSLContext:
    """A context with the standard library's secure defaults for *purpose*.

    For ``Purpose.SERVER_AUTH`` (the default, for clients) it verifies the
    server's certificate and host name against the system's certificate
    authorities, or against *cafile*, *capath* and *cadata*.
    """
    context = _ssl.create_default_context(purpose, cafile=cafile, capath=capath, cadata=cadata)
    # The standard function is the one place that knows each Python version's
    # secure defaults; reuse its result and only change what wrap_socket gives.
    context.__class__ = SSLContext
    return cast(SSLContext, context)


def wrap_socket(
    sock: Socket | _RawSocket,
    keyfile: str | None = None,
    certfile: str | None = None,
    server_side: bool = False,
    cert_reqs: VerifyMode | None = None,
    ssl_version: int | None = None,
    ca_certs: str | None = None,
    do_handshake_on_connect: bool = True,
    suppress_ragged_eofs: bool = True,
    ciphers: str | None = None,
    *,
    server_hostname: str | None = None,
) -> Socket:
    """Wrap *sock* for TLS with the standard library's former ``ssl.wrap_socket`` arguments.

    Safer defaults than that function had: a client verifies the server's
    certificate (``cert_reqs=CERT_REQUIRED``) against *ca_certs* or the
    system's authorities, and its host name too when *server_hostname* is
    given; a server (which needs *certfile*) asks clients for no certificate.
    Pass ``cert_reqs=CERT_NONE`` to turn verification off explicitly.
    """
    if server_side and not certfile:
        raise ValueError("certfile must be given for server-side operation")
    if keyfile and not certfile:
        raise ValueError("keyfile needs certfile too")
    if ssl_version is None:
        ssl_version = PROTOCOL_TLS_SERVER if server_side else PROTOCOL_TLS_CLIENT
    if cert_reqs is None:
        cert_reqs = CERT_NONE if server_side else CERT_REQUIRED
    context = SSLContext(ssl_version)
    context.check_hostname = (
        not server_side and server_hostname is not None and cert_reqs != CERT_NONE
    )
    context.verify_mode = cert_reqs
    if ca_certs:
        context.load_verify_locations(ca_certs)
    elif cert_reqs != CERT_NONE:
        context.load_default_certs(Purpose.CLIENT_AUTH if server_side else Purpose.SERVER_AUTH)
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    if ciphers:
        context.set_ciphers(ciphers)
    return context.wrap_socket(
        sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake_on_connect,
        suppress_ragged_eofs=suppress_ragged_eofs,
        server_hostname=server_hostname,
    )


async def get_server_certificate(
    addr: tuple[str, int],
    ssl_version: int = PROTOCOL_TLS_CLIENT,
    ca_certs: str | None = None,
    timeout: float | None = None,
) -> str:
    """Fetch the certificate of the TLS server at *addr* ``(host, port)`` as PEM text.

    As in the standard library, the certificate is checked only against
    *ca_certs* when they are given: this function exists to look at a
    certificate that is not trusted (yet).  *timeout* bounds the connection
    and the handshake, each.
    """
    host, _ = addr
    context = SSLContext(ssl_version)
    context.check_hostname = False
    if ca_certs is not None:
        context.verify_mode = CERT_REQUIRED
        context.load_verify_locations(ca_certs)
    else:
        context.verify_mode = CERT_NONE
    sock = await create_connection(addr, timeout)
    tls = sock
    try:
        tls = context.wrap_socket(sock, server_hostname=host)
        await bounded(timeout, tls.do_handshake())
        der = tls.getpeercert(True)
    finally:
        await tls.close()
        await sock.close()
    if der is None:
        raise SSLError("the server sent no certificate")
    return DER_cert_to_PEM_cert(der)
