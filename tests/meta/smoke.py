"""A smoke test of every distribution, through ``curio`` alone: ``python tests/meta/smoke.py``.

Run by ``nox -s wheels`` in an environment that holds nothing but the wheels of curio (with
``--from-wheels``, which first checks that every distribution was installed from a wheel),
and by ``tests/meta/test_smoke.py`` everywhere else.  Each check is small and loopback-only,
and the whole run takes well under a second; it prints one line per distribution.
"""

from __future__ import annotations

import importlib.metadata
import os
import signal
import sys
import sysconfig
from collections import deque
from pathlib import Path
from typing import Any

import curio
from curio import socket, subprocess
from curio.io import Socket, Stream
from curio.traps import _reschedule_tasks, _wait_on_queue


async def check_kernel() -> str:
    async def double(n: int) -> int:
        await curio.sleep(0)
        return 2 * n

    task = await curio.spawn(double(21))
    assert await task.join() == 42
    assert await curio.run_in_thread(sum, [1, 2, 3]) == 6
    # Real time on purpose: the smoke test runs curio as a user does, on the standard clock.
    async with curio.ignore_after(0.01) as block:
        await curio.sleep(5)
    assert block.expired

    async def nap() -> None:
        await curio.sleep(5)

    sleeper = await curio.spawn(nap())
    assert await sleeper.cancel()
    return "spawn, join, run_in_thread, ignore_after, cancel"


async def check_sync() -> str:
    queue: curio.Queue[int] = curio.Queue()
    lock = curio.Lock()
    total = 0

    async def consume() -> None:
        nonlocal total
        while True:
            item = await queue.get()
            async with lock:
                total += item
            await queue.task_done()

    consumer = await curio.spawn(consume())
    for n in range(10):
        await queue.put(n)
    await queue.join()
    await consumer.cancel()
    assert total == 45, total
    return "Queue, Lock"


async def check_traps() -> str:
    waiting: deque[Any] = deque()

    async def sleeper() -> str:
        return str(await _wait_on_queue(waiting, "SMOKE_WAIT"))

    task = await curio.spawn(sleeper())
    assert len(waiting) == 1
    await _reschedule_tasks(waiting, 1, value="woken")
    assert await task.join() == "woken"
    return "_wait_on_queue, _reschedule_tasks"


async def check_io() -> str:
    left, right = socket.socketpair()
    assert isinstance(left, Socket)
    async with left, right:
        await left.sendall(b"ping")
        assert await right.recv(4) == b"ping"
    read_fd, write_fd = os.pipe()
    reader = Stream(open(read_fd, "rb", buffering=0))  # noqa: SIM115 - closed below
    writer = Stream(open(write_fd, "wb", buffering=0))  # noqa: SIM115 - closed below
    async with reader, writer:
        await writer.write(b"line one\nline two\n")
        assert await reader.readline() == b"line one\n"
    return "Socket, Stream"


async def check_net() -> str:
    async def echo(client: Socket, address: Any) -> None:
        async with client:
            await client.sendall(await client.recv(100))

    server = curio.create_server("127.0.0.1", 0, echo)
    serving = await curio.spawn(server.serve_forever())
    sock = await curio.open_connection("127.0.0.1", server.address[1])
    async with sock:
        await sock.sendall(b"hello")
        assert await sock.recv(100) == b"hello"
    await serving.cancel()
    return "create_server, open_connection"


async def check_subprocess() -> str:
    done = await subprocess.run(
        [sys.executable, "-c", "print('from a child')"], stdout=subprocess.PIPE, timeout=30
    )
    assert done.returncode == 0
    assert done.stdout.strip() == b"from a child", done.stdout
    return "run"


async def check_signal() -> str:
    async with curio.SignalSet(signal.SIGUSR1) as signals:
        # Real time on purpose: a wait for a signal, which holds an autojump back.
        os.kill(os.getpid(), signal.SIGUSR1)
        assert await curio.timeout_after(5, signals.wait()) == signal.SIGUSR1
    return "SignalSet"


CHECKS = {
    "curio-kernel": check_kernel,
    "curio-sync": check_sync,
    "curio-traps": check_traps,
    "curio-io": check_io,
    "curio-net": check_net,
    "curio-subprocess": check_subprocess,
    "curio-signal": check_signal,
}


def check_installed_from_wheels() -> None:
    """Each distribution is a wheel in site-packages: not editable, not from a source tree."""
    purelib = Path(sysconfig.get_paths()["purelib"]).resolve()
    for distribution in ("curio", *CHECKS):
        dist = importlib.metadata.distribution(distribution)
        assert dist.read_text("direct_url.json") is None, f"{distribution} is not from a wheel"
        module = __import__(distribution.replace("-", "_"))
        source = Path(module.__file__ or "").resolve()
        assert source.is_relative_to(purelib), f"{distribution} is imported from {source}"
    print(f"ok every distribution is an installed wheel in {purelib}")


async def main() -> None:
    for distribution, check in CHECKS.items():
        print(f"ok {distribution}: {await check()}")


if __name__ == "__main__":
    if "--from-wheels" in sys.argv[1:]:
        check_installed_from_wheels()
    curio.run(main)
    print(f"ok curio {curio.__version__}: every distribution works through curio")
