"""The manual's Condition example: a producer notifies, a consumer waits for items."""

from collections import deque

import curio

items: deque[int] = deque()


async def consumer(cond: curio.Condition) -> None:
    while True:
        async with cond:
            while not items:
                await cond.wait()  # Wait for items
            item = items.popleft()
        print("Got", item)
        if item == 9:
            return


async def producer(cond: curio.Condition) -> None:
    for n in range(10):
        async with cond:
            items.append(n)
            await cond.notify()
        await curio.sleep(0.005)


async def main() -> None:
    cond = curio.Condition()
    prod = await curio.spawn(producer(cond))
    cons = await curio.spawn(consumer(cond))
    await prod.join()
    await cons.join()


if __name__ == "__main__":
    curio.run(main)
