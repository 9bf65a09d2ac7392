"""Mistake: spawning something that is not a coroutine (or a coroutine function)."""

from __future__ import annotations

import curio


def compute() -> int:
    return 42


def blocking_add(a: int, b: int) -> int:
    return a + b


async def work() -> int:
    return 1


async def main() -> None:
    await curio.spawn(compute())  # expect-error
    await curio.spawn(compute)  # expect-error
    await curio.spawn(work, "unexpected argument")  # expect-error
    # A plain function called with its arguments gives its result, not a coroutine.
    await curio.spawn(blocking_add(1, 2))  # expect-error
    await curio.spawn(blocking_add, 1, 2)  # expect-error
