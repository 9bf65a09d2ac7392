"""Deadlines: ``timeout_after`` raises when time runs out, ``ignore_after`` moves on quietly."""

import curio


async def answer(delay: float) -> int:
    await curio.sleep(delay)
    return 42


async def main() -> None:
    # Around a coroutine: its result, or TaskTimeout.
    print("in time:", await curio.timeout_after(1.0, answer(0.01)))
    try:
        await curio.timeout_after(0.02, answer(3600))
    except curio.TaskTimeout:
        print("too slow: TaskTimeout")

    # As a block: everything inside shares one deadline.
    async with curio.ignore_after(0.02) as block:
        await answer(3600)
    print("block expired:", block.expired)

    # ignore_after around a coroutine gives timeout_result when time runs out.
    print("fallback:", await curio.ignore_after(0.02, answer(3600), timeout_result=-1))


if __name__ == "__main__":
    curio.run(main)
