"""Who holds Ctrl-C: the monitor takes Python's default handler while the kernel runs, and
gives it back; a handler the program chose is left alone."""

from __future__ import annotations

import signal
import threading
from types import FrameType

from curio_kernel import Kernel, run


def test_the_monitor_takes_ctrl_c_while_running_and_gives_it_back() -> None:
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    seen: list[object] = []

    async def main() -> None:
        seen.append(signal.getsignal(signal.SIGINT))

    run(main, with_monitor=True)
    assert seen[0] is not signal.default_int_handler
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_handler_stays_the_monitors_between_runs_of_one_kernel() -> None:
    async def main() -> int:
        return 1

    with Kernel(with_monitor=True) as kernel:
        assert kernel.run(main()) == 1
        assert kernel.run(main()) == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_handler_chosen_by_the_program_is_left_alone() -> None:
    def mine(signo: int, frame: FrameType | None) -> None:
        pass

    previous = signal.signal(signal.SIGINT, mine)
    try:
        seen: list[object] = []

        async def main() -> None:
            seen.append(signal.getsignal(signal.SIGINT))

        run(main, with_monitor=True)
        assert seen == [mine]
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_kernel_outside_the_main_thread_leaves_ctrl_c_alone() -> None:
    results: list[object] = []

    async def main() -> str:
        return "ran"

    def in_thread() -> None:
        results.append(run(main, with_monitor=True))

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(5)
    assert results == ["ran"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
