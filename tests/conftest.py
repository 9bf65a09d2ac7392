"""The test tools every area of the suite shares.

A folder's own ``conftest.py`` holds only what is specific to it (TLS material for
curio-net, child programs for the monitor, stray signals for curio-signal...).

Two rules shape this file:

* ``nox -s split`` runs tests/split and tests/sync with only curio-traps, curio-kernel and
  curio-sync installed, so nothing else of curio is imported at module level here.  A
  fixture that needs another distribution imports it inside its body.
* Tests run with ``--import-mode=importlib``, where a conftest module cannot be imported by
  name: a helper class or function reaches a test through a fixture that returns it.

Tasks synchronize with :class:`Flag` (or ``curio_sync.Event``) and :func:`until`, never
with sleeps.  A test that sleeps or times out runs on :func:`virtual_clock`
(``run(main, clock=virtual_clock)``), so an hour of timeouts takes no real time; one that
measures real time on purpose says so in a comment.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import tempfile
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from curio_kernel import sleep
from curio_kernel.testing import MockClock
from curio_traps import _reschedule_tasks, _wait_on_queue

# ---------------------------------------------------------------------- leaks


def pytest_collection_finish(session: pytest.Session) -> None:
    """Set aside every object that exists once the tests are collected.

    A full collection walks every object the garbage collector tracks, and after
    collection that is mostly pytest's own items and the modules imported; frozen, they
    are skipped, and the collection after each test costs a millisecond or two instead of
    tens.  Anything a test creates is still collected.
    """
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect cycles after each test, so an unclosed socket or a leaked kernel is
    reported (as an error, see ``filterwarnings``) against the test that leaked it."""
    yield
    gc.collect()


def _descriptors() -> set[int]:
    """The descriptors open in this process (``/proc/self/fd`` on Linux, ``/dev/fd`` else)."""
    for path in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(path):
            return {int(name) for name in os.listdir(path)}
    raise RuntimeError("no way to list the open descriptors here")


@pytest.fixture
def open_fds() -> Callable[[], int]:
    """A function returning how many descriptors the process has open."""
    return lambda: len(_descriptors())


@pytest.fixture
def no_fd_leak() -> Iterator[None]:
    """Fail the test if it leaves a descriptor open that it did not find open.

    Garbage is collected first: a descriptor that only a cycle still holds (a
    multiprocessing finalizer closes it when the cycle goes) is not open past the
    test; one still reachable, or an unclosed socket's warning, still fails it.
    """
    before = _descriptors()
    yield
    gc.collect()
    leaked = _descriptors() - before
    assert not leaked, f"descriptors left open: {sorted(leaked)}"


@pytest.fixture
def no_thread_leak() -> Iterator[None]:
    """Fail the test if it leaves more threads running than it found."""
    before = threading.active_count()
    yield
    assert threading.active_count() == before, threading.enumerate()


def _child_pids() -> set[int]:
    """This process's children, zombies included, but multiprocessing's own helpers.

    Read from ``/proc/self/task/<thread>/children`` (Linux).  The resource tracker
    and forkserver that multiprocessing starts live as long as the test process by
    design; they are known by the pids multiprocessing records.
    """
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker

    pids: set[int] = set()
    for thread in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{thread}/children") as children:
                pids.update(int(pid) for pid in children.read().split())
        except OSError:
            continue  # the thread ended meanwhile
    forkserver = getattr(multiprocessing.forkserver, "_forkserver", None)
    tracker = getattr(multiprocessing.resource_tracker, "_resource_tracker", None)
    pids.discard(getattr(forkserver, "_forkserver_pid", None))
    pids.discard(getattr(tracker, "_pid", None))
    return pids


@pytest.fixture
def child_pids() -> Callable[[], set[int]]:
    """A function returning the pids of this process's children (see ``no_process_leak``)."""
    return _child_pids


@pytest.fixture
def no_process_leak() -> Iterator[None]:
    """Fail the test if it leaves a child process it did not find, running or unreaped.

    It starts multiprocessing's resource tracker first (a spawned worker would start it):
    its process and its pipe live as long as the test process by design, so a
    ``no_fd_leak`` set up after this fixture does not count them either.
    """
    import multiprocessing.resource_tracker

    multiprocessing.resource_tracker.ensure_running()
    before = _child_pids()
    yield
    leaked = _child_pids() - before
    assert not leaked, f"child processes left running or unreaped: {sorted(leaked)}"


