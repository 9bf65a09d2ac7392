"""Mistake: a coroutine called and never awaited, and a sleep given a string."""

from __future__ import annotations

import curio


async def main() -> None:
    queue: curio.Queue[int] = curio.Queue()
    queue.put(1)  # expect-error
    curio.sleep(1)  # expect-error
    await curio.sleep("1")  # expect-error
