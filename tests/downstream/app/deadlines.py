"""Timeouts: a block that must finish in time, one that may quietly stop, and a bounded call."""

from __future__ import annotations

from typing import assert_type

import curio


async def slow(value: str, delay: float) -> str:
    await curio.sleep(delay)
    return value


async def main() -> tuple[str, str | None, bool]:
    first = await curio.timeout_after(1.0, slow("fast enough", 0.01))
    assert_type(first, str)

    maybe = await curio.ignore_after(0.01, slow("too slow", 10))
    assert_type(maybe, str | None)
    fallback = await curio.ignore_after(0.01, slow("too slow", 10), timeout_result=0)
    assert_type(fallback, str | int)

    async with curio.ignore_after(0.01) as block:
        await curio.sleep(10)
    assert_type(block.expired, bool)

    try:
        async with curio.timeout_after(0.01):
            await curio.sleep(10)
    except curio.TaskTimeout:
        pass

    napping = await curio.spawn(curio.sleep(10))
    assert_type(napping, curio.Task[float | None])  # a sleep returns the clock it woke at
    await napping.cancel()

    in_thread = await curio.run_in_thread(sum, [1, 2, 3])
    assert_type(in_thread, int)
    return first, maybe, block.expired


if __name__ == "__main__":
    print(curio.run(main))
