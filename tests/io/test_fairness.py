"""A socket that always has data cannot starve the other tasks or hold off a timeout or a cancel.

Each test floods one end of a socket pair from a thread (a peer curio does not schedule,
so the reader finds data every time it asks) and loops on the other end.  Without the
fast-path budget these loops never pass through the kernel and the tests hang: the
module's time limit turns that into a failure.
"""

from __future__ import annotations

import os
import select
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

import curio_kernel
from curio_io import Socket, Stream
from curio_io._budget import BUDGET, FAST_PATH_BUDGET

pytestmark = pytest.mark.timeout(10)

#: The flood repeats these bytes, so a reader can tell that no byte went missing.
_PATTERN = bytes(range(251))
_CHUNK = _PATTERN * 261  # about 64 KiB
#: The flood stops after this much even if nobody stops it.
_FLOOD_LIMIT = 1 << 30


@asynccontextmanager
async def _flood() -> AsyncIterator[Socket]:
    """A socket whose peer, a thread, writes ``_PATTERN`` over and over while the block runs."""
    reader, writer = socket.socketpair()
    writer.setblocking(True)

    def write() -> None:
        sent = 0
        try:
            while sent < _FLOOD_LIMIT:
                writer.sendall(_CHUNK)
                sent += len(_CHUNK)
        except OSError:
            pass  # the reader's end was closed: the flood is over

    thread = threading.Thread(target=write, name="flood", daemon=True)
    thread.start()
    reader.recv(1, socket.MSG_PEEK)  # the flood has begun: every read finds data from the start
    sock = Socket(reader)
    try:
        yield sock
    finally:
        await sock.close()
        thread.join(timeout=5)
        writer.close()
    assert not thread.is_alive()


def _one_byte_reader(sock: Socket, how: str) -> Callable[[], Awaitable[bytes]]:
    """``recv(1)``, or the same one byte through another fast path of curio-io."""
    if how == "recv":
        return lambda: sock.recv(1)
    if how == "recv_into":
        buffer = bytearray(1)

        async def recv_into() -> bytes:
            count = await sock.recv_into(buffer)
            return bytes(buffer[:count])

        return recv_into
    if how == "recvfrom":

        async def recvfrom() -> bytes:
            data, _ = await sock.recvfrom(1)
            return data

        return recvfrom
    assert how == "stream read"
    stream = sock.as_stream()  # closing the socket is enough: the stream holds nothing
    return lambda: stream.read(1)


_READERS = pytest.mark.parametrize("how", ["recv", "recv_into", "recvfrom", "stream read"])


@_READERS
def test_a_timeout_fires_around_a_read_loop_on_a_socket_that_never_runs_dry(how: str) -> None:
    async def main() -> int:
        async with _flood() as sock:
            read = _one_byte_reader(sock, how)
            reads = 0

            async def forever() -> None:
                nonlocal reads
                while await read():
                    reads += 1

            with pytest.raises(curio_kernel.TaskTimeout):
                # Real time on purpose: the loop never blocks, so a virtual clock would never move.
                await curio_kernel.timeout_after(0.05, forever())
            return reads

    assert curio_kernel.run(main) > FAST_PATH_BUDGET  # the loop ran on the fast path


@_READERS
def test_a_sleep_0_ticker_keeps_running_beside_a_reader_of_a_flooded_socket(how: str) -> None:
    async def main() -> tuple[int, int]:
        async with _flood() as sock:
            read = _one_byte_reader(sock, how)
            ticks = reads = 0

            async def ticker() -> None:
                nonlocal ticks
                while ticks < 100:
                    await curio_kernel.sleep(0)
                    ticks += 1

            async def reader() -> None:
                nonlocal reads
                while ticks < 100:  # only the ticker can end this loop
                    await read()
                    reads += 1

            tasks = [await curio_kernel.spawn(ticker), await curio_kernel.spawn(reader)]
            for task in tasks:
                await task.join()
            return ticks, reads

    ticks, reads = curio_kernel.run(main)
    assert ticks == 100
    assert reads > 100  # and the reader was not slowed to one read per tick


@_READERS
def test_cancelling_the_reader_of_a_flooded_socket_returns(how: str) -> None:
    async def main() -> tuple[bool, int, BaseException | None]:
        async with _flood() as sock:
            read = _one_byte_reader(sock, how)
            reads = 0

            async def reader() -> None:
                nonlocal reads
                while await read():
                    reads += 1

            task = await curio_kernel.spawn(reader)
            cancelled = await task.cancel()
            return cancelled, reads, task.exception

    cancelled, reads, exc = curio_kernel.run(main)
    assert cancelled is True
    assert reads > 0
    assert isinstance(exc, curio_kernel.CancelledError)


