"""Fixtures of the curio-net tests: TLS material from ``trustme`` and an echo handler.

The leak checks (``open_fds``) and the rest of the shared tools are in tests/conftest.py.
"""

from __future__ import annotations

import pathlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trustme

from curio_io import Socket
from curio_net import ssl as curio_ssl

# ---------------------------------------------------------------------- TLS material


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    """A throw-away certificate authority."""
    return trustme.CA()


@pytest.fixture(scope="session")
def server_cert(ca: trustme.CA) -> trustme.LeafCert:
    """A certificate for localhost, 127.0.0.1 and ::1 signed by :func:`ca`."""
    return ca.issue_cert("localhost", "127.0.0.1", "::1")


@pytest.fixture
def server_context(server_cert: trustme.LeafCert) -> curio_ssl.SSLContext:
    """A server-side context holding :func:`server_cert`."""
    context = curio_ssl.create_default_context(curio_ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    return context


@pytest.fixture
def client_context(ca: trustme.CA) -> curio_ssl.SSLContext:
    """A client-side context that trusts :func:`ca` (and verifies host names)."""
    context = curio_ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def trusted_ca(ca: trustme.CA, monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    """Make :func:`ca` the system's trusted authority, as ``ssl=True`` sees it."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-dir"))


# ---------------------------------------------------------------------- handlers


async def _echo(client: Socket, address: Any) -> None:
    while True:
        data = await client.recv(65536)
        if not data:
            return
        await client.sendall(data)


@pytest.fixture
def echo() -> Callable[[Socket, Any], Awaitable[None]]:
    """A client handler that echoes everything until the client closes."""
    return _echo
