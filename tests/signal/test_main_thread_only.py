"""Signal sets need the kernel to run in the main thread; elsewhere they fail clearly."""

from __future__ import annotations

import signal
import threading

from curio_kernel import run
from curio_signal import SignalSet


def _run_in_other_thread(corofunc: object) -> BaseException | None:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            run(corofunc)  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    return errors[0] if errors else None


def test_async_with_in_a_kernel_outside_the_main_thread_raises() -> None:
    before = signal.getsignal(signal.SIGUSR1)

    async def main() -> None:
        async with SignalSet(signal.SIGUSR1):
            pass

    error = _run_in_other_thread(main)
    assert isinstance(error, RuntimeError)
    assert "main thread" in str(error)
    assert signal.getsignal(signal.SIGUSR1) is before


def test_wait_in_a_kernel_outside_the_main_thread_raises() -> None:
    async def main() -> None:
        await SignalSet(signal.SIGUSR1).wait()

    error = _run_in_other_thread(main)
    assert isinstance(error, RuntimeError)
    assert "main thread" in str(error)


def test_the_set_stays_usable_in_the_main_thread_afterwards() -> None:
    sigset = SignalSet(signal.SIGUSR1)

    async def main() -> None:
        async with sigset:
            pass

    assert isinstance(_run_in_other_thread(main), RuntimeError)
    run(main)
