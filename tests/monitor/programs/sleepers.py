"""A program with the monitor: main waits for a child that sleeps until it is cancelled.

SIGUSR1 prints a line, so a test can see the monitor's ``signal`` command.
"""

from __future__ import annotations

import signal
from types import FrameType

import curio_kernel as ck


def on_usr1(signo: int, frame: FrameType | None) -> None:
    print("got SIGUSR1", flush=True)


async def sleeper() -> None:
    await ck.sleep(1000)


async def main() -> str:
    child = await ck.spawn(sleeper)
    print(f"READY sleeper={child.id}", flush=True)
    try:
        await child.join()
    except ck.TaskError:
        print("the sleeper was cancelled", flush=True)
    return "finished"


signal.signal(signal.SIGUSR1, on_usr1)
result = ck.run(main, with_monitor=True)
print(f"run returned {result!r}", flush=True)
