"""The same kind of program written against curio-kernel and curio-sync alone."""

from __future__ import annotations

from typing import assert_type

from curio_kernel import Task, run, spawn
from curio_sync import Queue


async def produce(queue: Queue[int]) -> None:
    for n in range(10):
        await queue.put(n)


async def main() -> int:
    queue: Queue[int] = Queue()
    producer = await spawn(produce(queue))
    assert_type(producer, Task[None])
    total = sum([await queue.get() for _ in range(10)])
    await producer.join()
    return total


if __name__ == "__main__":
    assert_type(run(main), int)