# ---------------------------------------------------------------------- synchronization


class Flag:
    """A one-shot event on the bare traps: ``wait()`` blocks until ``set()`` is called.

    It needs nothing but curio-traps, so the tests of the kernel and of the trap protocol
    do not depend on curio-sync.
    """

    def __init__(self) -> None:
        self.is_set = False
        self.waiting: deque[Any] = deque()

    async def wait(self) -> None:
        """Block until the flag is set (returns at once if it already is)."""
        if not self.is_set:
            await _wait_on_queue(self.waiting, "FLAG_WAIT")

    async def set(self) -> None:
        """Set the flag and wake every waiter."""
        self.is_set = True
        await _reschedule_tasks(self.waiting, n=len(self.waiting))


@pytest.fixture
def flag() -> Callable[[], Flag]:
    """A factory of :class:`Flag` objects."""
    return Flag


Until = Callable[[Callable[[], bool]], Awaitable[None]]


@pytest.fixture
def until() -> Until:
    """``await until(pred)``: let other tasks run until ``pred()`` holds.

    Steps the scheduler (``sleep(0)``), never the clock, and fails after a bounded number
    of steps instead of hanging.
    """

    async def wait(pred: Callable[[], bool]) -> None:
        for _ in range(1000):
            if pred():
                return
            await sleep(0)
        raise AssertionError("the condition never became true")

    return wait


@pytest.fixture(autouse=bool(os.environ.get("CURIO_REAL_WAITS")))
def _record_real_waits(request: pytest.FixtureRequest) -> Iterator[None]:
    """With ``CURIO_REAL_WAITS=path``, append to *path* each test that waited in real time
    for a deadline (a sleep or timeout on the standard clock) and for how long in all.

    The survey behind the rule above: ``CURIO_REAL_WAITS=/tmp/waits nox -s tests-3.11``.
    """
    from curio_kernel.clocks import MonotonicClock

    waits: list[float] = []
    real_sleep_time = MonotonicClock.sleep_time

    def sleep_time(self: MonotonicClock, deadline: float) -> float:
        seconds = real_sleep_time(self, deadline)
        if seconds > 0:
            waits.append(seconds)
        return seconds

    MonotonicClock.sleep_time = sleep_time  # type: ignore[method-assign]
    try:
        yield
    finally:
        MonotonicClock.sleep_time = real_sleep_time  # type: ignore[method-assign]
    if waits:
        with open(os.environ["CURIO_REAL_WAITS"], "a") as out:
            out.write(f"{request.node.nodeid}\t{len(waits)}\t{sum(waits):.3f}\n")


@pytest.fixture
def virtual_clock() -> MockClock:
    """A virtual clock at 0.0 that jumps to the next deadline whenever every task is blocked."""
    return MockClock(autojump_threshold=0)


# ---------------------------------------------------------------------- resources


@pytest.fixture
def sockets() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected pair of non-blocking standard sockets, closed after the test."""
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


class FakeSignalSet:
    """Just what the signal traps need of a signal set: ``signos`` and ``pending``."""

    def __init__(self, *signos: int) -> None:
        self.signos = signos
        self.pending: deque[int] = deque()


@pytest.fixture
def fake_signal_set() -> Callable[..., FakeSignalSet]:
    """``fake_signal_set(*signos)``: a :class:`FakeSignalSet` for the signal traps."""
    return FakeSignalSet


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A fresh directory with a short path: a Unix socket path must fit in 104-108 bytes."""
    path = Path(tempfile.mkdtemp(prefix="curio-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------- asyncio in a thread


class AsyncioThread:
    """An asyncio event loop running in a thread of its own, for the cross-world tests."""

    def __init__(self) -> None:
        import asyncio

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="asyncio-loop")
        self.thread.start()

    def submit(self, coro: Any) -> Any:
        """Start *coro* on the loop; return its ``concurrent.futures.Future``."""
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Any, timeout: float = 10) -> Any:
        """Run *coro* on the loop and wait (bounded) for its outcome, from another thread."""
        return self.submit(coro).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        assert not self.thread.is_alive(), "the asyncio loop did not stop"
        self.loop.close()


@pytest.fixture
def asyncio_thread() -> Iterator[AsyncioThread]:
    """An :class:`AsyncioThread`, stopped and closed (thread joined) after the test."""
    runner = AsyncioThread()
    try:
        yield runner
    finally:
        runner.close()
