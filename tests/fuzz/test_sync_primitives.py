"""Randomized cancellation of the waits of Event, Lock, RLock, Semaphore and Condition.

In each round a few workers use one primitive, one to three times each, every use inside
random timeout blocks and with blocking calls (scheduling steps) at random points, also
while they clean up; other tasks cancel random workers after random numbers of steps.
Once every worker has parked or ended the rest are cancelled, and the primitive must be
exactly as a correct one would be with nobody using it: free, nobody queued, its count
back, no two holders ever at once.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from curio_kernel import CancelledError, Task, current_task
from curio_sync import (
    BoundedSemaphore,
    Condition,
    Event,
    Lock,
    RLock,
    Semaphore,
    SyncUsageError,
)

Work = Callable[[random.Random], Awaitable[None]]


async def _start(r: Any, name: str, work: Work, *, most_uses: int = 3) -> Task[None]:
    """A worker: ``work`` one to *most_uses* times, each inside random timeout blocks and
    followed, if interrupted, by a clean-up that blocks."""
    rng = r.fork()

    async def use() -> None:
        try:
            await work(rng)
        except CancelledError:
            await r.clean_up(rng)
            raise

    async def body() -> None:
        for _ in range(rng.randint(1, most_uses)):
            await r.guarded(rng, use)
            await r.steps(rng, 3)
        await r.park()

    return await r.spawn(name, body)


class _Holders:
    """Who holds a lock-like primitive, as its users say; at most *limit* at once."""

    def __init__(self, r: Any, what: str, limit: int = 1) -> None:
        self.r = r
        self.what = what
        self.limit = limit
        self.now: list[Task[Any]] = []

    def enter(self, me: Task[Any]) -> None:
        self.r.check(
            len(self.now) < self.limit,
            f"{me.name} took {self.what} while {[t.name for t in self.now]} held it",
        )
        self.now.append(me)

    def leave(self, me: Task[Any]) -> None:
        if me in self.now:
            self.now.remove(me)


def test_event_waits_end_only_when_set_and_leave_nobody_queued(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        evt = Event()
        sets = [0]

        async def wait(rng: random.Random) -> None:
            before = sets[0]
            await evt.wait()
            r.check(evt.is_set() or sets[0] > before, "Event.wait() returned with no set()")

        async def setter() -> None:
            rng = r.fork()
            for _ in range(rng.randint(1, 4)):
                await r.steps(rng, 12)
                sets[0] += 1
                await evt.set()
                if rng.random() < 0.7:
                    evt.clear()
            await r.park()

        workers = [await _start(r, f"waiter-{k}", wait) for k in range(r.rng.randint(1, 5))]
        workers.append(await r.spawn("setter", setter))
        await r.cancel_some(workers)

        async def poke() -> None:
            sets[0] += 1
            await evt.set()
            evt.clear()

        await r.settle(workers, poke=poke)
        await r.sweep()
        r.check(not evt._waiting, f"tasks still queued on the event: {evt!r}")

    fuzz.play(scenario)


def test_lock_has_one_holder_and_is_free_once_everyone_is_gone(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        lock = Lock()
        holders = _Holders(r, "the lock")

        async def use(rng: random.Random) -> None:
            me = await current_task()
            if rng.random() < 0.3:
                await lock.acquire()
                try:
                    holders.enter(me)
                    await r.steps(rng, 4)
                finally:
                    try:
                        await r.steps(rng, 2)  # blocking while cleaning up, lock held
                    finally:
                        holders.leave(me)
                        await lock.release()
                return
            by_hand = rng.random() < 0.25
            released = False
            try:
                async with lock:
                    holders.enter(me)
                    try:
                        await r.steps(rng, 4)
                        if by_hand:
                            holders.leave(me)
                            released = True
                            await lock.release()
                            await r.steps(rng, 4)  # the next waiter takes it meanwhile
                    finally:
                        try:
                            await r.steps(rng, 2)
                        finally:
                            holders.leave(me)
            except SyncUsageError as err:
                # Leaving the block after releasing by hand is an error, never a release
                # of the lock another task holds now.
                r.check(released, f"{me.name}: {err!r} though the lock was not released by hand")
                if isinstance(err.__context__, CancelledError):
                    raise err.__context__ from None
            else:
                r.check(not released, f"{me.name}: left the block after a manual release quietly")

        workers = [await _start(r, f"user-{k}", use) for k in range(r.rng.randint(2, 5))]
        await r.cancel_some(workers)
        await r.settle(workers)
        await r.sweep()
        r.check(not lock.locked(), f"the lock is still held: {lock!r} (owner {lock._owner!r})")
        r.check(not lock._waiting, f"tasks still queued on the lock: {lock!r}")

    fuzz.play(scenario)


def test_rlock_nests_keeps_its_depth_and_is_free_once_everyone_is_gone(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        lock = RLock()
        holders = _Holders(r, "the RLock")

        async def use(rng: random.Random) -> None:
            me = await current_task()
            deepest = rng.randint(1, 3)

            async def level(depth: int) -> None:
                async with lock:
                    if depth == 1:
                        holders.enter(me)
                    r.check(lock._depth == depth, f"{me.name}: depth {lock._depth}, not {depth}")
                    try:
                        await r.steps(rng, 3)
                        if depth < deepest:
                            await level(depth + 1)
                        await r.steps(rng, 2)
                    finally:
                        r.check(
                            lock._owner is me and lock._depth == depth,
                            f"{me.name}: leaving depth {depth} of {lock!r} not held at it",
                        )
                        if depth == 1:
                            holders.leave(me)

            await level(1)

        workers = [await _start(r, f"user-{k}", use) for k in range(r.rng.randint(2, 5))]
        await r.cancel_some(workers)
        await r.settle(workers)
        await r.sweep()
        r.check(not lock.locked() and lock._depth == 0, f"the RLock is still held: {lock!r}")
        r.check(not lock._waiting, f"tasks still queued on the RLock: {lock!r}")

    fuzz.play(scenario)


def test_semaphores_bound_their_holders_and_get_every_slot_back(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        value = r.rng.randint(1, 3)
        kind = r.rng.choice((Semaphore, BoundedSemaphore))
        sema = kind(value)
        holders = _Holders(r, f"a slot of {kind.__name__}({value})", limit=value)

        async def use(rng: random.Random) -> None:
            me = await current_task()
            if rng.random() < 0.3:
                await sema.acquire()
                try:
                    holders.enter(me)
                    await r.steps(rng, 4)
                finally:
                    holders.leave(me)
                    await sema.release()
                return
            async with sema:
                holders.enter(me)
                try:
                    await r.steps(rng, 4)
                finally:
                    try:
                        await r.steps(rng, 2)
                    finally:
                        holders.leave(me)

        workers = [await _start(r, f"user-{k}", use) for k in range(r.rng.randint(2, 6))]
        await r.cancel_some(workers)
        await r.settle(workers)
        await r.sweep()
        r.check(sema.value == value, f"{sema!r}: the count is not back to {value}")
        r.check(not sema._waiting, f"tasks still queued on the semaphore: {sema!r}")

    fuzz.play(scenario)


def test_condition_wait_holds_the_lock_again_however_it_ends(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        lock = r.rng.choice((None, Lock(), RLock()))
        cond = Condition(lock)
        counts = {"notified": 0, "woke": 0, "changes": 0}

        def held(me: Task[Any], depth: int) -> bool:
            if cond._lock._owner is not me:
                return False
            return not isinstance(cond._lock, RLock) or cond._lock._depth == depth

        async def wait(rng: random.Random) -> None:
            me = await current_task()
            async with cond:
                depth = 1
                if isinstance(cond._lock, RLock) and rng.random() < 0.5:
                    await cond._lock.acquire()  # wait() must release and restore both levels
                    depth = 2
                try:
                    seen = counts["changes"]
                    try:
                        if rng.random() < 0.3:
                            await cond.wait_for(lambda: counts["changes"] > seen)
                        else:
                            await cond.wait()
                            counts["woke"] += 1
                    except BaseException as exc:
                        r.check(
                            held(me, depth),
                            f"{me.name}: Condition.wait() raised {exc!r} without the lock "
                            f"held again ({cond._lock!r})",
                        )
                        raise
                    r.check(held(me, depth), f"{me.name}: wait() returned, lock not held again")
                    await r.steps(rng, 2)
                finally:
                    if depth == 2:
                        await cond._lock.release()

        async def notify(rng: random.Random) -> None:
            await r.steps(rng, 8)
            async with cond:
                waiting = len(cond._waiting)
                counts["changes"] += 1
                if rng.random() < 0.3:
                    counts["notified"] += waiting
                    await cond.notify_all()
                else:
                    n = rng.randint(1, 2)
                    counts["notified"] += min(n, waiting)
                    await cond.notify(n)
                await r.steps(rng, 4)  # the notified now wait to take the lock back

        workers = [await _start(r, f"waiter-{k}", wait) for k in range(r.rng.randint(1, 5))]
        workers += [
            await _start(r, f"notifier-{k}", notify, most_uses=4)
            for k in range(r.rng.randint(1, 2))
        ]
        await r.cancel_some(workers)

        async def poke() -> None:
            async with cond:
                counts["changes"] += 1
                counts["notified"] += len(cond._waiting)
                await cond.notify_all()

        await r.settle(workers, poke=poke)
        await r.sweep()
        r.check(not cond.locked(), f"the condition's lock is still held: {cond._lock!r}")
        r.check(not cond._waiting, f"tasks still waiting on the condition: {cond!r}")
        r.check(
            counts["woke"] <= counts["notified"],
            f"{counts['woke']} waits returned for {counts['notified']} notifications",
        )

    fuzz.play(scenario)
