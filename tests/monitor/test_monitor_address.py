"""Reading and checking the remote console's address (CURIO_MONITOR and the client's argument)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from curio_kernel.monitor._address import (
    DEFAULT_ADDRESS,
    address_from_env,
    format_address,
    listen,
    parse_address,
)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1:5000", ("127.0.0.1", 5000)),
        ("localhost:0", ("localhost", 0)),
        (":6000", ("127.0.0.1", 6000)),
        ("6000", ("127.0.0.1", 6000)),
        ("localhost", ("localhost", DEFAULT_ADDRESS[1])),
        ("[::1]:7000", ("::1", 7000)),
        ("/tmp/curio.sock", "/tmp/curio.sock"),
        ("./curio.sock", "./curio.sock"),
        ("  127.0.0.1:1  ", ("127.0.0.1", 1)),
    ],
)
def test_parse_address_reads_host_port_and_paths(text: str, address: object) -> None:
    assert parse_address(text) == address


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("host:port", "the port must be a number"),
        ("127.0.0.1:70000", "the port must be a number"),
        ("::1:80", "IPv6 address as \\[address\\]:port"),
        ("[::1", "expected \\[ipv6-address\\]:port"),
    ],
)
def test_parse_address_names_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_address(text)


@pytest.mark.parametrize("value", [None, "", "0", "off", "No", "FALSE"])
def test_the_remote_console_is_off_unless_asked_for(value: str | None) -> None:
    assert address_from_env(value) is None


@pytest.mark.parametrize("value", ["1", "on", "yes", "True"])
def test_yes_means_the_default_loopback_address(value: str) -> None:
    assert address_from_env(value) == DEFAULT_ADDRESS == ("127.0.0.1", 48802)


def test_format_address_reads_back() -> None:
    for address in [("127.0.0.1", 80), ("::1", 81), "/run/x.sock"]:
        assert parse_address(format_address(address)) == address


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1"])
def test_listen_refuses_every_non_loopback_address(host: str) -> None:
    with pytest.raises(ValueError, match="not a loopback address"):
        listen((host, 0))


def test_listen_on_port_zero_reports_the_port_bound() -> None:
    sock, bound = listen(("localhost", 0))
    with sock:
        assert isinstance(bound, tuple)
        assert bound[1] == sock.getsockname()[1] != 0
        assert bound[0] in ("127.0.0.1", "::1")


def test_listen_replaces_a_stale_unix_socket_but_not_a_live_one(short_tmp: Path) -> None:
    path = str(short_tmp / "s.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()  # the file stays, nobody listens
    sock, bound = listen(path)
    with sock:
        assert bound == path
        with pytest.raises(OSError, match="another program listens"):
            listen(path)
    os.unlink(path)


def test_listen_never_replaces_a_file_that_is_no_socket(short_tmp: Path) -> None:
    path = short_tmp / "not-a-socket"
    path.write_text("keep me")
    with pytest.raises(FileExistsError):
        listen(str(path))
    assert path.read_text() == "keep me"
