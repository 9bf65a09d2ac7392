"""``with sigset.ignore():`` ignores the set's signals and restores them after."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from curio_kernel import run, sleep, spawn
from curio_signal import SignalSet


def test_signals_are_ignored_inside_and_handled_after(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGUSR1, signal.SIGUSR2)
    before = signal.getsignal(signal.SIGUSR1)
    with sigset.ignore():
        assert signal.getsignal(signal.SIGUSR1) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGUSR2) is signal.SIG_IGN
        os.kill(os.getpid(), signal.SIGUSR1)
        os.kill(os.getpid(), signal.SIGUSR2)
    assert stray == []
    assert signal.getsignal(signal.SIGUSR1) is before
    os.kill(os.getpid(), signal.SIGUSR1)
    assert stray == [signal.SIGUSR1]


def test_dispositions_are_restored_when_the_block_raises(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGHUP)
    before = signal.getsignal(signal.SIGHUP)
    with pytest.raises(KeyError), sigset.ignore():
        raise KeyError("boom")
    assert signal.getsignal(signal.SIGHUP) is before


def test_dispositions_are_restored_when_the_task_is_cancelled() -> None:
    sigset = SignalSet(signal.SIGUSR2)
    before = signal.getsignal(signal.SIGUSR2)
    seen: list[object] = []

    async def ignoring() -> None:
        with sigset.ignore():
            seen.append(signal.getsignal(signal.SIGUSR2))
            await sleep(60)  # until cancelled

    async def main() -> None:
        task = await spawn(ignoring)
        await task.cancel()

    run(main)
    assert seen == [signal.SIG_IGN]
    assert signal.getsignal(signal.SIGUSR2) is before


def test_ignore_restores_a_watched_signal_to_the_kernel(stray: list[int]) -> None:
    sigset = SignalSet(signal.SIGUSR1)

    async def main() -> int:
        async with sigset:
            with sigset.ignore():
                os.kill(os.getpid(), signal.SIGUSR1)  # dropped
            os.kill(os.getpid(), signal.SIGUSR1)
            signo = await sigset.wait()
            assert not sigset.pending
            return signo

    assert run(main) == signal.SIGUSR1
    assert stray == []


def test_ignore_outside_the_main_thread_is_a_clear_error() -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with SignalSet(signal.SIGUSR1).ignore():
                pass
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError)
    assert "main thread" in str(errors[0])
