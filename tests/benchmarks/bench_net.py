"""Networking: echo servers over TCP and Unix sockets, and readline throughput of a stream.

Echo cases: a load client in a separate process (a framework-free epoll loop, the same for
every implementation) keeps 50 connections busy, each sending a message, waiting for its echo,
and sending the next. The server under test echoes what it receives. The value is the server
process's CPU microseconds per round trip (robust on a shared machine); round trips per
wall-clock second are shown as an extra row. Each case is written with one API of the peers:
``sockets`` (asyncio's ``loop.sock_recv``/``sock_sendall``, trio's socket module), ``streams``
(asyncio's StreamReader/StreamWriter, trio's SocketStream, curio's ``Socket.as_stream()``) or
``protocols`` (asyncio's Protocol; curio and trio have none, so they use their sockets there).

The readline case reads lines from a pipe filled by a child process; its value is lines per
CPU second of the reading process.

``python tests/benchmarks/bench_net.py`` runs this module's table alone (``run.py`` options
apply).
"""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from _harness import Case, Impl, Result, cpu_timer, run_asyncio, run_uvloop  # noqa: E402

__all__ = ["BENCHMARKS", "main"]

_CONNECTIONS = 50
_LINE = b"x" * 63 + b"\n"
_READ_SIZE = 65536

# ---------------------------------------------------------------------------------------------
# The load client (runs in its own process: ``bench_net.py --client FAMILY ADDRESS PER SIZE``)


def _client(family: int, address: Any, per_connection: int, size: int) -> None:
    """Keep every connection in a send/wait-for-echo loop until each did its round trips."""
    message = b"x" * size
    poller = select.epoll()
    conns: dict[int, list[Any]] = {}
    for _ in range(_CONNECTIONS):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.connect(address)
        if family != socket.AF_UNIX:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conns[sock.fileno()] = [sock, size, 0]
        poller.register(sock.fileno(), select.EPOLLIN)
    for sock, _, _ in conns.values():
        sock.sendall(message)
    active = len(conns)
    while active:
        for fd, _ in poller.poll():
            state = conns[fd]
            data = state[0].recv(_READ_SIZE)
            if not data:
                raise SystemExit("the server closed a connection early")
            state[1] -= len(data)
            if state[1] == 0:
                state[2] += 1
                if state[2] == per_connection:
                    poller.unregister(fd)
                    state[0].close()
                    active -= 1
                else:
                    state[1] = size
                    state[0].sendall(message)


def _writer(count: int) -> None:
    """The readline case's feeder: write *count* 64-byte lines to standard output."""
    out = sys.stdout.buffer
    block = _LINE * 1024
    full, rest = divmod(count, 1024)
    for _ in range(full):
        out.write(block)
    out.write(_LINE * rest)
    out.flush()


# ---------------------------------------------------------------------------------------------
# Setting up a listener and the client around a measured server


