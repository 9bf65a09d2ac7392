"""wait() outside ``async with`` watches the set only for the duration of the wait."""

from __future__ import annotations

import os
import signal

from curio_kernel import run, spawn
from curio_signal import SignalSet


def test_wait_catches_one_arriving_signal(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGUSR1, signal.SIGUSR2)

    async def main() -> int:
        task = await spawn(sigset.wait)  # runs until it blocks in the wait
        os.kill(os.getpid(), signal.SIGUSR2)
        return await task.join()

    assert run(main) == signal.SIGUSR2
    assert stray == []


def test_signals_after_the_wait_reach_the_previous_handler(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGUSR1)

    async def main() -> int:
        task = await spawn(sigset.wait)
        os.kill(os.getpid(), signal.SIGUSR1)
        signo = await task.join()
        os.kill(os.getpid(), signal.SIGUSR1)
        return signo

    assert run(main) == signal.SIGUSR1
    assert stray == [signal.SIGUSR1]


def test_signals_before_the_wait_are_not_seen(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGHUP, signal.SIGUSR2)

    async def main() -> int:
        os.kill(os.getpid(), signal.SIGHUP)  # nobody watches it yet
        task = await spawn(sigset.wait)
        os.kill(os.getpid(), signal.SIGUSR2)
        return await task.join()

    assert run(main) == signal.SIGUSR2
    assert stray == [signal.SIGHUP]
