"""A curio 1.x program of the second kind: threads, universal queues, files, channels, workers."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import assert_type

from curio import run
from curio.channel import Channel
from curio.file import AsyncFile, aopen
from curio.network import tcp_server_socket
from curio.queue import UniversalQueue
from curio.sync import Lock, UniversalEvent, UniversalResult
from curio.task import TaskGroup
from curio.thread import AWAIT, AsyncThread, spawn_thread
from curio.workers import block_in_thread, run_in_process, run_in_thread


def produce(queue: UniversalQueue[int], done: UniversalEvent) -> None:
    """A plain thread: blocking calls on the universal queue."""
    for n in range(3):
        queue.put(n)
    queue.join()
    done.set()


def in_thread(lock: Lock, result: UniversalResult[str]) -> int:
    """An asynchronous thread: with, AWAIT and a result handed back."""
    with lock:
        pass
    result.set_value("from the thread")
    return 7


def double(n: int) -> int:
    return 2 * n


async def read_back(path: Path) -> str:
    async with aopen(path, "w") as out:
        assert_type(out, AsyncFile[str])
        await out.write("line\n")
    async with aopen(path, "rb") as raw:
        data: bytes = await raw.read()
    return data.decode()


async def main(path: Path) -> tuple[int, str, int, int, str]:
    queue: UniversalQueue[int] = UniversalQueue(maxsize=2)
    done = UniversalEvent()
    producer = threading.Thread(target=produce, args=(queue, done))
    producer.start()
    total = 0
    for _ in range(3):
        total += await queue.get()
        await queue.task_done()
    await done.wait()
    await run_in_thread(producer.join)

    result: UniversalResult[str] = UniversalResult()
    thread = await spawn_thread(in_thread, Lock(), result)
    assert_type(thread, AsyncThread[int])
    seven = await thread.join()
    said = await result.unwrap()

    doubled = await run_in_process(double, 21) + await block_in_thread(double, 0)
    async with TaskGroup[int]() as group:
        await group.spawn_thread(double, 1)
    listener = tcp_server_socket("127.0.0.1", 0)
    await listener.close()
    channel = Channel(("127.0.0.1", 0))
    await channel.close()
    return total, said, seven, doubled, await read_back(path)


def awaited_in_a_thread() -> int:
    return AWAIT(run_in_thread(double, 4))


if __name__ == "__main__":
    print(run(main, Path("out.txt")))