class _Listener:
    """A listening socket of the case's family, and the client process that will load it."""

    def __init__(self, family: int) -> None:
        self.family = family
        self._dir: str | None = None
        if family == socket.AF_UNIX:
            self._dir = tempfile.mkdtemp(prefix="curio-bench-")
            self.address: Any = os.path.join(self._dir, "echo.sock")
        else:
            self.address = ("127.0.0.1", 0)
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if family != socket.AF_UNIX:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(self.address)
        self.sock.listen(_CONNECTIONS * 2)
        self.address = self.sock.getsockname()
        self.client: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start_client(self, n: int, size: int) -> None:
        per_connection = max(1, n // _CONNECTIONS)
        address = self.address if isinstance(self.address, str) else f"{self.address[1]}"
        self.started = time.monotonic()
        command = [sys.executable, __file__, "--client", str(self.family), address]
        self.client = subprocess.Popen([*command, str(per_connection), str(size)])

    def finish(self, cpu_seconds: float, n: int) -> Result:
        wall = time.monotonic() - self.started
        assert self.client is not None
        if self.client.wait(timeout=60) != 0:
            raise RuntimeError(f"the load client failed with status {self.client.returncode}")
        rounds = max(1, n // _CONNECTIONS) * _CONNECTIONS
        return Result(cpu_seconds * 1e6 / rounds, {"round trips/s": rounds / wall})

    def close(self) -> None:
        self.sock.close()
        if self.client is not None and self.client.poll() is None:
            self.client.kill()
            self.client.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


@contextmanager
def _listening(family: int) -> Iterator[_Listener]:
    listener = _Listener(family)
    try:
        yield listener
    finally:
        listener.close()


def _nodelay(sock: Any, family: int) -> None:
    if family != socket.AF_UNIX:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


# ---------------------------------------------------------------------------------------------
# curio


def _echo_curio(n: int, family: int, size: int, api: str) -> Result:
    import curio_kernel
    from curio_io import Socket

    async def echo_socket(conn: Socket) -> None:
        recv, sendall = conn.recv, conn.sendall
        while data := await recv(_READ_SIZE):
            await sendall(data)
        await conn.close()

    async def echo_stream(conn: Socket) -> None:
        stream = conn.as_stream()
        read, write = stream.read, stream.write
        while data := await read(_READ_SIZE):
            await write(data)
        await stream.close()

    echo = echo_stream if api == "streams" else echo_socket

    async def main() -> Result:
        with _listening(family) as listener:
            server = Socket(listener.sock)
            listener.start_client(n, size)
            with cpu_timer() as t:
                tasks = []
                for _ in range(_CONNECTIONS):
                    conn, _ = await server.accept()
                    _nodelay(conn, family)
                    tasks.append(await curio_kernel.spawn(echo, conn))
                for task in tasks:
                    await task.join()
            return listener.finish(t.seconds, n)

    return curio_kernel.run(main)


# ---------------------------------------------------------------------------------------------
# asyncio and uvloop


async def _echo_asyncio(n: int, family: int, size: int, api: str) -> Result:
    loop = asyncio.get_running_loop()
    with _listening(family) as listener:
        listener.sock.setblocking(False)
        listener.start_client(n, size)
        if api == "sockets":

            async def echo(conn: socket.socket) -> None:
                while data := await loop.sock_recv(conn, _READ_SIZE):
                    await loop.sock_sendall(conn, data)
                conn.close()

            with cpu_timer() as t:
                tasks = []
                for _ in range(_CONNECTIONS):
                    conn, _ = await loop.sock_accept(listener.sock)
                    _nodelay(conn, family)
                    tasks.append(asyncio.create_task(echo(conn)))
                await asyncio.gather(*tasks)
            return listener.finish(t.seconds, n)

        finished = 0
        done = loop.create_future()

        def one_done() -> None:
            nonlocal finished
            finished += 1
            if finished == _CONNECTIONS:
                done.set_result(None)

        if api == "streams":

            async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                while data := await reader.read(_READ_SIZE):
                    writer.write(data)
                    await writer.drain()
                writer.close()
                await writer.wait_closed()
                one_done()

            with cpu_timer() as t:
                if family == socket.AF_UNIX:
                    server = await asyncio.start_unix_server(handle, sock=listener.sock)
                else:
                    server = await asyncio.start_server(handle, sock=listener.sock)
                await done
                server.close()
            return listener.finish(t.seconds, n)

        class Echo(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport: Any = transport

            def data_received(self, data: bytes) -> None:
                self.transport.write(data)

            def connection_lost(self, exc: Exception | None) -> None:
                one_done()

        with cpu_timer() as t:
            if family == socket.AF_UNIX:
                pserver = await loop.create_unix_server(Echo, sock=listener.sock)
            else:
                pserver = await loop.create_server(Echo, sock=listener.sock)
            await done
            pserver.close()
        return listener.finish(t.seconds, n)


# ---------------------------------------------------------------------------------------------
# trio


def _echo_trio(n: int, family: int, size: int, api: str) -> Result:
    import trio

    async def echo_socket(conn: Any) -> None:
        with conn:
            while data := await conn.recv(_READ_SIZE):
                view = memoryview(data)
                while view:
                    view = view[await conn.send(view) :]

    async def echo_stream(conn: Any) -> None:
        async with trio.SocketStream(conn) as stream:
            while data := await stream.receive_some(_READ_SIZE):
                await stream.send_all(data)

    echo = echo_stream if api == "streams" else echo_socket

    async def main() -> Result:
        with _listening(family) as listener:
            server = trio.socket.from_stdlib_socket(listener.sock)
            listener.start_client(n, size)
            with cpu_timer() as t:
                async with trio.open_nursery() as nursery:
                    for _ in range(_CONNECTIONS):
                        conn, _ = await server.accept()
                        _nodelay(conn, family)
                        nursery.start_soon(echo, conn)
            return listener.finish(t.seconds, n)

    return trio.run(main)


# ---------------------------------------------------------------------------------------------
# framework-free epoll loop


def _echo_epoll(n: int, family: int, size: int, api: str) -> Result:
    with _listening(family) as listener:
        listener.start_client(n, size)
        with cpu_timer() as t:
            poller = select.epoll()
            lfd = listener.sock.fileno()
            poller.register(lfd, select.EPOLLIN)
            conns: dict[int, socket.socket] = {}
            finished = 0
            while finished < _CONNECTIONS:
                for fd, _ in poller.poll():
                    if fd == lfd:
                        conn, _ = listener.sock.accept()
                        _nodelay(conn, family)
                        conns[conn.fileno()] = conn
                        poller.register(conn.fileno(), select.EPOLLIN)
                        continue
                    conn = conns[fd]
                    data = conn.recv(_READ_SIZE)
                    if data:
                        conn.sendall(data)  # small echoes fit in the socket buffer
                    else:
                        poller.unregister(fd)
                        del conns[fd]
                        conn.close()
                        finished += 1
            poller.close()
        return listener.finish(t.seconds, n)


# ---------------------------------------------------------------------------------------------
# readline throughput


def _start_writer(count: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, __file__, "--writer", str(count)], stdout=subprocess.PIPE, bufsize=0
    )


def _readline_curio(n: int) -> float:
    import curio_kernel
    from curio_io import Stream

    async def main() -> float:
        proc = _start_writer(n)
        assert proc.stdout is not None
        stream = Stream(proc.stdout)
        count = 0
        with cpu_timer() as t:
            async for _line in stream:
                count += 1
        await stream.close()
        proc.wait()
        assert count == n, count
        return n / t.seconds

    return curio_kernel.run(main)


async def _readline_asyncio(n: int) -> float:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--writer", str(n), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    count = 0
    with cpu_timer() as t:
        async for _line in proc.stdout:
            count += 1
    await proc.wait()
    assert count == n, count
    return n / t.seconds


def _readline_trio(n: int) -> float:
    import trio

    async def main() -> float:
        proc = _start_writer(n)
        assert proc.stdout is not None
        stream = trio.lowlevel.FdStream(os.dup(proc.stdout.fileno()))
        proc.stdout.close()
        count = 0
        buffer = b""
        with cpu_timer() as t:
            # trio has no readline: the loop a trio user writes, one line at a time.
            while True:
                end = buffer.find(b"\n")
                if end < 0:
                    chunk = await stream.receive_some(_READ_SIZE)
                    if not chunk:
                        break
                    buffer += chunk
                    continue
                _line, buffer = buffer[: end + 1], buffer[end + 1 :]
                count += 1
        await stream.aclose()
        proc.wait()
        assert count == n, count
        return n / t.seconds

    return trio.run(main)


def _readline_plain(n: int) -> float:
    proc = _start_writer(n)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    count = 0
    buffer = b""
    pos = 0
    with cpu_timer() as t:
        while True:
            end = buffer.find(b"\n", pos)
            if end < 0:
                chunk = os.read(fd, _READ_SIZE)
                if not chunk:
                    break
                buffer = buffer[pos:] + chunk
                pos = 0
                continue
            _line = buffer[pos : end + 1]
            pos = end + 1
            count += 1
    proc.stdout.close()
    proc.wait()
    assert count == n, count
    return n / t.seconds


# ---------------------------------------------------------------------------------------------
# The cases


def _echo_impls(family: int, size: int, api: str) -> dict[str, Impl]:
    asyncio_echo: Callable[[int], Awaitable[Result]] = partial(
        _echo_asyncio, family=family, size=size, api=api
    )
    impls: dict[str, Impl] = {
        "curio": partial(_echo_curio, family=family, size=size, api=api),
        "asyncio": lambda n: run_asyncio(asyncio_echo, n),
        "uvloop": lambda n: run_uvloop(asyncio_echo, n),
    }
    if api != "protocols":
        impls["trio"] = partial(_echo_trio, family=family, size=size, api=api)
    impls["epoll"] = partial(_echo_epoll, family=family, size=size, api=api)
    return impls


def _echo_cases() -> list[Case]:
    cases = []
    for family, transport in ((socket.AF_INET, "TCP"), (socket.AF_UNIX, "Unix")):
        for size, label in ((100, "100 B"), (4096, "4 KiB")):
            for api in ("sockets", "streams", "protocols"):
                cases.append(
                    Case(
                        name=f"{transport} echo {label}, {api}",
                        unit="µs/round trip",
                        n=50_000,
                        quick_n=2_000,
                        warmup_n=5_000,
                        impls=_echo_impls(family, size, api),
                        goal=6.0 if (transport, size, api) == ("TCP", 100, "sockets") else None,
                        note=(
                            "curio and epoll use their sockets (no protocol API)"
                            if api == "protocols"
                            else ""
                        ),
                    )
                )
    return cases


BENCHMARKS = [
    *_echo_cases(),
    Case(
        name="Stream readline from a pipe",
        unit="lines/CPU-s",
        n=1_000_000,
        quick_n=20_000,
        impls={
            "curio": _readline_curio,
            "asyncio": lambda n: run_asyncio(_readline_asyncio, n),
            "uvloop": lambda n: run_uvloop(_readline_asyncio, n),
            "trio": _readline_trio,
            "epoll": _readline_plain,
        },
        note="trio has no readline (a user's split loop); epoll: os.read and bytes.find",
    ),
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run this module's benchmarks through ``run.py`` (its options apply)."""
    import run

    return run.main(["--only", "bench_net", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        family = int(sys.argv[2])
        where = sys.argv[3]
        address: Any = where if family == socket.AF_UNIX else ("127.0.0.1", int(where))
        _client(family, address, int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1:2] == ["--writer"]:
        _writer(int(sys.argv[2]))
    else:
        sys.exit(main())
