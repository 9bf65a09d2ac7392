"""A first task: a countdown that sleeps between numbers, run by ``curio.run``."""

import curio


async def countdown(n: int) -> str:
    while n > 0:
        print("T-minus", n)
        await curio.sleep(0.05)
        n -= 1
    return "lift-off"


if __name__ == "__main__":
    print(curio.run(countdown, 3))
