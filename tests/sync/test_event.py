"""Event: set, clear, waking every waiter, cancellation."""

from __future__ import annotations

from curio_kernel import TaskTimeout, clock, run, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_sync import Event


def test_starts_clear_and_set_clear_toggle() -> None:
    async def main() -> list[bool]:
        evt = Event()
        seen = [evt.is_set()]
        await evt.set()
        seen.append(evt.is_set())
        evt.clear()
        seen.append(evt.is_set())
        return seen

    assert run(main) == [False, True, False]


def test_wait_returns_at_once_when_set() -> None:
    async def main() -> None:
        evt = Event()
        await evt.set()
        await evt.wait()
        await evt.wait()

    run(main)


def test_set_wakes_every_waiter_in_order() -> None:
    woke: list[int] = []

    async def waiter(evt: Event, k: int) -> None:
        await evt.wait()
        woke.append(k)

    async def main() -> None:
        evt = Event()
        tasks = [await spawn(waiter(evt, k)) for k in range(5)]
        assert woke == []
        await evt.set()
        for t in tasks:
            await t.join()

    run(main)
    assert woke == [0, 1, 2, 3, 4]


def test_clear_after_set_does_not_unwake_the_woken() -> None:
    async def waiter(evt: Event) -> str:
        await evt.wait()
        return "woke"

    async def main() -> None:
        evt = Event()
        t = await spawn(waiter(evt))
        await evt.set()
        evt.clear()
        assert await t.join() == "woke"

    run(main)


def test_cancelled_waiter_is_forgotten() -> None:
    async def waiter(evt: Event) -> None:
        await evt.wait()

    async def main() -> None:
        evt = Event()
        a = await spawn(waiter(evt))
        b = await spawn(waiter(evt))
        await a.cancel()
        assert "waiting:1" in repr(evt)
        await evt.set()
        await b.join()
        assert "waiting:0" in repr(evt)

    run(main)


def test_wait_times_out(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, float]:
        evt = Event()
        try:
            async with timeout_after(0.01):
                await evt.wait()
        except TaskTimeout:
            return True, await clock()
        return False, await clock()

    assert run(main, clock=virtual_clock) == (True, 0.01)
