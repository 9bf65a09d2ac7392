"""Cancelling a task blocked in each trap: it ends cleanly, nothing stays registered.

"Nothing stays registered" is checked through the kernel's deadlock detection:
after the cancellation, a task blocked forever on a queue must be reported as
a deadlock at once.  A leftover registration (an I/O wait, a future, a thread,
a signal wait) would make the kernel believe something could still wake it,
and the run would hang instead (and hit the test timeout).
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from curio_kernel import CancelledError, Kernel, clock, run_in_thread, sleep, spawn
from curio_kernel.testing import MockClock
from curio_traps import (
    _future_wait,
    _read_wait,
    _reschedule_tasks,
    _sigwait,
    _wait_on_queue,
    _write_wait,
)


async def nap(seconds: float) -> None:
    """A coroutine that sleeps (``sleep()`` itself returns a plain awaitable)."""
    await sleep(seconds)


def assert_nothing_pending(kernel: Kernel) -> None:
    """A task blocked forever must now be seen as a deadlock, promptly."""

    async def blocked_forever() -> None:
        await _wait_on_queue(deque(), "FOREVER")

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="deadlock"):
        kernel.run(blocked_forever())
    assert time.monotonic() - start < 1.0


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    with Kernel() as k:
        yield k


def test_cancel_sleep(kernel: Kernel) -> None:
    async def main() -> tuple[bool, BaseException | None]:
        task = await spawn(nap(3600))
        cancelled = await task.cancel()
        return cancelled, task.exception

    start = time.monotonic()
    result = kernel.run(main())
    assert result is not None
    cancelled, exc = result
    assert cancelled is True
    assert isinstance(exc, CancelledError)
    # The hour-long timer does not keep the kernel waiting.
    assert time.monotonic() - start < 1.0
    assert_nothing_pending(kernel)


def test_cancel_join(kernel: Kernel, flag: Callable[[], Any]) -> None:
    gate = flag()
    log: list[str] = []

    async def target() -> str:
        await gate.wait()
        log.append("target ended")
        return "value"

    async def joiner(task: Any) -> None:
        try:
            await task.join()
        finally:
            log.append("joiner ended")

    async def main() -> str:
        t = await spawn(target())
        j = await spawn(joiner(t))
        assert j.state == "TASK_JOIN"
        assert await j.cancel() is True
        # The target ends afterwards; the cancelled joiner is not woken again.
        await gate.set()
        result: str = await t.join()
        return result

    assert kernel.run(main()) == "value"
    assert log == ["joiner ended", "target ended"]
    assert_nothing_pending(kernel)


def test_cancel_wait_on_queue_removes_the_task(kernel: Kernel) -> None:
    kqueue: deque[Any] = deque()
    got: list[tuple[str, object]] = []

    async def waiter(name: str) -> None:
        got.append((name, await _wait_on_queue(kqueue, "Q_WAIT")))

    async def main() -> None:
        first = await spawn(waiter("first"))
        second = await spawn(waiter("second"))
        assert len(kqueue) == 2
        assert await first.cancel() is True
        assert list(kqueue) == [second]
        # The next wake-up goes to the remaining waiter, not the cancelled one.
        await _reschedule_tasks(kqueue, 1, "hello")
        await second.join()

    kernel.run(main())
    assert got == [("second", "hello")]
    assert len(kqueue) == 0
    assert_nothing_pending(kernel)


def test_cancel_read_wait_then_another_task_reads(
    kernel: Kernel, sockets: tuple[socket.socket, socket.socket]
) -> None:
    a, b = sockets

    async def reader() -> bytes:
        await _read_wait(a)
        return a.recv(100)

    async def main() -> bytes:
        first = await spawn(reader())
        assert first.state == "READ_WAIT"
        assert await first.cancel() is True
        second = await spawn(reader())
        assert second.state == "READ_WAIT"
        b.send(b"data")
        result: bytes = await second.join()
        return result

    assert kernel.run(main()) == b"data"
    assert_nothing_pending(kernel)


def test_cancel_read_wait_with_data_arriving_later(
    virtual_clock: MockClock, sockets: tuple[socket.socket, socket.socket]
) -> None:
    # Data arriving on a descriptor nobody waits for any more must not wake
    # anything nor spin the kernel.
    a, b = sockets

    async def main() -> float:
        task = await spawn(_read_wait(a))
        await task.cancel()
        b.send(b"unwanted")
        await sleep(0.01)  # the kernel polls, finds nothing to wake, and jumps
        await sleep(0)
        return await clock()

    with Kernel(clock=virtual_clock) as kernel:
        assert kernel.run(main()) == 0.01
        assert a.recv(100) == b"unwanted"
        assert_nothing_pending(kernel)


def _fill(sock: socket.socket) -> int:
    """Write into *sock* until its buffer is full; return the bytes written."""
    total = 0
    chunk = b"x" * 65536
    while True:
        try:
            total += sock.send(chunk)
        except BlockingIOError:
            return total


def _drain(sock: socket.socket) -> int:
    total = 0
    while True:
        try:
            data = sock.recv(1 << 20)
        except BlockingIOError:
            return total
        if not data:
            return total
        total += len(data)


def test_cancel_write_wait_then_another_task_writes(
    kernel: Kernel, sockets: tuple[socket.socket, socket.socket]
) -> None:
    a, b = sockets
    _fill(a)

    async def writer() -> int:
        await _write_wait(a)
        return a.send(b"more")

    async def main() -> int:
        first = await spawn(writer())
        assert first.state == "WRITE_WAIT"
        assert await first.cancel() is True
        second = await spawn(writer())
        assert second.state == "WRITE_WAIT"
        _drain(b)
        result: int = await second.join()
        return result

    assert kernel.run(main()) == 4
    assert_nothing_pending(kernel)


def test_cancel_read_and_write_waits_on_one_socket(
    kernel: Kernel, sockets: tuple[socket.socket, socket.socket]
) -> None:
    a, b = sockets
    _fill(a)

    async def main() -> bytes:
        r = await spawn(_read_wait(a))
        w = await spawn(_write_wait(a))
        await r.cancel()
        # The writer still waits; make room for it.
        _drain(b)
        await w.join()
        # And a new reader is woken by fresh data.
        r2 = await spawn(_read_wait(a))
        b.send(b"ping")
        await r2.join()
        return a.recv(10)

    assert kernel.run(main()) == b"ping"
    assert_nothing_pending(kernel)


def test_read_wait_on_a_closed_and_reused_descriptor(kernel: Kernel) -> None:
    # A socket waited on, cancelled and closed without _io_release; its
    # descriptor number is then reused by a new socket that is waited on.
    async def main() -> bytes:
        a, b = socket.socketpair()
        task = await spawn(_read_wait(a))
        await task.cancel()
        a.close()
        b.close()
        c, d = socket.socketpair()
        try:
            reader = await spawn(_read_wait(c))
            d.send(b"fresh")
            await reader.join()
            return c.recv(10)
        finally:
            c.close()
            d.close()

    assert kernel.run(main()) == b"fresh"
    assert_nothing_pending(kernel)


def test_cancel_future_wait(kernel: Kernel) -> None:
    future: Future[int] = Future()

    async def waiter() -> int:
        return await _future_wait(future)

    async def main() -> bool:
        task = await spawn(waiter())
        assert task.state == "FUTURE_WAIT"
        return await task.cancel()

    assert kernel.run(main()) is True
    # A pending future whose waiter was cancelled is cancelled too.
    assert future.cancelled()
    assert_nothing_pending(kernel)


def test_cancel_future_wait_on_a_running_future(kernel: Kernel, no_thread_leak: None) -> None:
    release = threading.Event()

    async def main() -> bool:
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(release.wait, 5)
            task = await spawn(_future_wait(future))
            cancelled = await task.cancel()
            # The future completes after its waiter left: nothing breaks.
            release.set()
            return cancelled

    assert kernel.run(main()) is True
    assert_nothing_pending(kernel)


def test_cancel_run_in_thread_returns_at_once(kernel: Kernel, no_thread_leak: None) -> None:
    release = threading.Event()
    finished = threading.Event()

    def blocking() -> str:
        release.wait(5)
        finished.set()
        return "late"

    async def main() -> tuple[bool, bool]:
        task = await spawn(run_in_thread(blocking))
        cancelled = await task.cancel()
        # cancel() returned while the thread still runs.
        still_running = not finished.is_set()
        release.set()
        return cancelled, still_running

    assert kernel.run(main()) == (True, True)
    assert finished.wait(5)
    assert_nothing_pending(kernel)


def test_cancel_sigwait_restores_the_handler(
    kernel: Kernel, fake_signal_set: Callable[..., Any]
) -> None:
    before = signal.getsignal(signal.SIGUSR1)
    sigset = fake_signal_set(signal.SIGUSR1)
    seen: list[object] = []

    async def main() -> bool:
        task = await spawn(_sigwait(sigset))
        assert task.state == "SIGNAL_WAIT"
        seen.append(signal.getsignal(signal.SIGUSR1))
        return await task.cancel()

    assert kernel.run(main()) is True
    assert seen[0] is not before  # the kernel watched the signal while the task waited
    assert signal.getsignal(signal.SIGUSR1) is before
    assert_nothing_pending(kernel)


def test_cancel_sigwait_then_another_task_waits(
    kernel: Kernel, fake_signal_set: Callable[..., Any]
) -> None:
    import os

    sigset = fake_signal_set(signal.SIGUSR2)

    async def main() -> int:
        first = await spawn(_sigwait(sigset))
        await first.cancel()
        second = await spawn(_sigwait(sigset))
        os.kill(os.getpid(), signal.SIGUSR2)
        result: int = await second.join()
        return result

    assert kernel.run(main()) == signal.SIGUSR2
    assert_nothing_pending(kernel)


def test_cancel_a_task_blocked_in_a_nested_coroutine(kernel: Kernel) -> None:
    log: list[str] = []

    async def inner() -> None:
        try:
            await sleep(3600)
        finally:
            log.append("inner")

    async def outer() -> None:
        try:
            await inner()
        finally:
            log.append("outer")

    async def main() -> None:
        task = await spawn(outer())
        await task.cancel()

    kernel.run(main())
    assert log == ["inner", "outer"]
