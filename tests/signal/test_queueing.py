"""Inside ``async with`` every arrival of a watched signal is queued for wait()."""

from __future__ import annotations

import os
import signal

import pytest

from curio_kernel import run
from curio_signal import SignalSet


def test_signals_are_returned_one_at_a_time_in_arrival_order(stray: list[int]) -> None:
    sent = [signal.SIGUSR1, signal.SIGUSR2, signal.SIGUSR2, signal.SIGUSR1, signal.SIGUSR2]

    async def main() -> list[int]:
        async with SignalSet(signal.SIGUSR1, signal.SIGUSR2) as sigset:
            for signo in sent:
                os.kill(os.getpid(), signo)
            return [await sigset.wait() for _ in sent]

    assert run(main) == sent
    assert stray == []


def test_a_burst_loses_no_signal(stray: list[int]) -> None:
    count = 200

    async def main() -> list[int]:
        async with SignalSet(signal.SIGUSR1) as sigset:
            for _ in range(count):
                os.kill(os.getpid(), signal.SIGUSR1)
            return [await sigset.wait() for _ in range(count)]

    assert run(main) == [signal.SIGUSR1] * count
    assert stray == []


def test_wait_returns_a_signal_sent_while_it_waits(stray: list[int]) -> None:
    from curio_kernel import spawn

    async def waiter(sigset: SignalSet) -> int:
        return await sigset.wait()

    async def main() -> int:
        async with SignalSet(signal.SIGHUP) as sigset:
            task = await spawn(waiter, sigset)
            os.kill(os.getpid(), signal.SIGHUP)
            return await task.join()

    assert run(main) == signal.SIGHUP
    assert stray == []


def test_signals_not_in_the_set_are_not_queued(stray: list[int]) -> None:
    async def main() -> int:
        async with SignalSet(signal.SIGUSR1) as sigset:
            os.kill(os.getpid(), signal.SIGUSR2)
            os.kill(os.getpid(), signal.SIGUSR1)
            return await sigset.wait()

    assert run(main) == signal.SIGUSR1
    assert stray == [signal.SIGUSR2]


def test_unconsumed_signals_are_dropped_when_the_block_ends(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGUSR1)

    async def main() -> None:
        async with sigset:
            os.kill(os.getpid(), signal.SIGUSR1)
            os.kill(os.getpid(), signal.SIGUSR1)
            assert await sigset.wait() == signal.SIGUSR1
        assert list(sigset.pending) == []

    run(main)


def test_the_same_set_cannot_be_entered_twice_at_once() -> None:
    sigset = SignalSet(signal.SIGUSR1)

    async def main() -> None:
        async with sigset:
            with pytest.raises(RuntimeError, match="already in use"):
                async with sigset:
                    pass

    run(main)


def test_a_set_can_be_entered_again_after_leaving(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGUSR2)

    async def main() -> list[int]:
        got = []
        for _ in range(3):
            async with sigset:
                os.kill(os.getpid(), signal.SIGUSR2)
                got.append(await sigset.wait())
        return got

    assert run(main) == [signal.SIGUSR2] * 3
    assert stray == []


def test_a_signal_handled_before_the_block_is_not_queued(stray: list[int]) -> None:
    async def main() -> int:
        os.kill(os.getpid(), signal.SIGUSR1)  # nobody watches: the old handler takes it
        async with SignalSet(signal.SIGUSR1, signal.SIGUSR2) as sigset:
            os.kill(os.getpid(), signal.SIGUSR2)
            return await sigset.wait()

    assert run(main) == signal.SIGUSR2
    assert stray == [signal.SIGUSR1]
