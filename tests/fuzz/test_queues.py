"""Randomized cancellation of queue waits: no item is ever lost or duplicated.

Each round takes a Queue, PriorityQueue or LifoQueue, unbounded or bounded to one to
three items.  Putters put numbered items and getters get them, every call inside random
timeout blocks; the driver also puts and gets without waiting; other tasks cancel random
putters and getters after random numbers of steps.  An item counts as put once ``put``
returned, as got once ``get`` returned; a call that raised must have changed nothing.
At the end every item put is either got exactly once or still in the queue, nothing got
was never put, and no slot stays promised to a putter that is gone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from curio_kernel import CancelledError
from curio_sync import LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull


def test_queue_items_are_neither_lost_nor_duplicated(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        kind = r.rng.choice((Queue, PriorityQueue, LifoQueue))
        maxsize = r.rng.choice((0, 0, 1, 2, 3))
        q: Queue[int] = kind(maxsize)
        what = f"{kind.__name__}({maxsize})"
        numbers = iter(range(1, 1_000_000))
        put: list[int] = []
        failed: list[int] = []
        got: list[int] = []

        def bounds() -> None:
            r.check(q._reserved >= 0, f"{what}: {q._reserved} slots reserved")
            r.check(
                maxsize == 0 or q.qsize() + q._reserved <= maxsize,
                f"{what}: {q.qsize()} items and {q._reserved} reserved slots",
            )

        async def putter() -> None:
            rng = r.fork()
            for _ in range(rng.randint(1, 4)):
                item = next(numbers)

                async def put_one(item: int = item) -> None:
                    try:
                        await q.put(item)
                    except BaseException:
                        failed.append(item)
                        await r.clean_up(rng)
                        raise
                    put.append(item)
                    bounds()

                await r.guarded(rng, put_one)
                await r.steps(rng, 3)
            await r.park()

        async def getter() -> None:
            rng = r.fork()
            for _ in range(rng.randint(1, 4)):

                async def get_one() -> None:
                    try:
                        got.append(await q.get())
                    except CancelledError:
                        await r.clean_up(rng)
                        raise
                    await q.task_done()
                    bounds()

                await r.guarded(rng, get_one)
                await r.steps(rng, 3)
            await r.park()

        workers = []
        for k in range(r.rng.randint(2, 6)):
            role = r.rng.choice((putter, getter))
            workers.append(await r.spawn(f"{role.__name__}-{k}", role))
        await r.cancel_some(workers)

        rng = r.fork()

        async def poke() -> None:
            """Without waiting: put an item or take one, as a driver of the queue would."""
            if rng.random() < 0.5:
                item = next(numbers)
                try:
                    q.put_nowait(item)
                except QueueFull:
                    failed.append(item)
                else:
                    put.append(item)
            else:
                try:
                    got.append(q.get_nowait())
                except QueueEmpty:
                    pass
                else:
                    await q.task_done()
            bounds()

        for _ in range(rng.randint(0, 6)):
            await r.steps(rng, 6)
            await poke()
        await r.settle(workers, poke=poke)
        await r.sweep()

        r.check(q._reserved == 0, f"{what}: {q._reserved} slots still promised to putters")
        r.check(not q._getters and not q._putters, f"{what}: tasks still queued: {q!r}")
        left: list[int] = []
        while not q.empty():
            left.append(q.get_nowait())
        r.check(q._unfinished == len(left), f"{what}: {q._unfinished} unfinished, {len(left)} left")
        twice = [item for item, n in (Counter(got) + Counter(left)).items() if n > 1]
        r.check(not twice, f"{what}: items got twice: {twice}")
        r.check(
            Counter(got) + Counter(left) == Counter(put),
            f"{what}: put {sorted(put)}, got {sorted(got)}, left {sorted(left)}",
        )
        arrived = set(failed) & (set(got) | set(left))
        r.check(not arrived, f"{what}: items whose put raised arrived anyway: {arrived}")
        if kind is PriorityQueue:
            r.check(left == sorted(left), f"{what}: left in the wrong order: {left}")

    fuzz.play(scenario)
