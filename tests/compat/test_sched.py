"""curio 1.6's scheduler objects (``curio.sched``) and its traps ``_scheduler_wait``/``_wake``.

A scheduler object is the line a primitive's waiters sleep on: ``suspend`` joins it, ``wake``
releases the oldest, ``len`` counts who is there.  Every wait here is also cancelled and
timed out, and each of those must leave the line as if the task had never joined it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import CancelledError, Task, TaskTimeout, clock, run, sleep, spawn, timeout_after
from curio_kernel.testing import MockClock
from curio_traps import (
    SchedBarrier,
    SchedBase,
    SchedFIFO,
    WaitQueue,
    _scheduler_wait,
    _scheduler_wake,
)

Factory = Callable[[], SchedBase]
BOTH: list[Factory] = [SchedFIFO, SchedBarrier]
both = pytest.mark.parametrize("make", BOTH, ids=["SchedFIFO", "SchedBarrier"])


async def _sleepers(
    sched: SchedBase, count: int, woke: list[int], first: int = 0
) -> list[Task[Any]]:
    """Spawn *count* tasks that suspend on *sched* in order; each logs its number on waking
    (*first*, *first* + 1, ...).

    ``spawn`` returns once the task has run up to its first wait, so all are asleep,
    in order, when this returns.
    """

    async def sleeper(k: int) -> None:
        await sched.suspend("SLEEPING")
        woke.append(k)

    return [await spawn(sleeper(k)) for k in range(first, first + count)]


async def _join_all(tasks: list[Task[Any]]) -> None:
    for task in tasks:
        await task.join()


# ---------------------------------------------------------------------- the classes


def test_schedbase_is_not_made_directly_but_both_kinds_are_schedbases() -> None:
    with pytest.raises(TypeError, match="SchedFIFO"):
        SchedBase()
    assert isinstance(SchedFIFO(), SchedBase)
    assert isinstance(SchedBarrier(), SchedBase)


@both
def test_a_new_scheduler_object_is_empty_and_false(make: Factory) -> None:
    sched = make()
    assert len(sched) == 0
    assert not sched
    assert repr(sched) == f"<{type(sched).__name__} waiting:0>"


@both
def test_len_counts_suspended_tasks_and_their_state_is_the_reason(make: Factory) -> None:
    async def main() -> None:
        sched = make()
        woke: list[int] = []
        tasks = await _sleepers(sched, 3, woke)
        assert len(sched) == 3
        assert sched
        assert "waiting:3" in repr(sched)
        assert [t.state for t in tasks] == ["SLEEPING"] * 3
        await sched.wake(3)
        await _join_all(tasks)
        assert len(sched) == 0

    run(main)


# ---------------------------------------------------------------------- waking


@both
def test_wake_with_no_argument_wakes_the_oldest_task_only(make: Factory) -> None:
    async def main() -> list[int]:
        sched = make()
        woke: list[int] = []
        tasks = await _sleepers(sched, 3, woke)
        await sched.wake()
        await tasks[0].join()
        assert len(sched) == 2
        assert [t.terminated for t in tasks] == [True, False, False]
        await sched.wake(2)
        await _join_all(tasks)
        return woke

    assert run(main) == [0, 1, 2]


def test_schedfifo_wakes_one_at_a_time_in_arrival_order() -> None:
    async def main() -> list[int]:
        sched = SchedFIFO()
        woke: list[int] = []
        tasks = await _sleepers(sched, 5, woke)
        for expected in range(5):
            await sched.wake()
            await tasks[expected].join()
            assert woke[-1] == expected
        return woke

    assert run(main) == [0, 1, 2, 3, 4]


def test_schedbarrier_wake_len_releases_every_waiter_in_arrival_order() -> None:
    async def main() -> list[int]:
        sched = SchedBarrier()
        woke: list[int] = []
        tasks = await _sleepers(sched, 5, woke)
        await sched.wake(len(sched))
        assert len(sched) == 0
        await _join_all(tasks)
        return woke

    assert run(main) == [0, 1, 2, 3, 4]


def test_schedbarrier_wake_n_releases_exactly_n_oldest_and_keeps_the_rest() -> None:
    async def main() -> list[int]:
        sched = SchedBarrier()
        woke: list[int] = []
        tasks = await _sleepers(sched, 5, woke)
        await sched.wake(2)
        assert len(sched) == 3
        await _join_all(tasks[:2])
        assert woke == [0, 1]
        assert not any(t.terminated for t in tasks[2:])
        await sched.wake(len(sched))
        await _join_all(tasks)
        return woke

    assert run(main) == [0, 1, 2, 3, 4]


def test_schedbarrier_release_is_only_for_those_waiting_at_that_moment() -> None:
    """A task that suspends after ``wake(len(s))`` waits for the next release."""

    async def main() -> None:
        sched = SchedBarrier()
        woke: list[int] = []
        first = await _sleepers(sched, 2, woke)
        await sched.wake(len(sched))
        late = await _sleepers(sched, 1, woke)
        await _join_all(first)
        assert len(sched) == 1
        assert not late[0].terminated
        await sched.wake(len(sched))
        await _join_all(late)

    run(main)


@both
def test_wake_with_nobody_waiting_or_more_than_wait_wakes_who_is_there(make: Factory) -> None:
    async def main() -> list[int]:
        sched = make()
        await sched.wake()
        await sched.wake(10)
        woke: list[int] = []
        tasks = await _sleepers(sched, 2, woke)
        await sched.wake(10)
        assert len(sched) == 0
        await _join_all(tasks)
        return woke

    assert run(main) == [0, 1]


@both
def test_wake_zero_wakes_nobody(make: Factory) -> None:
    async def main() -> None:
        sched = make()
        woke: list[int] = []
        tasks = await _sleepers(sched, 1, woke)
        await sched.wake(0)
        assert len(sched) == 1
        await sched.wake()
        await _join_all(tasks)

    run(main)


@both
def test_wake_returns_immediately_the_woken_run_when_the_waker_yields(make: Factory) -> None:
    async def main() -> None:
        sched = make()
        woke: list[int] = []
        tasks = await _sleepers(sched, 2, woke)
        await sched.wake(2)
        assert woke == []  # rescheduled, not run: wake did not give up the kernel
        await sleep(0)
        assert woke == [0, 1]
        await _join_all(tasks)

    run(main)


@both
def test_wake_is_not_a_cancellation_point(make: Factory) -> None:
    """A waker with a cancellation pending still wakes; the cancel lands at its next wait."""
    log: list[str] = []

    async def waker(sched: SchedBase, ready: SchedBase) -> None:
        await ready.suspend("READY_WAIT")
        try:
            await sched.wake()
            log.append("woke one")
            await sleep(0)
        except CancelledError:
            log.append("cancelled at the next wait")
            raise

    async def main() -> None:
        sched, ready = make(), make()
        woke: list[int] = []
        sleepers = await _sleepers(sched, 1, woke)
        w = await spawn(waker(sched, ready))
        await ready.wake()  # w is rescheduled with the wake-up ...
        await w.cancel()  # ... and cancelled before it runs
        await _join_all(sleepers)
        assert woke == [0]

    run(main)
    assert log == ["woke one", "cancelled at the next wait"]


# ---------------------------------------------------------------------- bad input


@both
def test_wake_refuses_a_count_that_is_not_a_non_negative_int(make: Factory) -> None:
    async def main() -> None:
        sched = make()
        with pytest.raises(ValueError, match=">= 0"):
            await sched.wake(-1)
        for bad in (1.5, True, "1", None):
            with pytest.raises(TypeError, match="int count"):
                await sched.wake(bad)  # type: ignore[arg-type]

    run(main)


@both
def test_suspend_refuses_a_reason_that_is_not_a_str(make: Factory) -> None:
    async def main() -> None:
        sched = make()
        with pytest.raises(TypeError, match="wait state"):
            await sched.suspend(42)  # type: ignore[arg-type]
        assert len(sched) == 0

    run(main)


def test_the_traps_refuse_anything_but_a_scheduler_object() -> None:
    async def main() -> None:
        queue = WaitQueue()
        with pytest.raises(TypeError, match="_wait_on_queue"):
            await _scheduler_wait(queue, "X")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="_reschedule_tasks"):
            await _scheduler_wake(queue)  # type: ignore[arg-type]
        assert len(queue) == 0

    run(main)


def test_scheduler_wake_refuses_an_exc_that_is_not_an_exception() -> None:
    async def main() -> None:
        sched = SchedFIFO()
        woke: list[int] = []
        tasks = await _sleepers(sched, 1, woke)
        with pytest.raises(TypeError, match="value"):
            await _scheduler_wake(sched, 1, exc="boom")  # type: ignore[arg-type]
        assert len(sched) == 1  # nobody was woken by the refused call
        await sched.wake()
        await _join_all(tasks)

    run(main)


# ---------------------------------------------------------------------- the traps


@both
def test_scheduler_wait_returns_the_value_given_to_scheduler_wake(make: Factory) -> None:
    async def waiter(sched: SchedBase) -> object:
        return await _scheduler_wait(sched, "VALUE_WAIT")

    async def main() -> list[object]:
        sched = make()
        tasks = [await spawn(waiter(sched)) for _ in range(3)]
        assert [t.state for t in tasks] == ["VALUE_WAIT"] * 3
        await _scheduler_wake(sched, 2, value="first two")
        await _scheduler_wake(sched, value=("last",))
        return [await t.join() for t in tasks]

    assert run(main) == ["first two", "first two", ("last",)]


def test_suspend_returns_the_value_of_a_scheduler_wake_and_none_after_wake() -> None:
    async def waiter(sched: SchedBase) -> object:
        return await sched.suspend("WAIT")

    async def main() -> list[object]:
        sched = SchedFIFO()
        a = await spawn(waiter(sched))
        b = await spawn(waiter(sched))
        await _scheduler_wake(sched, value=7)
        await sched.wake()
        return [await a.join(), await b.join()]

    assert run(main) == [7, None]


@pytest.mark.parametrize("as_class", [False, True], ids=["instance", "class"])
def test_scheduler_wake_with_exc_raises_it_in_each_woken_task(as_class: bool) -> None:
    boom = KeyError("boom")

    async def waiter(sched: SchedBase) -> BaseException:
        try:
            await sched.suspend("WAIT")
        except KeyError as exc:
            return exc
        raise AssertionError("the wake-up did not raise")

    async def main() -> list[BaseException]:
        sched = SchedBarrier()
        tasks = [await spawn(waiter(sched)) for _ in range(2)]
        await _scheduler_wake(sched, len(sched), exc=KeyError if as_class else boom)
        return [await t.join() for t in tasks]

    first, second = run(main)
    assert isinstance(first, KeyError)
    assert first is second  # one exception for the wake-up, as documented
    if not as_class:
        assert first is boom


# ---------------------------------------------------------------------- cancellation


@both
def test_a_cancelled_sleeper_leaves_the_line_and_the_next_wake_is_not_lost(
    make: Factory,
) -> None:
    async def main() -> list[int]:
        sched = make()
        woke: list[int] = []
        tasks = await _sleepers(sched, 3, woke)
        assert await tasks[1].cancel()
        assert len(sched) == 2
        await sched.wake()  # goes to 0, the oldest still there
        await tasks[0].join()
        await sched.wake()  # goes to 2: no wake-up is spent on the departed 1
        await tasks[2].join()
        assert len(sched) == 0
        assert woke == [0, 2]
        return woke

    assert run(main) == [0, 2]


@both
def test_a_timed_out_sleeper_leaves_the_line_and_others_keep_their_order(
    make: Factory,
    virtual_clock: MockClock,
) -> None:
    async def impatient(sched: SchedBase) -> str:
        try:
            async with timeout_after(0.01):
                await sched.suspend("IMPATIENT")
        except TaskTimeout:
            return f"timed out at {await clock()}"
        return "woken"

    async def main() -> list[int]:
        sched = make()
        woke: list[int] = []
        before = await _sleepers(sched, 1, woke)
        t = await spawn(impatient(sched))
        after = await _sleepers(sched, 1, woke, first=2)
        assert len(sched) == 3
        assert await t.join() == "timed out at 0.01"
        assert len(sched) == 2
        await sched.wake(len(sched))
        await _join_all(before + after)
        assert len(sched) == 0
        return woke

    assert run(main, clock=virtual_clock) == [0, 2]


@both
def test_a_timeout_around_suspend_in_the_waiting_task_itself_leaves_nothing(
    make: Factory,
    virtual_clock: MockClock,
) -> None:
    async def main() -> None:
        sched = make()
        with pytest.raises(TaskTimeout):
            await timeout_after(0.01, sched.suspend("ALONE"))
        assert await clock() == 0.01
        assert len(sched) == 0
        await sched.wake()  # nobody there: nothing to do, nothing to fail

    run(main, clock=virtual_clock)


@both
def test_cancelling_every_sleeper_empties_the_line(make: Factory) -> None:
    async def main() -> None:
        sched = make()
        woke: list[int] = []
        tasks = await _sleepers(sched, 4, woke)
        for task in reversed(tasks):
            await task.cancel()
        assert len(sched) == 0
        assert woke == []
        await sched.wake(4)
        assert woke == []

    run(main)


@both
def test_a_sleeper_woken_and_cancelled_in_the_same_step_returns_from_suspend(
    make: Factory,
) -> None:
    """The wake-up is delivered first; the cancellation waits for the next blocking call."""
    log: list[str] = []

    async def sleeper(sched: SchedBase) -> None:
        try:
            value = await _scheduler_wait(sched, "WAIT")
            log.append(f"woken with {value}")
            await sleep(0)
        except CancelledError:
            log.append("cancelled")
            raise

    async def main() -> None:
        sched = make()
        t = await spawn(sleeper(sched))
        await _scheduler_wake(sched, value="the handed item")
        await t.cancel()
        assert len(sched) == 0

    run(main)
    assert log == ["woken with the handed item", "cancelled"]


# ---------------------------------------------------------------------- primitives on top


class SchedEvent:
    """The reference's Event on a SchedBarrier, as curio 1.6 documents it."""

    def __init__(self) -> None:
        self._value = 0
        self._sched = SchedBarrier()

    async def wait(self) -> None:
        if self._value == 0:
            await self._sched.suspend("EVENT_WAIT")

    async def set(self) -> None:
        self._value = 1
        await self._sched.wake(len(self._sched))


