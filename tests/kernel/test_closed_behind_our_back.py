"""A descriptor closed without telling the kernel does not leave its waiter asleep for ever."""

from __future__ import annotations

import errno
import os
import socket

import pytest

from curio_io import Socket
from curio_kernel import run, spawn, timeout_after

pytestmark = pytest.mark.timeout(20)


def test_closing_the_raw_socket_wakes_a_task_waiting_to_receive() -> None:
    async def main() -> int | None:
        left, right = socket.socketpair()
        sock = Socket(left)
        try:
            reader = await spawn(sock.recv, 100)
            assert reader.state == "READ_WAIT"  # spawn ran it up to its first wait
            sock.raw_socket.close()  # behind the kernel's back
            # Real time on purpose: the kernel's real-time idle check (1 s) finds the
            # closed descriptor; a virtual clock would jump to the 10 s deadline first.
            async with timeout_after(10):
                await reader.wait()
            error = reader.exception
            assert error is not None
            assert isinstance(error, OSError)
            return error.errno
        finally:
            right.close()

    assert run(main) == errno.EBADF


def test_a_socket_detached_and_closed_by_number_wakes_its_waiter() -> None:
    async def main() -> int | None:
        left, right = socket.socketpair()
        sock = Socket(left)
        try:
            reader = await spawn(sock.recv, 100)
            assert reader.state == "READ_WAIT"
            os.close(left.detach())
            # Real time on purpose: found by the kernel's real-time idle check (1 s).
            async with timeout_after(10):
                await reader.wait()
            error = reader.exception
            assert isinstance(error, OSError)
            return error.errno
        finally:
            right.close()

    assert run(main) == errno.EBADF
