"""The monitor client: ``python -m curio.monitor [ADDRESS]`` (also ``curio-monitor``).

It joins this terminal to a remote monitor console: lines typed here go to
the console, its answers come back here.  Plain blocking code, no kernel: a
thread copies standard input to the socket while the main thread copies the
socket to standard output.
"""

from __future__ import annotations

import argparse
import codecs
import os
import socket
import sys
import threading
from collections.abc import Sequence

from ._address import (
    DEFAULT_ADDRESS,
    MONITOR_ENV,
    Address,
    address_from_env,
    connect,
    format_address,
    parse_address,
)

__all__ = ["main"]


def _default_address() -> Address:
    """``CURIO_MONITOR`` when it names an address, else :data:`DEFAULT_ADDRESS`."""
    try:
        address = address_from_env(os.environ.get(MONITOR_ENV))
    except ValueError:
        address = None
    return DEFAULT_ADDRESS if address is None else address


def _send_input(sock: socket.socket, fd: int) -> None:
    """Copy what is typed to the console; at the end of input, say so and stop."""
    try:
        while data := os.read(fd, 4096):
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the console closed the connection, or the terminal went away


def main(argv: Sequence[str] | None = None) -> int:
    """Connect this terminal to a monitor console; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m curio.monitor",
        description="Connect to the monitor console of a running curio program.",
    )
    parser.add_argument(
        "address",
        nargs="?",
        help=(
            "host:port or the path of a Unix socket (default: $CURIO_MONITOR, else "
            f"{format_address(DEFAULT_ADDRESS)})"
        ),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        help="seconds to wait for the connection (default: 5)",
    )
    args = parser.parse_args(argv)
    try:
        address = parse_address(args.address) if args.address else _default_address()
    except ValueError as exc:
        parser.error(str(exc))
    try:
        sock = connect(address, timeout=args.timeout)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(
            f"cannot reach a curio monitor at {format_address(address)}: {reason}", file=sys.stderr
        )
        return 1
    with sock:
        if sys.stdin is None:
            sock.shutdown(socket.SHUT_WR)
        else:
            threading.Thread(
                target=_send_input,
                args=(sock, sys.stdin.fileno()),
                name="monitor-input",
                daemon=True,
            ).start()
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        try:
            while data := sock.recv(4096):
                sys.stdout.write(decoder.decode(data))
                sys.stdout.flush()
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            return 130
        except OSError as exc:
            print(f"\nconnection to the monitor lost: {exc}", file=sys.stderr)
            return 1
    return 0
