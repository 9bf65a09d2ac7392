"""The Ctrl-C handler is put back after run(), even when a signal set still watches SIGINT."""

from __future__ import annotations

import signal
from collections import deque

from curio_kernel import run, sleep, spawn
from curio_traps import _sigunwatch, _sigwait, _sigwatch


class Watcher:
    """The smallest SignalWatcher: the signals and the queue the kernel fills."""

    def __init__(self, *signos: int) -> None:
        self.signos = frozenset(signos)
        self.pending: deque[int] = deque()


def test_default_handler_is_restored_after_a_daemon_watching_sigint() -> None:
    before = signal.getsignal(signal.SIGINT)

    async def watcher() -> None:
        watched = Watcher(signal.SIGINT)
        await _sigwatch(watched)
        try:
            await _sigwait(watched)
        finally:
            await _sigunwatch(watched)

    async def main() -> None:
        await spawn(watcher, daemon=True)
        await sleep(0)

    run(main)
    assert signal.getsignal(signal.SIGINT) is before


def test_default_handler_is_restored_after_a_plain_run() -> None:
    before = signal.getsignal(signal.SIGINT)

    async def main() -> None:
        assert signal.getsignal(signal.SIGINT) is not before  # the kernel's own while running
        await sleep(0)

    run(main)
    assert signal.getsignal(signal.SIGINT) is before
