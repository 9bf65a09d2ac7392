"""Mistake: using a task's result, or a run's result, as the wrong type."""

from __future__ import annotations

import curio


async def count() -> int:
    return 3


async def title() -> str:
    return "curio"


async def main() -> None:
    task = await curio.spawn(count())
    text: str = await task.join()  # expect-error
    print(text)


def entry() -> None:
    name: str = curio.run(count)  # expect-error
    print(name)


def kernel_entry() -> None:
    # Kernel.run gives the coroutine's result type, not Any: a str is no int.
    with curio.Kernel() as kernel:
        number: int = kernel.run(title())  # expect-error
        nothing: str = kernel.run()  # expect-error
        print(number, nothing)
