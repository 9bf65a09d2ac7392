"""Mistake: a member of the wrong type in a typed task group, or its results misused."""

from __future__ import annotations

import curio


async def name() -> str:
    return "curio"


async def number() -> int:
    return 1


async def main() -> None:
    async with curio.TaskGroup[int]() as group:
        await group.spawn(name())  # expect-error
        await group.spawn(number)
    text: list[str] = group.results  # expect-error
    result: curio.Result[int] = curio.Result()
    await result.set_value("one")  # expect-error
    print(text)
