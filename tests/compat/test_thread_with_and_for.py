"""curio 1.x's synchronous ``with`` and ``for`` inside asynchronous threads.

In an asynchronous thread, ``with lock:`` is ``async with lock:`` run on the kernel through
``AWAIT``, and ``for line in stream:`` is ``async for``; this holds for the locks,
semaphores and conditions, timeout blocks, ``disable_cancellation()``, task groups,
sockets, streams, async files, ``Popen`` and channel connections.  Outside an
asynchronous thread the same statements raise ``AsyncOnlyError``, naming the form to use.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from curio_io import Socket
from curio_io.file import aopen
from curio_kernel import (
    AWAIT,
    TaskGroup,
    TaskTimeout,
    clock,
    disable_cancellation,
    run,
    sleep,
    spawn,
    spawn_thread,
    timeout_after,
)
from curio_kernel.testing import MockClock
from curio_net.channel import Connection
from curio_subprocess import PIPE, Popen
from curio_sync import Condition, Event, Lock, RLock, Semaphore
from curio_traps import AsyncOnlyError

pytestmark = [
    pytest.mark.timeout(20),
    pytest.mark.usefixtures("no_thread_leak", "no_fd_leak"),
]


def in_thread(func: Any, *args: Any, clock: MockClock | None = None) -> Any:
    """Run ``func(*args)`` in an asynchronous thread of a fresh kernel (on *clock* if
    given); its result."""

    async def main() -> Any:
        thread = await spawn_thread(func, *args)
        return await thread.join()

    return run(main, clock=clock)


@pytest.mark.parametrize("make", [Lock, RLock, Semaphore, Condition])
def test_a_lock_like_primitive_is_held_inside_a_with_block_of_an_async_thread(make: Any) -> None:
    def body() -> tuple[bool, bool]:
        primitive = make()
        with primitive:
            inside = primitive.locked()
        return inside, primitive.locked()

    assert in_thread(body) == (True, False)


def test_with_lock_in_an_async_thread_excludes_a_task_until_the_block_ends() -> None:
    order: list[str] = []

    async def task(lock: Lock) -> None:
        async with lock:
            order.append("task")

    def body() -> None:
        lock = Lock()
        with lock:
            AWAIT(spawn(task, lock))
            AWAIT(sleep(0))
            AWAIT(sleep(0))
            order.append("thread leaves")
        AWAIT(sleep(0))

    in_thread(body)
    assert order == ["thread leaves", "task"]


def test_a_timeout_block_in_an_async_thread_interrupts_the_awaits_inside_it(
    virtual_clock: MockClock,
) -> None:
    def body() -> str:
        try:
            with timeout_after(0.05):
                AWAIT(sleep(10))
        except TaskTimeout:
            return f"timed out at {AWAIT(clock())}"
        return "slept"

    assert in_thread(body, clock=virtual_clock) == "timed out at 0.05"


def test_disable_cancellation_in_an_async_thread_holds_a_cancel_until_the_block_ends() -> None:
    reached: list[str] = []
    inside, gate = Event(), Event()

    def body() -> None:
        with disable_cancellation():
            AWAIT(inside.set())
            AWAIT(gate.wait())  # the cancel arrives meanwhile and is held back
            reached.append("end of block")
        AWAIT(sleep(10))
        reached.append("never")

    async def main() -> bool:
        thread = await spawn_thread(body)
        await inside.wait()
        await thread.cancel(blocking=False)
        await gate.set()
        await thread.wait()
        return thread.cancelled

    assert run(main) is True
    assert reached == ["end of block"]


def test_a_task_group_in_an_async_thread_is_entered_with_with_and_iterated_with_for() -> None:
    async def square(n: int) -> int:
        return n * n

    def body() -> list[int]:
        with TaskGroup() as group:
            for n in range(3):
                AWAIT(group.spawn(square, n))
            return sorted(task.result for task in group)

    assert in_thread(body) == [0, 1, 4]


def test_a_stream_in_an_async_thread_is_read_line_by_line_with_for() -> None:
    left, right = socket.socketpair()
    right.sendall(b"one\ntwo\n")
    right.close()

    def body() -> list[bytes]:
        with Socket(left) as sock:
            stream = sock.as_stream()
            with stream:
                return list(stream)

    assert in_thread(body) == [b"one\n", b"two\n"]


def test_an_async_file_is_opened_and_closed_with_with_in_an_async_thread(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")

    def body() -> tuple[str, bool]:
        with aopen(path) as f:
            text = AWAIT(f.read())
        return text, f.closed

    assert in_thread(body) == ("hello\n", True)


def test_popen_is_a_context_manager_in_an_async_thread() -> None:
    def body() -> bytes:
        with Popen([sys.executable, "-c", "print('hi')"], stdout=PIPE) as child:
            out, _ = AWAIT(child.communicate())
        AWAIT(child.wait())
        assert out is not None
        return out

    assert in_thread(body).strip() == b"hi"


def test_a_channel_connection_is_closed_by_the_end_of_a_with_block_in_an_async_thread() -> None:
    left, right = socket.socketpair()

    def body() -> None:
        stream = Socket(left).as_stream()
        with Connection(stream, stream) as conn:
            AWAIT(conn.send_bytes(b"ping"))

    with right:
        in_thread(body)
        received = b""
        while chunk := right.recv(100):  # ends at the EOF the closed connection sent
            received += chunk
    assert received.endswith(b"ping")
    assert left.fileno() == -1


@pytest.mark.parametrize("make", [Lock, Semaphore, Condition, lambda: timeout_after(1)])
def test_with_outside_an_async_thread_is_refused_naming_async_with(make: Any) -> None:
    primitive = make()
    with pytest.raises(AsyncOnlyError, match="async with"):
        primitive.__enter__()


def test_for_over_a_stream_outside_an_async_thread_is_refused_naming_async_for() -> None:
    left, right = socket.socketpair()
    with left, right:
        stream = Socket(left).as_stream()
        with pytest.raises(AsyncOnlyError, match="async for"):
            iter(stream)


def test_with_popen_outside_an_async_thread_is_refused() -> None:
    async def main() -> None:
        child = Popen([sys.executable, "-c", "pass"])
        try:
            with pytest.raises(AsyncOnlyError, match="async with"), child:
                pass
        finally:
            await child.wait()

    run(main)
