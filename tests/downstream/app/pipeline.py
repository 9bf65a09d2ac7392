"""A producer and consumers over a ``Queue[int]``, with an Event to say the work is done."""

from __future__ import annotations

from typing import assert_type

import curio


async def producer(queue: curio.Queue[int], count: int) -> None:
    for n in range(count):
        await queue.put(n)
    await queue.join()


async def consumer(queue: curio.Queue[int], results: list[int], done: curio.Event) -> int:
    handled = 0
    while not done.is_set():
        item = await queue.get()
        assert_type(item, int)
        results.append(item * 2)
        handled += 1
        await queue.task_done()
    return handled


async def main() -> int:
    queue: curio.Queue[int] = curio.Queue(maxsize=4)
    assert_type(queue.qsize(), int)
    assert_type(queue.empty(), bool)
    assert_type(queue.full(), bool)
    results: list[int] = []
    done = curio.Event()
    workers = [await curio.spawn(consumer(queue, results, done)) for _ in range(2)]
    prod = await curio.spawn(producer(queue, 20))
    await prod.join()
    await done.set()
    for worker in workers:
        await worker.cancel()
    lock = curio.Lock()
    async with lock:
        assert_type(lock.locked(), bool)
    sema = curio.BoundedSemaphore(2)
    async with sema:
        pass
    cond = curio.Condition()
    async with cond:
        await cond.notify_all()
    return sum(results)


if __name__ == "__main__":
    print(curio.run(main))
