"""Leaving a SignalSet's block puts the previous handler back, whatever ends it."""

from __future__ import annotations

import os
import signal

import pytest

from curio_kernel import TaskError, TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_signal import SignalSet


def test_handler_is_restored_after_the_block(stray: list[int]) -> None:
    before = signal.getsignal(signal.SIGUSR1)

    async def main() -> None:
        async with SignalSet(signal.SIGUSR1):
            assert signal.getsignal(signal.SIGUSR1) is not before
        assert signal.getsignal(signal.SIGUSR1) is before

    run(main)
    os.kill(os.getpid(), signal.SIGUSR1)
    assert stray == [signal.SIGUSR1]


def test_handler_is_restored_when_the_task_is_cancelled_in_wait(stray: list[int]) -> None:
    before = signal.getsignal(signal.SIGUSR2)

    async def watcher() -> None:
        async with SignalSet(signal.SIGUSR2) as sigset:
            await sigset.wait()

    async def main() -> None:
        task = await spawn(watcher)
        await task.cancel()
        assert signal.getsignal(signal.SIGUSR2) is before
        os.kill(os.getpid(), signal.SIGUSR2)

    run(main)
    assert stray == [signal.SIGUSR2]


def test_handler_is_restored_when_a_bare_wait_is_cancelled(stray: list[int]) -> None:
    before = signal.getsignal(signal.SIGHUP)
    sigset = SignalSet(signal.SIGHUP)

    async def main() -> None:
        task = await spawn(sigset.wait)
        await task.cancel()
        assert signal.getsignal(signal.SIGHUP) is before

    run(main)


def test_handler_is_restored_when_a_wait_times_out(virtual_clock: MockClock) -> None:
    before = signal.getsignal(signal.SIGUSR1)

    async def jump_when_blocked() -> None:
        # A signal wait holds the autojump back: move the clock once main waits.
        await wait_all_tasks_blocked()
        virtual_clock.jump(0.01)

    async def main() -> None:
        async with SignalSet(signal.SIGUSR1) as sigset:
            await spawn(jump_when_blocked)
            with pytest.raises(TaskTimeout):
                async with timeout_after(0.01):
                    await sigset.wait()
        assert signal.getsignal(signal.SIGUSR1) is before
        assert await clock() == 0.01

    run(main, clock=virtual_clock)


def test_handler_is_restored_when_the_block_raises() -> None:
    before = signal.getsignal(signal.SIGUSR1)

    async def failing() -> None:
        async with SignalSet(signal.SIGUSR1):
            await sleep(0)
            raise LookupError("inside")

    async def main() -> None:
        task = await spawn(failing)
        with pytest.raises(TaskError) as info:
            await task.join()
        assert isinstance(info.value.__cause__, LookupError)

    run(main)
    assert signal.getsignal(signal.SIGUSR1) is before
