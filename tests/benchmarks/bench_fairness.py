"""Fairness: how long a sleep(0) ticker waits behind a task reading a socket that never runs dry.

A child process (the flood, the same for every implementation) writes 64 KiB blocks into one
end of a Unix socket pair as fast as it can; a task reads the other end one byte at a time, so
every read finds data waiting. Beside it a second task loops on ``sleep(0)`` and records the
longest gap between two of its turns. The value is that worst gap in CPU microseconds of the
measuring process (the flood's CPU is not counted); the same gap on the wall clock and the
reader's rate are extra rows. A framework that never makes a read that found data a schedule
point starves the ticker for as long as the reader runs: the reader stops after ``n`` reads, so
the run still ends, and the gap shown is what was observed, about the whole run.

Each case is written with one API of the peers: ``sockets`` (curio's ``Socket.recv``, asyncio's
``loop.sock_recv``, trio's socket module) or ``streams`` (curio's ``Socket.as_stream()``,
asyncio's StreamReader, trio's SocketStream).

``python tests/benchmarks/bench_fairness.py`` runs this module's table alone (``run.py``
options apply).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from _harness import Case, Impl, Result, run_asyncio, run_uvloop  # noqa: E402

__all__ = ["BENCHMARKS", "main"]

_BLOCK = b"x" * 65536
#: The flood ends by itself after this long, should its reader never close.
_FLOOD_SECONDS = 120.0

# ---------------------------------------------------------------------------------------------
# The flood (runs in its own process: ``bench_fairness.py --flood FD``)


def _flood(fd: int) -> None:
    """Write blocks into the socket *fd* until its peer closes it (or time runs out)."""
    sock = socket.socket(fileno=fd)
    sock.setblocking(True)
    sock.settimeout(1.0)  # a blocked write looks at the clock at least once a second
    deadline = time.monotonic() + _FLOOD_SECONDS
    while time.monotonic() < deadline:
        try:
            sock.sendall(_BLOCK)
        except TimeoutError:
            continue
        except OSError:
            break  # the reader closed its end: done
    sock.close()


@contextmanager
def _flooded() -> Iterator[socket.socket]:
    """The reading end of a socket pair whose other end a child process floods."""
    mine, theirs = socket.socketpair()
    child = subprocess.Popen(
        [sys.executable, __file__, "--flood", str(theirs.fileno())], pass_fds=[theirs.fileno()]
    )
    theirs.close()
    try:
        # Wait until the first block is there, so every read finds data from the start.
        mine.recv(1, socket.MSG_PEEK)
        mine.setblocking(False)
        yield mine
    finally:
        mine.close()
        try:
            child.wait(timeout=10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


# ---------------------------------------------------------------------------------------------
# The ticker and the result, shared by every implementation


@dataclass
class _Ticker:
    """The worst gap between two turns of a ``sleep(0)`` loop, in CPU and in wall seconds.

    The first gap starts when the ticker is made, before the reader starts, and the last
    one ends at the first turn after the reader is done: a ticker that never got a turn
    while the reader ran reports the whole run.
    """

    done: bool = False
    worst_cpu: float = 0.0
    worst_wall: float = 0.0
    ticks: int = 0
    cpu: float = field(default_factory=time.process_time)
    wall: float = field(default_factory=time.perf_counter)

    async def run(self, sleep0: Callable[[], Awaitable[Any]]) -> None:
        cpu, wall = self.cpu, self.wall
        while True:
            await sleep0()
            now_cpu, now_wall = time.process_time(), time.perf_counter()
            self.worst_cpu = max(self.worst_cpu, now_cpu - cpu)
            self.worst_wall = max(self.worst_wall, now_wall - wall)
            cpu, wall = now_cpu, now_wall
            if self.done:
                return
            self.ticks += 1


def _result(ticker: _Ticker, reads: int, cpu_seconds: float) -> Result:
    return Result(
        ticker.worst_cpu * 1e6,
        {
            "µs/worst tick gap, wall clock": ticker.worst_wall * 1e6,
            "reads/CPU-s (reader and ticker together)": reads / max(cpu_seconds, 1e-9),
        },
    )


async def _reader(ticker: _Ticker, read: Callable[[], Awaitable[bytes]], n: int) -> None:
    """The reading task of every implementation: *n* one-byte reads, then stop the ticker."""
    for _ in range(n):
        if not await read():
            raise RuntimeError("the flood ended early")
    ticker.done = True


# ---------------------------------------------------------------------------------------------
# curio


def _fair_curio(n: int, api: str) -> Result:
    import curio_kernel
    from curio_io import Socket

    async def main() -> Result:
        with _flooded() as raw:
            sock = Socket(raw)
            read = sock.as_stream().read if api == "streams" else sock.recv
            ticker = _Ticker()
            started = time.process_time()
            tick_task = await curio_kernel.spawn(ticker.run, partial(curio_kernel.sleep, 0))
            read_task = await curio_kernel.spawn(_reader, ticker, partial(read, 1), n)
            await read_task.join()
            await tick_task.join()
            seconds = time.process_time() - started
            await sock.close()
        return _result(ticker, n, seconds)

    return curio_kernel.run(main)


# ---------------------------------------------------------------------------------------------
# asyncio and uvloop


async def _fair_asyncio(n: int, api: str) -> Result:
    loop = asyncio.get_running_loop()
    with _flooded() as raw:
        writer: asyncio.StreamWriter | None = None
        if api == "streams":
            stream, writer = await asyncio.open_unix_connection(sock=raw)
            read: Callable[[], Awaitable[bytes]] = partial(stream.read, 1)
        else:
            read = partial(loop.sock_recv, raw, 1)
        ticker = _Ticker()
        started = time.process_time()
        tick_task = asyncio.create_task(ticker.run(partial(asyncio.sleep, 0)))
        await _reader(ticker, read, n)
        await tick_task
        seconds = time.process_time() - started
        if writer is not None:
            writer.close()  # the transport owns the socket (uvloop's, a copy of it)
            await writer.wait_closed()
    return _result(ticker, n, seconds)


# ---------------------------------------------------------------------------------------------
# trio


def _fair_trio(n: int, api: str) -> Result:
    import trio

    async def main() -> Result:
        with _flooded() as raw:
            tsock = trio.socket.from_stdlib_socket(raw)
            read: Callable[[], Awaitable[bytes]]
            if api == "streams":
                read = partial(trio.SocketStream(tsock).receive_some, 1)
            else:
                read = partial(tsock.recv, 1)
            ticker = _Ticker()
            started = time.process_time()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(ticker.run, partial(trio.sleep, 0))
                nursery.start_soon(_reader, ticker, read, n)
            seconds = time.process_time() - started
        return _result(ticker, n, seconds)

    return trio.run(main)


# ---------------------------------------------------------------------------------------------
# The cases


def _impls(api: str) -> dict[str, Impl]:
    fair_asyncio: Callable[[int], Awaitable[Result]] = partial(_fair_asyncio, api=api)
    return {
        "curio": partial(_fair_curio, api=api),
        "asyncio": lambda n: run_asyncio(fair_asyncio, n),
        "uvloop": lambda n: run_uvloop(fair_asyncio, n),
        "trio": partial(_fair_trio, api=api),
    }


_NOTES = {
    "sockets": "no bound: asyncio's sock_recv (a read that finds data never yields; the "
    "ticker waits for the whole run). Bounded: curio (a schedule point every 64 reads, "
    "curio_io._budget), uvloop's sock_recv (always waits for readiness), trio (a schedule "
    "point at every read)",
    "streams": "no bound: asyncio's and uvloop's StreamReader (a read served from the buffer "
    "never yields; the ticker runs once the buffer runs dry). Bounded: curio (every 64 "
    "reads), trio (every read)",
}

BENCHMARKS = [
    Case(
        name=f"sleep(0) ticker behind a flooded reader, {api}",
        unit="µs/worst tick gap (CPU)",
        n=200_000,
        quick_n=10_000,
        impls=_impls(api),
        note=_NOTES[api],
    )
    for api in ("sockets", "streams")
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run this module's benchmarks through ``run.py`` (its options apply)."""
    import run

    return run.main(["--only", "bench_fairness", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--flood"]:
        _flood(int(sys.argv[2]))
    else:
        sys.exit(main())
