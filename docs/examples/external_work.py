"""Blocking calls and heavy computation, kept off the kernel's thread.

``run_in_thread`` suits calls that wait (a blocking library, a slow file system);
``run_in_process`` suits work that needs a CPU of its own.  Other tasks keep running
meanwhile, as the ticker shows.
"""

import hashlib
import time

import curio


def blocking_call(seconds: float) -> str:
    time.sleep(seconds)  # stands for any call that blocks
    return f"slept {seconds}s in a thread"


def digest(data: bytes, rounds: int) -> str:
    for _ in range(rounds):
        data = hashlib.sha256(data).digest()
    return data.hex()[:16]


async def ticker() -> None:
    while True:
        print("tick")
        await curio.sleep(0.02)


async def main() -> None:
    ticks = await curio.spawn(ticker())
    print(await curio.run_in_thread(blocking_call, 0.05))
    print("digest:", await curio.run_in_process(digest, b"curio", 10_000))
    await ticks.cancel()


if __name__ == "__main__":
    curio.run(main)
