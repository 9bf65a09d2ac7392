"""Tasks that return values: what spawn, join and run give back, pinned with assert_type."""

from __future__ import annotations

from typing import assert_type

import curio


async def square(n: int) -> int:
    await curio.sleep(0)
    return n * n


async def greet(name: str, punctuation: str) -> str:
    return f"hello, {name}{punctuation}"


async def fails() -> None:
    raise ValueError("boom")


async def main() -> list[int]:
    task = await curio.spawn(square(3))
    assert_type(task, curio.Task[int])
    assert_type(await task.join(), int)
    assert_type(await (await curio.spawn(square(4))).join(), int)

    # The curio 1.x form: a coroutine function and its arguments.
    greeting = await curio.spawn(greet, "world", "!")
    assert_type(greeting, curio.Task[str])
    assert_type(await greeting.join(), str)

    daemon = await curio.spawn(square(5), daemon=True)
    assert_type(await daemon.cancel(), bool)

    failing = await curio.spawn(fails())
    try:
        await failing.join()
    except curio.TaskError as exc:
        assert isinstance(exc.__cause__, ValueError)

    me = await curio.current_task()
    assert_type(me.id, int)
    assert_type(me.name, str)
    assert_type(await curio.clock(), float)

    tasks = [await curio.spawn(square(n)) for n in range(5)]
    return [await t.join() for t in tasks]


def run_it() -> None:
    assert_type(curio.run(main), list[int])
    assert_type(curio.run(main()), list[int])
    assert_type(curio.run(greet, "you", "."), str)
    with curio.Kernel() as kernel:
        assert_type(kernel.run(square(2)), int)
        assert_type(kernel.run(), None)
        # As a user writes it: the result has the coroutine's type, no cast, no None check.
        greeting: str = kernel.run(greet("kernel", "!"))
        print(greeting.upper())


if __name__ == "__main__":
    run_it()
