"""A task cancelled in a socket operation ends cleanly: the socket stays usable, nothing leaks."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import curio_kernel
from curio_io import Socket
from curio_kernel.testing import MockClock


def _pair() -> tuple[Socket, Socket]:
    a, b = socket.socketpair()
    return Socket(a), Socket(b)


def test_cancelled_recv_leaves_the_socket_usable() -> None:
    async def main() -> bytes:
        a, b = _pair()
        task = await curio_kernel.spawn(a.recv, 10)
        assert await task.cancel()
        # Another task may now wait on the same socket: nothing was left registered.
        reader = await curio_kernel.spawn(a.recv, 10)
        await b.sendall(b"after")
        data = await reader.join()
        await a.close()
        await b.close()
        return data

    assert curio_kernel.run(main) == b"after"


def test_cancelled_accept_leaves_the_listener_usable() -> None:
    async def main() -> bool:
        listener = Socket(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        task = await curio_kernel.spawn(listener.accept)
        await task.cancel()
        client = socket.create_connection(listener.getsockname())
        conn, _ = await listener.accept()
        ok: bool = conn.getpeername() == client.getsockname()
        client.close()
        await conn.close()
        await listener.close()
        return ok

    assert curio_kernel.run(main) is True


def test_timeout_in_sendall_reports_how_much_was_sent(virtual_clock: MockClock) -> None:
    payload = b"x" * (16 * 1024 * 1024)

    async def main() -> tuple[int, int]:
        a, b = _pair()
        try:
            await curio_kernel.timeout_after(0.2, a.sendall(payload))
        except curio_kernel.TaskTimeout as exc:
            sent = exc.bytes_sent  # type: ignore[attr-defined]
            assert await curio_kernel.clock() == 0.2
        else:
            raise AssertionError("sendall() to a peer that does not read finished")
        # Everything that was sent is there to read, and the socket still works.
        received = 0
        while received < sent:
            received += len(await b.recv(1 << 20))
        await a.sendall(b"more")
        tail = await b.recv(10)
        await a.close()
        await b.close()
        return sent, received + len(tail) - 4

    sent, received = curio_kernel.run(main, clock=virtual_clock)
    assert 0 < sent < len(payload)
    assert received == sent


def test_sendall_blocks_while_the_peer_does_not_read() -> None:
    async def main() -> tuple[bool, bool]:
        a, b = _pair()
        task = await curio_kernel.spawn(a.sendall, b"y" * (8 * 1024 * 1024))
        for _ in range(20):
            await curio_kernel.sleep(0)
        blocked = not task.terminated
        total = 0
        while total < 8 * 1024 * 1024:
            total += len(await b.recv(1 << 20))
        await task.join()
        await a.close()
        await b.close()
        return blocked, task.terminated

    assert curio_kernel.run(main) == (True, True)


def test_cancelled_connect_closes_cleanly(
    open_fds: Callable[[], int], virtual_clock: MockClock
) -> None:
    async def main() -> tuple[int, int]:
        # A listener whose backlog is full: further connects stay pending.
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(listener.getsockname())
        await curio_kernel.sleep(0.05)  # a loopback connect completes within the call anyway
        before = open_fds()
        for _ in range(3):
            client = Socket(socket.socket())
            try:
                await curio_kernel.ignore_after(0.05, client.connect(listener.getsockname()))
            finally:
                await client.close()
        after = open_fds()
        assert abs(await curio_kernel.clock() - 0.2) < 1e-9  # 0.05 asleep, three timeouts
        filler.close()
        listener.close()
        return before, after

    before, after = curio_kernel.run(main, clock=virtual_clock)
    assert after == before


def test_cancelled_operations_leak_no_descriptors(open_fds: Callable[[], int]) -> None:
    async def main() -> tuple[int, int]:
        warm_a, warm_b = _pair()
        await warm_a.close()
        await warm_b.close()
        before = open_fds()
        for _ in range(5):
            a, b = _pair()
            listener = Socket(socket.socket())
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            waiting: list[curio_kernel.Task[Any]] = [
                await curio_kernel.spawn(a.recv, 10),
                await curio_kernel.spawn(b.sendall, b"z" * (8 << 20)),
                await curio_kernel.spawn(listener.accept),
            ]
            for task in waiting:
                await task.cancel()
            for s in (a, b, listener):
                await s.close()
        return before, open_fds()

    before, after = curio_kernel.run(main)
    assert after == before
