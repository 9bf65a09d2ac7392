"""The kernel's clock: Kernel(clock=...), MockClock's virtual time, jumps and autojump."""

from __future__ import annotations

import math
import socket
import threading
from concurrent.futures import Future

import pytest

from curio_kernel import (
    Kernel,
    TaskTimeout,
    clock,
    ignore_after,
    run,
    run_in_process,
    run_in_thread,
    sleep,
    spawn,
    timeout_after,
    wake_at,
)
from curio_kernel.clocks import MonotonicClock
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_traps import Clock, _future_wait, _read_wait


def test_kernel_runs_on_the_monotonic_clock_unless_given_one() -> None:
    with Kernel() as kernel:
        assert isinstance(kernel.clock, MonotonicClock)
        assert isinstance(kernel.clock, Clock)
    mock = MockClock()
    with Kernel(clock=mock) as kernel:
        assert kernel.clock is mock


def test_kernel_refuses_an_object_that_is_not_a_clock() -> None:
    with pytest.raises(TypeError, match=r"clock= takes a curio_traps\.Clock"):
        Kernel(clock=object())  # type: ignore[arg-type]


def test_monotonic_clock_reads_real_time() -> None:
    real = MonotonicClock()
    before = real.now()
    assert real.sleep_time(before - 1) == 0.0
    assert 0.0 < real.sleep_time(before + 100) <= 100
    assert real.autojump_threshold == math.inf


def test_autojump_runs_an_hour_of_sleep_at_once(virtual_clock: MockClock) -> None:
    async def main() -> tuple[float, float]:
        start = await clock()
        await sleep(3600)
        return start, await clock()

    assert run(main, clock=virtual_clock) == (0.0, 3600.0)
    assert virtual_clock.now() == 3600.0


def test_autojump_expires_a_timeout_at_its_deadline(virtual_clock: MockClock) -> None:
    async def main() -> float:
        with pytest.raises(TaskTimeout):
            async with timeout_after(60):
                await sleep(1000)
        return await clock()

    assert run(main, clock=virtual_clock) == 60.0


def test_autojump_wakes_sleepers_in_deadline_order(virtual_clock: MockClock) -> None:
    woken: list[tuple[int, float]] = []

    async def sleeper(seconds: int) -> None:
        await sleep(seconds)
        woken.append((seconds, await clock()))

    async def main() -> None:
        for seconds in (30, 10, 20):
            await spawn(sleeper, seconds)

    run(main, clock=virtual_clock)
    assert woken == [(10, 10.0), (20, 20.0), (30, 30.0)]


def test_wake_at_reaches_an_absolute_virtual_deadline(virtual_clock: MockClock) -> None:
    async def main() -> float:
        return await wake_at(1234.5)

    assert run(main, clock=virtual_clock) == 1234.5


def test_a_still_clock_without_autojump_is_a_deadlock_not_a_hang() -> None:
    async def main() -> None:
        await sleep(5)

    with pytest.raises(RuntimeError, match=r"deadlock(.|\n)*TIME_SLEEP at .*test_clock\.py"):
        run(main, clock=MockClock())


def test_jump_wakes_the_sleepers_it_passes() -> None:
    mock = MockClock()
    woken: list[float] = []

    async def sleeper() -> None:
        await sleep(10)
        woken.append(await clock())

    async def main() -> None:
        task = await spawn(sleeper)
        await wait_all_tasks_blocked()
        mock.jump(9)
        await wait_all_tasks_blocked()
        assert woken == []
        mock.jump(1)
        await task.join()

    run(main, clock=mock)
    assert woken == [10.0]


def test_rate_runs_virtual_time_faster_than_real_time() -> None:
    # Real time on purpose: at rate 1000 a virtual second is a real millisecond.
    mock = MockClock(rate=1000)

    async def main() -> float:
        await sleep(5)
        return await clock()

    assert run(main, clock=mock) >= 5.0
    mock.rate = 0
    frozen = mock.now()
    assert mock.now() == frozen
    assert mock.sleep_time(frozen + 1) == math.inf


def test_changing_the_rate_keeps_the_time_reached() -> None:
    mock = MockClock()
    mock.jump(7)
    mock.rate = 2.0
    assert mock.now() >= 7.0
    assert mock.sleep_time(mock.now() + 10) <= 5.0


def test_autojump_threshold_can_be_turned_on_inside_the_kernel() -> None:
    mock = MockClock()

    async def main() -> float:
        mock.autojump_threshold = 0
        await sleep(100)
        return await clock()

    assert run(main, clock=mock) == 100.0


def test_autojump_waits_for_work_in_a_thread() -> None:
    # The thread stands for real time passing outside the kernel: the 1 s limit must
    # not expire while it runs, although every task is blocked.
    release = threading.Event()

    def work() -> str:
        release.wait(5)
        return "done"

    async def main() -> tuple[str, float]:
        threading.Timer(0.01, release.set).start()
        result = await timeout_after(1, run_in_thread(work))
        return result, await clock()

    assert run(main, clock=MockClock(autojump_threshold=0)) == ("done", 0.0)


def test_autojump_does_not_wait_for_a_silent_socket(virtual_clock: MockClock) -> None:
    left, right = socket.socketpair()
    with left, right:
        left.setblocking(False)

        async def main() -> float:
            await ignore_after(5, _read_wait(left))
            return await clock()

        assert run(main, clock=virtual_clock) == 5.0


def test_autojump_lets_a_ready_socket_be_read_first(virtual_clock: MockClock) -> None:
    left, right = socket.socketpair()
    with left, right:
        left.setblocking(False)
        right.send(b"x")

        async def main() -> tuple[bytes, float]:
            async with timeout_after(5):
                await _read_wait(left)
            return left.recv(1), await clock()

        assert run(main, clock=virtual_clock) == (b"x", 0.0)


@pytest.mark.parametrize("value", [-1, -0.5, math.nan])
def test_mock_clock_refuses_negative_or_nan_settings(value: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        MockClock(rate=value)
    with pytest.raises(ValueError, match="autojump_threshold"):
        MockClock(autojump_threshold=value)
    mock = MockClock()
    with pytest.raises(ValueError, match="rate"):
        mock.rate = value
    with pytest.raises(ValueError, match="autojump_threshold"):
        mock.autojump_threshold = value
    with pytest.raises(ValueError, match="jump"):
        mock.jump(value)
    assert (mock.now(), mock.rate, mock.autojump_threshold) == (0.0, 0.0, math.inf)


def test_mock_clock_refuses_a_setting_that_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="number of seconds"):
        MockClock().jump("1")  # type: ignore[arg-type]


def test_autojump_does_not_wait_for_a_future_someone_else_completes(
    virtual_clock: MockClock,
) -> None:
    # A bare future (a universal queue's item, say) may never come: only the kernel's own
    # work holds the jump back, so the sleep beside the waiter ends at once.
    pending: Future[str] = Future()

    async def main() -> float:
        waiter = await spawn(_future_wait, pending)
        await sleep(1)
        pending.set_result("late")
        assert await waiter.join() == "late"
        return await clock()

    assert run(main, clock=virtual_clock) == 1.0


def test_autojump_waits_for_a_call_in_a_worker_process(virtual_clock: MockClock) -> None:
    # Real time on purpose: the child process takes what it takes; the 1 s limit must not
    # expire meanwhile, although every task is blocked.
    async def main() -> tuple[float, float]:
        value = await timeout_after(1, run_in_process(math.sqrt, 2.25))
        return value, await clock()

    assert run(main, clock=virtual_clock) == (1.5, 0.0)
