"""Signals arrive while other tasks do I/O and while worker threads run."""

from __future__ import annotations

import os
import signal
import socket
import threading

from curio_kernel import run, run_in_thread, sleep, spawn
from curio_signal import SignalSet
from curio_traps import _read_wait, _write_wait


async def _send_all(sock: socket.socket, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view[:65536]) :]
        except BlockingIOError:
            await _write_wait(sock)
    sock.shutdown(socket.SHUT_WR)


async def _recv_all(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            await _read_wait(sock)
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_a_burst_during_socket_traffic_loses_neither_signals_nor_data(stray: list[int]) -> None:
    payload = os.urandom(2 * 1024 * 1024)
    count = 100

    async def signaller() -> None:
        for _ in range(count):
            os.kill(os.getpid(), signal.SIGUSR1)
            await sleep(0)

    async def main() -> tuple[bytes, list[int]]:
        left, right = socket.socketpair()
        left.setblocking(False)
        right.setblocking(False)
        with left, right:
            async with SignalSet(signal.SIGUSR1) as sigset:
                writer = await spawn(_send_all, left, payload)
                reader = await spawn(_recv_all, right)
                sender = await spawn(signaller)
                received = [await sigset.wait() for _ in range(count)]
                await sender.join()
                await writer.join()
                return await reader.join(), received

    data, received = run(main)
    assert data == payload
    assert received == [signal.SIGUSR1] * count
    assert stray == []


def test_a_signal_wakes_a_kernel_asleep_while_a_thread_runs(stray: list[int]) -> None:
    release = threading.Event()

    def blocking_work() -> str:
        os.kill(os.getpid(), signal.SIGUSR2)
        # Ends only once the signal reached the task: the kernel must have woken for it.
        if not release.wait(5):
            return "never released"
        return "done"

    async def main() -> tuple[int, str]:
        async with SignalSet(signal.SIGUSR2) as sigset:
            worker = await spawn(run_in_thread, blocking_work)
            signo = await sigset.wait()
            release.set()
            return signo, await worker.join()

    assert run(main) == (signal.SIGUSR2, "done")
    assert stray == []


def test_signals_sent_from_a_worker_thread_are_all_received(stray: list[int]) -> None:
    sent = (signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP)

    def send_them() -> None:
        for signo in sent:
            os.kill(os.getpid(), signo)

    async def main() -> set[int]:
        async with SignalSet(*sent) as sigset:
            await run_in_thread(send_them)
            return {await sigset.wait() for _ in sent}

    assert run(main) == set(sent)
    assert stray == []
