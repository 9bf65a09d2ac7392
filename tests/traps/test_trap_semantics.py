"""Each trap, called directly in the standard kernel: what it returns and raises."""

from __future__ import annotations

import errno
import os
import signal
import socket
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest

from curio_kernel import Kernel, Task, TaskTimeout, run
from curio_kernel.testing import MockClock
from curio_traps import (
    CancelledError,
    TaskCancelled,
    TaskError,
    TaskLike,
    TimeoutCancellationError,
    _cancel_task,
    _clock,
    _current_task,
    _future_wait,
    _io_release,
    _join_task,
    _read_wait,
    _reschedule_tasks,
    _run_in_thread,
    _set_timeout,
    _sigunwatch,
    _sigwait,
    _sigwatch,
    _sleep,
    _spawn,
    _unset_timeout,
    _wait_on_queue,
    _write_wait,
)

# ---------------------------------------------------------------- clock, current task, spawn


def test_clock_returns_a_float_that_advances(virtual_clock: MockClock) -> None:
    async def main() -> tuple[float, float]:
        first = await _clock()
        await _sleep(0.005)
        return first, await _clock()

    first, second = run(main, clock=virtual_clock)
    assert isinstance(first, float)
    assert (first, second) == (0.0, 0.005)


def test_current_task_is_the_running_task() -> None:
    async def child() -> TaskLike[Any]:
        return await _current_task()

    async def main() -> tuple[TaskLike[Any], TaskLike[Any], object]:
        me = await _current_task()
        task = await _spawn(child())
        return me, task, await _join_task(task)

    me, task, seen = run(main)
    assert isinstance(me, Task)
    assert seen is task
    assert seen is not me


def test_spawn_returns_after_the_first_step() -> None:
    steps: list[str] = []

    async def child() -> None:
        steps.append("first step")
        await _sleep(0)
        steps.append("second step")

    async def main() -> list[str]:
        task = await _spawn(child())
        seen = list(steps)
        await _join_task(task)
        return seen

    assert run(main) == ["first step"]


def test_spawn_daemon_flag() -> None:
    async def child() -> None:
        await _sleep(0)

    async def main() -> tuple[bool, object]:
        task = await _spawn(child(), True)
        assert isinstance(task, Task)
        return task.daemon, task.parent

    assert run(main) == (True, None)


def test_spawn_of_a_non_coroutine() -> None:
    async def main() -> None:
        await _spawn(42)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="coroutine"):
        run(main)


# ---------------------------------------------------------------- join and cancel


def test_join_task_returns_the_value_or_raises_task_error() -> None:
    async def ok() -> int:
        return 7

    async def bad() -> None:
        raise OSError("bad")

    async def main() -> tuple[int, BaseException | None]:
        value = await _join_task(await _spawn(ok()))
        try:
            await _join_task(await _spawn(bad()))
        except TaskError as exc:
            return value, exc.__cause__
        return value, None

    value, cause = run(main, log_errors=False)
    assert value == 7
    assert isinstance(cause, OSError)


def test_join_task_of_a_non_task_is_a_type_error() -> None:
    async def main() -> None:
        await _join_task(object())  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="Task"):
        run(main)


def test_cancel_task_default_and_custom_exceptions() -> None:
    kqueue: deque[Any] = deque()
    seen: list[type[BaseException]] = []

    async def waiter() -> None:
        try:
            await _wait_on_queue(kqueue, "Q")
        except BaseException as exc:
            seen.append(type(exc))
            raise

    async def main() -> tuple[bool, bool, bool]:
        a = await _spawn(waiter())
        b = await _spawn(waiter())
        first = await _cancel_task(a)
        second = await _cancel_task(b, TaskCancelled)
        again = await _cancel_task(a)
        return first, second, again

    assert run(main) == (True, True, False)
    assert seen == [CancelledError, TaskCancelled]
    assert len(kqueue) == 0


def test_cancel_task_of_a_non_task_is_a_type_error() -> None:
    async def main() -> None:
        await _cancel_task(object())  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="Task"):
        run(main)


# ---------------------------------------------------------------- kernel queues


def test_wait_on_queue_returns_the_rescheduled_value() -> None:
    kqueue: deque[Any] = deque()

    async def waiter() -> object:
        return await _wait_on_queue(kqueue, "Q")

    async def main() -> object:
        task = await _spawn(waiter())
        assert len(kqueue) == 1
        assert task.state == "Q"
        await _reschedule_tasks(kqueue, 1, {"value": 1})
        assert len(kqueue) == 0
        return await _join_task(task)

    assert run(main) == {"value": 1}


