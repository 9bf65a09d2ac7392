"""Two signal sets watching the same signal both receive it."""

from __future__ import annotations

import os
import signal

from curio_kernel import run, spawn
from curio_signal import SignalSet


def test_both_blocks_queue_every_signal(stray: list[int]) -> None:
    async def main() -> tuple[list[int], list[int]]:
        async with (
            SignalSet(signal.SIGUSR1) as first,
            SignalSet(signal.SIGUSR1, signal.SIGUSR2) as second,
        ):
            for signo in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGUSR1):
                os.kill(os.getpid(), signo)
            return (
                [await first.wait(), await first.wait()],
                [await second.wait() for _ in range(3)],
            )

    first, second = run(main)
    assert first == [signal.SIGUSR1, signal.SIGUSR1]
    assert second == [signal.SIGUSR1, signal.SIGUSR2, signal.SIGUSR1]
    assert stray == []


def test_two_waiting_tasks_both_wake(stray: list[int]) -> None:
    async def watch(sigset: SignalSet) -> int:
        async with sigset:
            return await sigset.wait()

    async def main() -> list[int]:
        tasks = [
            await spawn(watch, SignalSet(signal.SIGHUP)),
            await spawn(watch, SignalSet(signal.SIGHUP)),
        ]
        os.kill(os.getpid(), signal.SIGHUP)
        return [await task.join() for task in tasks]

    assert run(main) == [signal.SIGHUP, signal.SIGHUP]
    assert stray == []


def test_leaving_one_block_keeps_the_other_watching(stray: list[int]) -> None:
    before = signal.getsignal(signal.SIGUSR2)

    async def main() -> int:
        async with SignalSet(signal.SIGUSR2) as outer:
            async with SignalSet(signal.SIGUSR2):
                pass
            os.kill(os.getpid(), signal.SIGUSR2)
            signo = await outer.wait()
        assert signal.getsignal(signal.SIGUSR2) is before
        return signo

    assert run(main) == signal.SIGUSR2
    assert stray == []
