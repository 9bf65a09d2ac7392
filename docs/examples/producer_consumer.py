"""A producer and two consumers sharing a ``Queue[int]``; ``join`` waits for the work to be done."""

import curio


async def producer(queue: curio.Queue[int], count: int) -> None:
    for n in range(count):
        await queue.put(n)
    await queue.join()  # returns once every item has been marked done
    print("producer: all items handled")


async def consumer(name: str, queue: curio.Queue[int], totals: dict[str, int]) -> None:
    while True:
        item = await queue.get()
        totals[name] = totals.get(name, 0) + item
        await queue.task_done()


async def main() -> None:
    queue: curio.Queue[int] = curio.Queue(maxsize=3)
    totals: dict[str, int] = {}
    workers = [await curio.spawn(consumer(name, queue, totals)) for name in ("a", "b")]
    await (await curio.spawn(producer(queue, 20))).join()
    for worker in workers:
        await worker.cancel()
    print("sum of all items:", sum(totals.values()))


if __name__ == "__main__":
    curio.run(main)
