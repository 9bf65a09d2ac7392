"""curio_kernel and curio_sync work together with nothing else of curio installed.

curio_sync reaches the kernel only through curio_traps; these tests run its primitives
on the real kernel, including cancellation and timeouts crossing the package boundary.
"""

from __future__ import annotations

from curio_kernel import (
    TaskError,
    TaskTimeout,
    clock,
    current_task,
    ignore_after,
    run,
    sleep,
    spawn,
    timeout_after,
)
from curio_kernel.testing import MockClock
from curio_sync import Event, Lock, Queue, Semaphore


def test_producers_and_consumers_through_a_bounded_queue() -> None:
    async def main() -> list[int]:
        queue: Queue[int | None] = Queue(maxsize=2)
        received: list[int] = []

        async def producer(start: int) -> None:
            for n in range(start, start + 50):
                await queue.put(n)

        async def consumer() -> None:
            while (item := await queue.get()) is not None:
                received.append(item)

        producers = [await spawn(producer(k * 50)) for k in range(3)]
        consumers = [await spawn(consumer()) for _ in range(2)]
        for task in producers:
            await task.join()
        for _ in consumers:
            await queue.put(None)
        for task in consumers:
            await task.join()
        assert queue.empty()
        return received

    assert sorted(run(main)) == list(range(150))


def test_lock_excludes_and_semaphore_bounds_concurrent_holders() -> None:
    async def main() -> tuple[int, int]:
        lock, semaphore = Lock(), Semaphore(2)
        inside = {"lock": 0, "sem": 0}
        most = {"lock": 0, "sem": 0}

        async def hold(name: str, primitive: Lock | Semaphore) -> None:
            for _ in range(5):
                async with primitive:
                    inside[name] += 1
                    most[name] = max(most[name], inside[name])
                    await sleep(0)
                    inside[name] -= 1

        tasks = [await spawn(hold("lock", lock)) for _ in range(4)]
        tasks += [await spawn(hold("sem", semaphore)) for _ in range(4)]
        for task in tasks:
            await task.join()
        assert not lock.locked()
        return most["lock"], most["sem"]

    assert run(main) == (1, 2)


def test_event_wakes_every_waiter() -> None:
    async def main() -> list[int]:
        event = Event()
        woken: list[int] = []

        async def waiter(n: int) -> None:
            await event.wait()
            woken.append(n)

        tasks = [await spawn(waiter(n)) for n in range(5)]
        await sleep(0)
        assert woken == []
        await event.set()
        for task in tasks:
            await task.join()
        return woken

    assert sorted(run(main)) == [0, 1, 2, 3, 4]


def test_a_timed_out_get_leaves_the_queue_intact(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, int | None, int, float]:
        queue: Queue[int] = Queue()
        timed_out = False
        try:
            async with timeout_after(0.01):
                await queue.get()
        except TaskTimeout:
            timed_out = True
        ignored = await ignore_after(0.01, queue.get())
        await queue.put(7)
        # Had a timed-out getter stayed registered, the 7 would have gone to it.
        return timed_out, ignored, await queue.get(), await clock()

    assert run(main, clock=virtual_clock) == (True, None, 7, 0.02)


def test_a_cancelled_waiter_leaves_the_lock_to_the_next_one() -> None:
    async def main() -> list[str]:
        lock = Lock()
        order: list[str] = []

        async def take(name: str) -> None:
            async with lock:
                order.append(name)

        async with lock:
            first = await spawn(take("cancelled"))
            second = await spawn(take("second"))
            assert await first.cancel() is True
        await second.join()
        assert not lock.locked()
        return order

    assert run(main) == ["second"]


def test_a_task_failing_while_holding_the_lock_releases_it() -> None:
    async def main() -> tuple[BaseException | None, bool]:
        lock = Lock()

        async def crash() -> None:
            async with lock:
                raise ValueError((await current_task()).id)

        task = await spawn(crash())
        cause: BaseException | None = None
        try:
            await task.join()
        except TaskError as err:
            cause = err.__cause__
        return cause, lock.locked()

    cause, locked = run(main)
    assert isinstance(cause, ValueError)
    assert locked is False
