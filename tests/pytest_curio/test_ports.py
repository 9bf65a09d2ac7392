"""``unused_tcp_port`` and ``unused_tcp_port_factory``."""

from __future__ import annotations

import pytest

from .conftest import RunPytest


def test_ports_are_free_and_never_given_twice(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import socket
        import pytest

        given = []

        @pytest.mark.parametrize("n", range(3))
        def test_port(unused_tcp_port, unused_tcp_port_factory, n):
            ports = [unused_tcp_port] + [unused_tcp_port_factory() for _ in range(30)]
            given.extend(ports)
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", unused_tcp_port))

        def test_all_different():
            assert len(given) == 93
            assert len(set(given)) == 93
        """
    )
    run_pytest().assert_outcomes(passed=4)


def test_the_factory_skips_a_port_it_gave_before(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        from pytest_curio import ports

        def test_repeat(monkeypatch):
            answers = iter([5000, 5000, 5000, 5001])
            monkeypatch.setattr(ports, "_free_port", lambda: next(answers))
            factory = ports.PortFactory()
            assert factory() == 5000
            assert factory() == 5001
        """
    )
    run_pytest().assert_outcomes(passed=1)