def test_the_references_event_on_a_schedbarrier_runs_end_to_end() -> None:
    log: list[str] = []

    async def waiter(evt: SchedEvent, name: str) -> None:
        log.append(f"{name} waiting")
        await evt.wait()
        log.append(f"{name} running")

    async def main() -> None:
        evt = SchedEvent()
        tasks = [await spawn(waiter(evt, name)) for name in ("a", "b", "c")]
        assert [t.state for t in tasks] == ["EVENT_WAIT"] * 3
        assert len(evt._sched) == 3
        await evt.set()
        await _join_all(tasks)
        assert len(evt._sched) == 0
        late = await spawn(waiter(evt, "late"))  # set already: no wait at all
        await late.join()

    run(main)
    assert log == [
        "a waiting",
        "b waiting",
        "c waiting",
        "a running",
        "b running",
        "c running",
        "late waiting",
        "late running",
    ]


def test_the_references_event_wait_can_time_out_and_be_cancelled_cleanly(
    virtual_clock: MockClock,
) -> None:
    async def main() -> None:
        evt = SchedEvent()
        with pytest.raises(TaskTimeout):
            async with timeout_after(0.01):
                await evt.wait()
        assert await clock() == 0.01
        t = await spawn(evt.wait())
        await t.cancel()
        assert len(evt._sched) == 0
        stays = await spawn(evt.wait())
        await evt.set()
        await stays.join()

    run(main, clock=virtual_clock)


class SchedLock:
    """A lock on a SchedFIFO (what curio 1.6 says a SchedFIFO is for): the lock is handed
    to the oldest waiter on release, so a later arrival never overtakes it."""

    def __init__(self) -> None:
        self._held = False
        self._sched = SchedFIFO()

    async def acquire(self) -> None:
        if self._held:
            await self._sched.suspend("LOCK_ACQUIRE")  # woken holding the lock
        else:
            self._held = True

    async def release(self) -> None:
        if self._sched:
            await self._sched.wake()
        else:
            self._held = False


def test_a_lock_built_on_a_schedfifo_serves_waiters_in_arrival_order() -> None:
    order: list[int] = []

    async def worker(lock: SchedLock, k: int) -> None:
        await lock.acquire()
        order.append(k)
        await sleep(0)  # let a newcomer try to overtake
        await lock.release()

    async def main() -> None:
        lock = SchedLock()
        await lock.acquire()
        first = [await spawn(worker(lock, k)) for k in range(3)]
        await lock.release()
        newcomer = await spawn(worker(lock, 99))
        await _join_all([*first, newcomer])
        assert not lock._held
        assert len(lock._sched) == 0

    run(main)
    assert order == [0, 1, 2, 99]
