"""A SignalSet watching SIGINT receives it instead of a KeyboardInterrupt."""

from __future__ import annotations

import os
import signal

from curio_kernel import run
from curio_signal import SignalSet


def test_watched_sigint_is_queued_not_raised() -> None:
    before = signal.getsignal(signal.SIGINT)

    async def main() -> list[int]:
        async with SignalSet(signal.SIGINT) as sigset:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
            return [await sigset.wait(), await sigset.wait()]

    assert run(main) == [signal.SIGINT, signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is before
