"""Randomized cancellation of socket I/O over ``socket.socketpair()`` and loopback TCP.

A sender streams a known byte pattern in chunks of 1 byte to 250 kB (big enough for
``sendall`` to wait for the reader) and a receiver reads it in chunks of random sizes,
every call inside random timeout blocks; other tasks cancel both at random steps.  An
interrupted ``sendall`` says in ``bytes_sent`` how much went out and the sender goes on
from there; an interrupted ``recv`` consumed nothing.  So the bytes received are always
exactly the pattern, and once the sender's side is closed the receiver reads everything
that was sent and nothing more.

Over loopback TCP (port 0), connectors and an acceptor are cancelled while connecting,
accepting and talking.  Every socket is closed in the end: the harness compares the open
descriptors before and after each round, and the kernel must have forgotten every one.
"""

from __future__ import annotations

import socket
from typing import Any

from curio_io import Socket
from curio_kernel import Task

_PERIOD = 251  # a prime: a misplaced chunk shows
_PATTERN = bytes(range(_PERIOD)) * (260_000 // _PERIOD + 2)


def _expected(offset: int, size: int) -> bytes:
    start = offset % _PERIOD
    return _PATTERN[start : start + size]


def test_a_stream_loses_and_repeats_nothing_whatever_is_interrupted(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        left, right = socket.socketpair()
        writer, reader = Socket(left), Socket(right)
        sent = [0]
        received = [0]
        try:

            async def sender() -> None:
                rng = r.fork()
                for _ in range(rng.randint(1, 4)):
                    data = _expected(sent[0], rng.choice((1, 100, 10_000, 100_000, 250_000)))

                    async def send(data: bytes = data) -> None:
                        try:
                            await writer.sendall(data)
                        except BaseException as exc:
                            part = getattr(exc, "bytes_sent", None)
                            r.check(part is not None, f"sendall raised {exc!r} with no bytes_sent")
                            sent[0] += part or 0
                            raise
                        sent[0] += len(data)

                    await r.guarded(rng, send)
                    await r.steps(rng, 3)
                await r.park()

            async def receiver() -> None:
                rng = r.fork()
                for _ in range(rng.randint(1, 8)):

                    async def receive() -> None:
                        data = await reader.recv(rng.choice((1, 1000, 65536)))
                        r.check(
                            data == _expected(received[0], len(data)),
                            f"received bytes out of place at offset {received[0]}",
                        )
                        received[0] += len(data)

                    await r.guarded(rng, receive)
                    await r.steps(rng, 3)
                await r.park()

            send_task = await r.spawn("sender", sender)
            receive_task = await r.spawn("receiver", receiver)
            await r.cancel_some((send_task, receive_task))
            await r.settle([send_task, receive_task])
            await send_task.cancel()
            await writer.close()
            await receive_task.cancel()
            while data := await reader.recv(65536):
                r.check(data == _expected(received[0], len(data)), "drained bytes out of place")
                received[0] += len(data)
            r.check(received[0] == sent[0], f"sent {sent[0]} bytes, received {received[0]}")
        finally:
            await writer.close()
            await reader.close()

    fuzz.play(scenario)


def test_connect_and_accept_undone_by_cancellation_leak_no_socket(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.bind(("127.0.0.1", 0))
        raw.listen(16)
        listener = Socket(raw)
        address = raw.getsockname()
        accepted: list[Socket] = []
        try:

            async def acceptor() -> None:
                rng = r.fork()
                for _ in range(rng.randint(1, 5)):

                    async def accept() -> None:
                        client, _ = await listener.accept()
                        accepted.append(client)
                        try:
                            await client.recv(10)
                        finally:
                            await client.close()

                    await r.guarded(rng, accept)
                await r.park()

            async def connector() -> None:
                rng = r.fork()
                sock = Socket(socket.socket(socket.AF_INET, socket.SOCK_STREAM))

                async def talk() -> None:
                    await sock.connect(address)
                    await sock.sendall(b"hello")
                    await r.steps(rng, 4)

                try:
                    await r.guarded(rng, talk)
                except OSError:
                    pass  # the acceptor was gone and the backlog full, say
                finally:
                    await sock.close()
                await r.park()

            tasks: list[Task[None]] = [await r.spawn("acceptor", acceptor)]
            tasks += [
                await r.spawn(f"connector-{k}", connector) for k in range(r.rng.randint(1, 4))
            ]
            await r.cancel_some(tasks)
            await r.settle(tasks)
            await r.sweep()
            for client in accepted:
                r.check(client.fileno() == -1, f"an accepted socket was left open: {client!r}")
        finally:
            await listener.close()

    fuzz.play(scenario)


def test_a_stream_read_interrupted_part_way_keeps_what_it_had_read(fuzz: Any) -> None:
    """``read``, ``read_exactly`` and ``readline`` of a socket stream: an interrupted call
    returns nothing, so whatever it had read already must stay for the next call."""

    async def scenario(r: Any) -> None:
        left, right = socket.socketpair()
        writer, reader = Socket(left).as_stream(), Socket(right).as_stream()
        sent = [0]
        received = [0]
        interrupted: list[str] = []
        try:

            async def sender() -> None:
                rng = r.fork()
                for _ in range(rng.randint(1, 6)):
                    data = _expected(sent[0], rng.choice((1, 100, 1000, 10_000, 100_000)))

                    async def send(data: bytes = data) -> None:
                        try:
                            await writer.write(data)
                        except BaseException as exc:
                            part = getattr(exc, "bytes_written", None)
                            r.check(part is not None, f"write raised {exc!r} with no bytes_written")
                            sent[0] += part or 0
                            raise
                        sent[0] += len(data)

                    await r.guarded(rng, send)
                    await r.steps(rng, 3)
                await r.park()

            async def receiver() -> None:
                rng = r.fork()
                for _ in range(rng.randint(1, 8)):
                    how = rng.choice(("read", "read_exactly", "readline"))
                    size = rng.choice((1, 300, 5000, 50_000))

                    async def receive(how: str = how, size: int = size) -> None:
                        try:
                            if how == "read":
                                data = await reader.read(size)
                            elif how == "read_exactly":
                                data = await reader.read_exactly(size)
                            else:
                                data = await reader.readline()
                        except BaseException:
                            interrupted.append(f"{how}({size if how != 'readline' else ''})")
                            raise
                        r.check(
                            data == _expected(received[0], len(data)),
                            f"{how}() gave bytes out of place at offset {received[0]}, "
                            f"after these calls were interrupted: {interrupted}",
                        )
                        received[0] += len(data)

                    await r.guarded(rng, receive)
                    await r.steps(rng, 3)
                await r.park()

            send_task = await r.spawn("sender", sender)
            receive_task = await r.spawn("receiver", receiver)
            await r.cancel_some((send_task, receive_task))
            await r.settle([send_task, receive_task])
            await send_task.cancel()
            await writer.close()
            await receive_task.cancel()
            while data := await reader.read(65536):
                r.check(data == _expected(received[0], len(data)), "drained bytes out of place")
                received[0] += len(data)
            r.check(received[0] == sent[0], f"sent {sent[0]} bytes, received {received[0]}")
        finally:
            await writer.close()
            await reader.close()

    fuzz.play(scenario)
