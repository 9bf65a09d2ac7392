"""Randomized cancellation of ``run_in_thread``: the wait is undone, the thread is not leaked.

Each round's users call functions in worker threads, one to three times each, inside
random timeout blocks: some return at once, some block on a gate that the driver opens
after a random number of steps.  Other tasks cancel random users meanwhile.  A call that
returns gives its own function's result (never the result of an earlier call that was
abandoned), a cancelled call returns at once while its thread finishes in the
background, and once the kernel is closed no worker thread is left (the harness compares
the threads before and after each round).
"""

from __future__ import annotations

import threading
from typing import Any

from curio_kernel import current_task, run_in_thread


def test_thread_waits_are_undone_and_no_thread_outlives_the_kernel(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        gate = threading.Event()

        def work(token: tuple[int, int], blocking: bool) -> tuple[int, int]:
            if blocking:
                gate.wait(5.0)  # opened by the driver (at the latest when the round ends)
            return token

        async def user() -> None:
            rng = r.fork()
            me = await current_task()
            for call in range(rng.randint(1, 3)):
                token = (me.id, call)
                blocking = rng.random() < 0.5

                async def one(token: tuple[int, int] = token, blocking: bool = blocking) -> None:
                    got = await run_in_thread(work, token, blocking)
                    r.check(got == token, f"{me.name}: run_in_thread gave {got}, not {token}")

                await r.guarded(rng, one)
                await r.steps(rng, 3)
            await r.park()

        try:
            users = [await r.spawn(f"user-{k}", user) for k in range(r.rng.randint(1, 5))]
            await r.cancel_some(users)
            rng = r.fork()
            await r.steps(rng, 30)
            gate.set()

            async def nothing() -> None:
                pass

            await r.settle(users, poke=nothing)
            await r.sweep()
        finally:
            gate.set()

    fuzz.play(scenario)
