"""Mistake: awaiting methods that are plain functions."""

from __future__ import annotations

import curio


async def main() -> None:
    lock = curio.Lock()
    queue: curio.Queue[int] = curio.Queue()
    event = curio.Event()
    await lock.locked()  # expect-error
    await queue.empty()  # expect-error
    await event.is_set()  # expect-error