def test_reschedule_wakes_the_n_oldest_in_order() -> None:
    kqueue: deque[Any] = deque()
    woken: list[int] = []

    async def waiter(n: int) -> None:
        await _wait_on_queue(kqueue, "Q")
        woken.append(n)

    async def main() -> list[int]:
        tasks = [await _spawn(waiter(n)) for n in range(5)]
        await _reschedule_tasks(kqueue, 2)
        await _sleep(0)
        first = list(woken)
        await _reschedule_tasks(kqueue, 10)  # more than are waiting: wakes the rest
        for task in tasks:
            await _join_task(task)
        return first

    assert run(main) == [0, 1]
    assert woken == [0, 1, 2, 3, 4]


def test_reschedule_of_an_empty_queue_does_nothing() -> None:
    async def main() -> None:
        await _reschedule_tasks(deque(), 3, "value")

    run(main)


def test_reschedule_with_an_exception() -> None:
    kqueue: deque[Any] = deque()

    async def waiter() -> None:
        await _wait_on_queue(kqueue, "Q")

    async def main() -> BaseException | None:
        task = await _spawn(waiter())
        await _reschedule_tasks(kqueue, 1, None, LookupError("woken with an error"))
        try:
            await _join_task(task)
        except TaskError as exc:
            return exc.__cause__
        return None

    cause = run(main, log_errors=False)
    assert isinstance(cause, LookupError)


def test_reschedule_does_not_switch_tasks() -> None:
    kqueue: deque[Any] = deque()
    log: list[str] = []

    async def waiter() -> None:
        await _wait_on_queue(kqueue, "Q")
        log.append("waiter")

    async def main() -> None:
        await _spawn(waiter())
        await _reschedule_tasks(kqueue)
        log.append("main continues")
        await _sleep(0)
        log.append("main after yield")

    run(main)
    assert log == ["main continues", "waiter", "main after yield"]


# ---------------------------------------------------------------- futures and threads


def test_future_wait_returns_the_result_or_raises() -> None:
    async def main() -> tuple[int, BaseException | None]:
        done: Future[int] = Future()
        done.set_result(5)
        value = await _future_wait(done)
        failed: Future[int] = Future()
        failed.set_exception(KeyError("f"))
        try:
            await _future_wait(failed)
        except KeyError as exc:
            return value, exc
        return value, None

    value, exc = run(main)
    assert value == 5
    assert isinstance(exc, KeyError)


def test_future_completed_by_another_thread_wakes_the_task() -> None:
    future: Future[str] = Future()

    def complete() -> None:
        future.set_result("from thread")

    async def main() -> str:
        thread = threading.Thread(target=complete)
        thread.start()
        try:
            return await _future_wait(future)
        finally:
            thread.join()

    assert run(main) == "from thread"


def test_run_in_thread_returns_or_raises() -> None:
    def fail() -> None:
        raise ArithmeticError("in thread")

    async def main() -> tuple[str, BaseException | None]:
        name = await _run_in_thread(lambda: threading.current_thread().name)
        try:
            await _run_in_thread(fail)
        except ArithmeticError as exc:
            return name, exc
        return name, None

    name, exc = run(main)
    assert name != threading.main_thread().name
    assert isinstance(exc, ArithmeticError)


# ---------------------------------------------------------------- I/O


def test_read_wait_returns_when_readable(sockets: tuple[socket.socket, socket.socket]) -> None:
    a, b = sockets

    async def reader() -> bytes:
        await _read_wait(a)
        return a.recv(10)

    async def main() -> bytes:
        task = await _spawn(reader())
        assert task.state == "READ_WAIT"
        b.send(b"hi")
        result: bytes = await _join_task(task)
        return result

    assert run(main) == b"hi"


