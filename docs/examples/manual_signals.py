"""The manual's SignalSet example: signals that arrive inside the block are queued for wait()."""

import os
import signal

import curio


async def coro() -> None:
    async with curio.SignalSet(signal.SIGUSR1, signal.SIGHUP) as sigset:
        # Send ourselves two signals; both wait in the set's queue.
        os.kill(os.getpid(), signal.SIGUSR1)
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(2):
            signo = await sigset.wait()
            print("Got signal", signal.Signals(signo).name)

    # ignore() is a plain context manager: the set's signals are ignored inside it.
    sigset = curio.SignalSet(signal.SIGUSR1)
    with sigset.ignore():
        os.kill(os.getpid(), signal.SIGUSR1)  # ignored, nothing happens
    print("SIGUSR1 ignored")


if __name__ == "__main__":
    curio.run(coro)