def test_a_timeout_that_interrupts_a_recv_loop_loses_no_byte() -> None:
    # The schedule point comes before the system call: an interruption raised
    # there has received nothing, so the next byte is the one that follows.
    async def main() -> tuple[int, bytes, bytes]:
        async with _flood() as sock:
            received = bytearray()

            async def forever() -> None:
                while True:
                    received.extend(await sock.recv(1))

            with pytest.raises(curio_kernel.TaskTimeout):
                # Real time on purpose: the loop never blocks, so a virtual clock would never move.
                await curio_kernel.timeout_after(0.05, forever())
            after = await sock.recv(1)
            return len(received), bytes(received), after

    count, received, after = curio_kernel.run(main)
    expected = (_PATTERN * (count // len(_PATTERN) + 2))[: count + 1]
    assert received == expected[:count]
    assert after == expected[count:]


def test_a_reader_makes_at_most_the_budget_of_system_calls_between_schedule_points() -> None:
    total = 4 * FAST_PATH_BUDGET

    async def main() -> list[int]:
        a, b = socket.socketpair()
        b.sendall(b"x" * total)  # all there before the first read
        sock = Socket(a)
        ticks = 0
        seen: list[int] = []  # the ticker's count at each read
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                await curio_kernel.sleep(0)
                ticks += 1

        async def reader() -> None:
            nonlocal done
            for _ in range(total):
                assert await sock.recv(1) == b"x"
                seen.append(ticks)
            done = True

        tasks = [await curio_kernel.spawn(ticker), await curio_kernel.spawn(reader)]
        for task in tasks:
            await task.join()
        await sock.close()
        b.close()
        return seen

    seen = curio_kernel.run(main)
    runs = [seen.count(tick) for tick in sorted(set(seen))]
    # A schedule point refills the budget and the call right after it is free.
    assert max(runs) == FAST_PATH_BUDGET + 1
    assert len(runs) >= 3  # the ticker ran between the reads, several times


def test_a_ticker_runs_while_a_task_accepts_a_backlog_of_connections() -> None:
    count = 3 * FAST_PATH_BUDGET
    listener_raw = socket.socket()
    listener_raw.bind(("127.0.0.1", 0))
    listener_raw.listen(count)
    clients = [socket.create_connection(listener_raw.getsockname()) for _ in range(count)]

    async def main() -> int:
        listener = Socket(listener_raw)
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                await curio_kernel.sleep(0)
                ticks += 1

        async def acceptor() -> int:
            nonlocal done
            for _ in range(count):
                conn, _ = await listener.accept()
                await conn.close()
            done = True
            return ticks  # how often the ticker ran while the backlog was accepted

        tick_task = await curio_kernel.spawn(ticker)
        accepting = await curio_kernel.spawn(acceptor)
        during: int = await accepting.join()
        await tick_task.join()
        await listener.close()
        return during

    try:
        assert curio_kernel.run(main) >= 2
    finally:
        for client in clients:
            client.close()


def test_a_ticker_runs_while_a_task_sends_to_a_peer_that_always_keeps_up() -> None:
    # TCP, which packs one-byte sends together in its buffer: the sender never fills it,
    # while on a Unix socket every send takes a buffer of its own and soon has to wait.
    with socket.create_server(("127.0.0.1", 0)) as server:
        a = socket.create_connection(server.getsockname())
        b, _ = server.accept()

    async def main() -> tuple[int, int]:
        b.setblocking(True)

        def drain() -> None:
            while b.recv(65536):
                pass

        thread = threading.Thread(target=drain, name="drain", daemon=True)
        thread.start()
        sock = Socket(a)
        ticks = sends = 0

        async def ticker() -> None:
            nonlocal ticks
            while ticks < 100:
                await curio_kernel.sleep(0)
                ticks += 1

        async def sender() -> None:
            nonlocal sends
            while ticks < 100:  # only the ticker can end this loop
                await sock.sendall(b"x")
                sends += 1

        tasks = [await curio_kernel.spawn(ticker), await curio_kernel.spawn(sender)]
        for task in tasks:
            await task.join()
        await sock.close()  # the drain thread sees the end of the stream
        thread.join(timeout=5)
        b.close()
        return ticks, sends

    ticks, sends = curio_kernel.run(main)
    assert ticks == 100
    assert sends > 100


def test_a_ticker_runs_while_a_task_reads_a_pipe_that_is_never_empty() -> None:
    read_fd, write_fd = os.pipe()

    def flood() -> None:
        try:
            while True:
                os.write(write_fd, _CHUNK)
        except OSError:
            pass  # the reading end was closed: the flood is over

    thread = threading.Thread(target=flood, name="pipe flood", daemon=True)
    thread.start()
    select.select([read_fd], [], [])  # the flood has begun: every read finds data from the start

    async def main() -> tuple[int, int]:
        stream = Stream(os.fdopen(read_fd, "rb", buffering=0))
        ticks = reads = 0

        async def ticker() -> None:
            nonlocal ticks
            while ticks < 100:
                await curio_kernel.sleep(0)
                ticks += 1

        async def reader() -> None:
            nonlocal reads
            while ticks < 100:  # only the ticker can end this loop
                assert len(await stream.read(1)) == 1  # one system call per read
                reads += 1

        tasks = [await curio_kernel.spawn(ticker), await curio_kernel.spawn(reader)]
        for task in tasks:
            await task.join()
        await stream.close()
        return ticks, reads

    try:
        ticks, reads = curio_kernel.run(main)
    finally:
        thread.join(timeout=5)
        os.close(write_fd)
    assert not thread.is_alive()
    assert ticks == 100
    assert reads > 100


def test_a_wait_refills_the_budget() -> None:
    async def main() -> int:
        a, b = socket.socketpair()
        sock = Socket(a)

        async def late_sender() -> None:
            await curio_kernel.sleep(0)
            b.send(b"x")

        BUDGET.left = 1
        sender = await curio_kernel.spawn(late_sender)
        assert await sock.recv(1) == b"x"  # nothing there at first: it waited
        await sender.join()
        left = BUDGET.left
        await sock.close()
        b.close()
        return left

    assert curio_kernel.run(main) == FAST_PATH_BUDGET
