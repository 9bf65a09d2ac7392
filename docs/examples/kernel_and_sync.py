"""A program that needs only curio-kernel and curio-sync (``pip install curio-kernel curio-sync``).

It imports the distributions' own names, so it runs where nothing else of curio is
installed, and keeps running unchanged next to ``pip install curio``.
"""

from curio_kernel import run, spawn, timeout_after
from curio_sync import Event, Queue


async def squares(queue: Queue[int], stop: Event) -> None:
    n = 0
    while not stop.is_set():
        await queue.put(n * n)
        n += 1


async def main() -> list[int]:
    queue: Queue[int] = Queue(maxsize=2)
    stop = Event()
    producer = await spawn(squares(queue, stop))
    first = [await queue.get() for _ in range(5)]
    await stop.set()
    async with timeout_after(1.0):
        await producer.cancel()
    return first


if __name__ == "__main__":
    print(run(main))