def test_read_wait_on_a_file_descriptor_number(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    a, b = sockets

    async def main() -> bytes:
        b.send(b"fd")
        await _read_wait(a.fileno())
        return a.recv(10)

    assert run(main) == b"fd"


def test_write_wait_returns_when_writable(sockets: tuple[socket.socket, socket.socket]) -> None:
    a, _ = sockets

    async def main() -> None:
        await _write_wait(a)

    run(main)


def test_two_readers_of_one_descriptor_is_an_error(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    a, b = sockets

    async def main() -> str:
        first = await _spawn(_read_wait(a))
        try:
            await _read_wait(a)
        except RuntimeError as exc:
            return str(exc)
        finally:
            b.send(b"x")
            await _join_task(first)
        return "accepted"

    assert "already waiting" in run(main)


def test_reader_and_writer_of_one_descriptor(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    a, b = sockets

    async def main() -> bytes:
        reader = await _spawn(_read_wait(a))
        await _write_wait(a)  # writable at once while the reader still waits
        b.send(b"both")
        await _join_task(reader)
        return a.recv(10)

    assert run(main) == b"both"


def test_io_release_wakes_waiters_with_ebadf() -> None:
    a, b = socket.socketpair()

    async def reader() -> None:
        await _read_wait(a)

    async def main() -> BaseException | None:
        task = await _spawn(reader())
        await _io_release(a)
        a.close()
        try:
            await _join_task(task)
        except TaskError as exc:
            return exc.__cause__
        return None

    try:
        cause = run(main, log_errors=False)
    finally:
        a.close()
        b.close()
    assert isinstance(cause, OSError)
    assert cause.errno == errno.EBADF


def test_io_release_of_an_unknown_descriptor_is_harmless(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    a, _ = sockets

    async def main() -> None:
        await _io_release(a)

    run(main)


def test_read_wait_on_a_closed_socket_is_an_error() -> None:
    a, b = socket.socketpair()
    a.close()
    b.close()

    async def main() -> None:
        await _read_wait(a)

    with pytest.raises(OSError, match="closed"):
        run(main)


# ---------------------------------------------------------------- timeouts


def test_set_timeout_raises_task_timeout_with_its_deadline(virtual_clock: MockClock) -> None:
    async def main() -> tuple[float, object, float]:
        deadline = await _clock() + 0.01
        previous = await _set_timeout(deadline)
        try:
            await _sleep(10)
        except TaskTimeout as exc:
            return deadline, exc.args[0], await _clock()
        finally:
            await _unset_timeout(previous)
        return deadline, None, await _clock()

    assert run(main, clock=virtual_clock) == (0.01, 0.01, 0.01)


def test_outer_deadline_raises_timeout_cancellation_error(virtual_clock: MockClock) -> None:
    async def main() -> str:
        now = await _clock()
        outer = await _set_timeout(now + 0.01)
        inner = await _set_timeout(now + 10)
        try:
            await _sleep(10)
        except TimeoutCancellationError:
            return "outer expired while the inner was innermost"
        finally:
            await _unset_timeout(inner)
            await _unset_timeout(outer)
        return "no timeout"

    assert run(main, clock=virtual_clock) == "outer expired while the inner was innermost"
    assert virtual_clock.now() == 0.01


def test_unset_timeout_returns_the_clock_and_disarms(virtual_clock: MockClock) -> None:
    async def main() -> tuple[float, float]:
        virtual_clock.jump(2.5)
        previous = await _set_timeout(await _clock() + 0.01)
        now = await _unset_timeout(previous)
        await _sleep(0.03)  # the removed deadline passes: nothing happens
        return now, await _clock()

    now, later = run(main, clock=virtual_clock)
    assert isinstance(now, float)
    assert (now, later) == (2.5, 2.53)


def test_set_timeout_none_keeps_no_deadline(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        previous = await _set_timeout(None)
        await _sleep(3600)
        await _unset_timeout(previous)
        return "ok", await _clock()

    assert run(main, clock=virtual_clock) == ("ok", 3600.0)


# ---------------------------------------------------------------- signals


def test_sigwatch_queues_and_sigwait_returns_signals(fake_signal_set: Callable[..., Any]) -> None:
    sigset = fake_signal_set(signal.SIGUSR1)
    before = signal.getsignal(signal.SIGUSR1)

    async def main() -> list[int]:
        await _sigwatch(sigset)
        try:
            os.kill(os.getpid(), signal.SIGUSR1)
            first = await _sigwait(sigset)
            os.kill(os.getpid(), signal.SIGUSR1)
            second = await _sigwait(sigset)
            return [first, second]
        finally:
            await _sigunwatch(sigset)

    assert run(main) == [signal.SIGUSR1, signal.SIGUSR1]
    assert signal.getsignal(signal.SIGUSR1) is before
    assert not sigset.pending


def test_sigwait_without_watch_watches_while_waiting(fake_signal_set: Callable[..., Any]) -> None:
    sigset = fake_signal_set(signal.SIGUSR2)
    before = signal.getsignal(signal.SIGUSR2)

    async def sender() -> None:
        os.kill(os.getpid(), signal.SIGUSR2)

    async def main() -> int:
        waiter = await _spawn(_sigwait(sigset))
        await _join_task(await _spawn(sender()))
        result: int = await _join_task(waiter)
        return result

    assert run(main) == signal.SIGUSR2
    assert signal.getsignal(signal.SIGUSR2) is before


def test_two_waiters_on_one_signal_set_is_an_error(fake_signal_set: Callable[..., Any]) -> None:
    sigset = fake_signal_set(signal.SIGUSR1)

    async def main() -> str:
        first = await _spawn(_sigwait(sigset))
        try:
            await _sigwait(sigset)
        except RuntimeError as exc:
            return str(exc)
        finally:
            await _cancel_task(first)
        return "accepted"

    assert "already waiting" in run(main)


def test_signal_traps_from_a_kernel_outside_the_main_thread(
    fake_signal_set: Callable[..., Any],
) -> None:
    sigset = fake_signal_set(signal.SIGUSR1)
    errors: list[BaseException] = []

    async def main() -> None:
        await _sigwatch(sigset)

    def target() -> None:
        try:
            with Kernel() as kernel:
                kernel.run(main())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(5)
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError)
    assert "main thread" in str(errors[0])
