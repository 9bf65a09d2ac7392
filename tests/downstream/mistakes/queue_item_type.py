"""Mistake: a ``str`` put into a ``Queue[int]``, and an item used as the wrong type."""

from __future__ import annotations

import curio


async def main() -> None:
    queue: curio.Queue[int] = curio.Queue()
    await queue.put("three")  # expect-error
    item: str = await queue.get()  # expect-error
    print(item)
