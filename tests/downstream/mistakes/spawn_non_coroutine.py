"""Mistake: spawning something that is not a coroutine (or a coroutine function)."""

from __future__ import annotations

import curio


def compute() -> int:
    return 42


async def work() -> int:
    return 1


async def main() -> None:
    await curio.spawn(compute())  # expect-error
    await curio.spawn(compute)  # expect-error
    await curio.spawn(work, "unexpected argument")  # expect-error
