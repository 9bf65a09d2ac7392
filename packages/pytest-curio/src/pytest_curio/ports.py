"""Free TCP ports on the loopback interface, for servers a test starts.

A port is found by binding a socket to port 0 on ``127.0.0.1`` and closing it again, so
another process could take it in between; that is the usual, small, risk of the idiom.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

__all__ = ["PortFactory", "unused_tcp_port", "unused_tcp_port_factory"]


def _free_port() -> int:
    """A port no socket on 127.0.0.1 is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PortFactory:
    """Hands out free loopback ports, never the same one twice."""

    def __init__(self) -> None:
        self._given: set[int] = set()

    def __call__(self) -> int:
        """A free port on 127.0.0.1 that this factory has not handed out before."""
        while True:
            port = _free_port()
            if port not in self._given:
                self._given.add(port)
                return port


@pytest.fixture(scope="session")
def unused_tcp_port_factory() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1, a different one at each call.

    One factory serves the whole session, so no two tests are given the same port.
    """
    return PortFactory()


@pytest.fixture
def unused_tcp_port(unused_tcp_port_factory: Callable[[], int]) -> int:
    """A free TCP port on 127.0.0.1 for this test (from :func:`unused_tcp_port_factory`)."""
    return unused_tcp_port_factory()
