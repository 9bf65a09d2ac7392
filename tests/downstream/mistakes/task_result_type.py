"""Mistake: using a task's result, or a run's result, as the wrong type."""

from __future__ import annotations

import curio


async def count() -> int:
    return 3


async def main() -> None:
    task = await curio.spawn(count())
    text: str = await task.join()  # expect-error
    print(text)


def entry() -> None:
    name: str = curio.run(count)  # expect-error
    print(name)
