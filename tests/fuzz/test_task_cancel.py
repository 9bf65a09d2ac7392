"""Randomized ``Task.cancel()``: it always returns, and only once its target has ended.

Each round's targets block in random ways (scheduling steps, a lock, waits that only a
timeout ends, all inside random timeout blocks) and clean up when interrupted in random
ways too, inside the blocks that were open when the interruption came (whose deadlines
must not fire now) and outside them: by blocking steps, by waiting for the lock, by a
wait bounded by a fresh timeout block that expires meanwhile.  One to three cancellers
go for each target after random numbers of steps, blocking or not, some twice, some
inside timeout blocks of their own, and some cancellers are cancelled in turn while they
wait.

A cancellation that a timeout replaced, or that was dropped, lets its target carry on to
the end of its work, where it waits ("parks") to be cancelled: the round reports that,
and a blocking canceller left waiting as a hang.  Every target must end with the
cancellation itself, never a timeout.
"""

from __future__ import annotations

import random
from typing import Any

from curio_kernel import CancelledError, Task
from curio_sync import Event, Lock
from curio_traps import is_timeout


def test_cancel_returns_once_the_target_has_ended_whatever_else_arrives(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        lock = Lock()
        never = Event()

        async def clean_up(rng: random.Random) -> None:
            how = rng.choice(("steps", "lock", "bounded", "bounded", "none"))
            if how == "steps":
                await r.steps(rng, 6)
            elif how == "lock":
                async with lock:
                    await r.steps(rng, 2)
            elif how == "bounded":
                # A time limit on the clean-up itself: it fires, the cancellation goes on.
                await r.guarded(rng, never.wait, depth=rng.randint(1, 2))

        async def target(rng: random.Random) -> None:
            async def work() -> None:
                for _ in range(rng.randint(1, 3)):
                    how = rng.choice(("steps", "lock", "wait"))
                    try:
                        if how == "steps":
                            await r.steps(rng, 8)
                        elif how == "lock":
                            async with lock:
                                await r.steps(rng, 4)
                        else:
                            await r.guarded(rng, never.wait, depth=rng.randint(1, 3))
                    except CancelledError:
                        # Inside the blocks open when the interruption came: their
                        # deadlines must not fire during this clean-up.
                        await clean_up(rng)
                        raise

            try:
                await r.guarded(rng, work)
            except CancelledError:
                await clean_up(rng)
                raise
            finally:
                await clean_up(rng)
            await r.park()

        targets: list[Task[None]] = []
        for k in range(r.rng.randint(1, 4)):
            rng = r.fork()
            targets.append(await r.spawn(f"target-{k}", lambda rng=rng: target(rng)))
        for task in targets:
            rng = r.fork()
            for _ in range(rng.randint(1, 3)):
                canceller = await r.cancel_later(rng, task)
                if rng.random() < 0.25:
                    await r.cancel_later(rng, canceller)
        await r.settle(targets)
        await r.sweep()
        for task in targets:
            exc = task.exception
            r.check(
                isinstance(exc, CancelledError) and not is_timeout(exc),
                f"{task.name} ended with {exc!r}, not with its cancellation",
            )
        r.check(not lock.locked(), f"the lock is still held: {lock!r}")

    fuzz.play(scenario)
