"""Randomized nested timeouts: each block sees its own expiry, once, and nothing after it.

Each round runs a few tasks through random programs: scheduling steps, waits that only a
timeout can end, blocks of ``timeout_after``/``ignore_after`` nested up to three deep
(durations of 0 to 3 ms), the coroutine forms of both, and clean-up code that blocks
(``finally`` clauses, and handlers bounded by fresh timeout blocks of their own), and
stretches of computing without a blocking call, during which deadlines pass.  Some
tasks are also cancelled, once or twice, at random steps.

Besides the checks of every timeout block (see the harness): a task nobody cancels runs
its program to the end, every wait in it ended by some timeout; an ``ignore_after``
around a coroutine returns its ``timeout_result`` exactly when it expired; a
``TaskTimeout`` out of ``timeout_after(seconds, coro)`` is never an enclosing block's
deadline.
"""

from __future__ import annotations

import random
import time
from typing import Any

from curio_kernel import (
    CancelledError,
    Task,
    TaskTimeout,
    current_task,
    ignore_after,
    sleep,
    timeout_after,
)
from curio_sync import Event

_EXPIRED = object()


class _Program:
    """A random program of blocking calls and timeout blocks, run by one task."""

    def __init__(self, r: Any, rng: random.Random) -> None:
        self.r = r
        self.rng = rng
        self.never = Event()  # nobody sets it: only an interruption ends a wait on it

    async def run(self, depth: int = 0, bounded: bool = False) -> None:
        """A sequence of one to three actions; *bounded*: a finite block encloses them."""
        r, rng = self.r, self.rng
        for _ in range(rng.randint(1, 3)):
            action = rng.choice(
                ("steps", "compute", "wait", "nest", "nest", "finally", "handler", "forms")
            )
            if depth >= 3:
                action = "wait" if bounded and action == "wait" else "steps"
            if action == "steps":
                await r.steps(rng, 4)
            elif action == "compute":
                # Work without a blocking call until the first deadline of the open blocks
                # has passed, then one step (the kernel sees the expiry while the task is
                # ready to run), then a new block: the expiry is due at the first blocking
                # call, which is inside that block, and must reach its own block all the same.
                deadlines = [d for d in r.open_deadlines(await current_task()) if d is not None]
                if deadlines:
                    while time.monotonic() <= min(deadlines):
                        pass
                await sleep(0)
                await r.guarded(rng, lambda: self.run(depth + 1, True), depth=rng.randint(1, 2))
            elif action == "wait":
                if bounded:
                    await self.never.wait()
            elif action == "nest":
                await r.guarded(rng, lambda: self.run(depth + 1, True), depth=rng.randint(1, 3))
            elif action == "finally":
                try:
                    await self.run(depth + 1, bounded)
                finally:
                    await self.clean_up()
            elif action == "handler":
                try:
                    await self.run(depth + 1, bounded)
                except CancelledError:
                    await self.clean_up()
                    raise
            else:
                await self.forms()
            await r.steps(rng, 2)  # after a block was left: no stale timeout may land here

    async def clean_up(self) -> None:
        """Clean-up that blocks: steps, or a wait bounded by fresh timeout blocks."""
        rng = self.rng
        if rng.random() < 0.5:
            await self.r.steps(rng, 3)
        else:
            await self.r.guarded(rng, self.never.wait, depth=rng.randint(1, 2))

    async def forms(self) -> None:
        """``timeout_after(s, coro)`` and ``ignore_after(s, coro, timeout_result=...)``."""
        r, rng = self.r, self.rng
        seconds = rng.choice((0.0, 0.0001, 0.001))
        me = await current_task()
        if rng.random() < 0.5:
            result = await ignore_after(seconds, self.never.wait(), timeout_result=_EXPIRED)
            r.check(result is _EXPIRED, f"{me.name}: ignore_after returned {result!r}")
            return
        try:
            await timeout_after(seconds, self.never.wait)
        except TaskTimeout as exc:
            r.check(
                not any(exc.args[0] is deadline for deadline in r.open_deadlines(me)),
                f"{me.name}: timeout_after({seconds}, coro) raised an enclosing block's expiry",
            )
        else:
            r.fail(f"{me.name}: timeout_after({seconds}, coro) returned from a wait never ended")


def test_nested_timeouts_fire_once_each_and_in_the_right_block(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        finished: set[int] = set()
        tasks: list[Task[None]] = []
        targets: list[Task[None]] = []
        for k in range(r.rng.randint(1, 4)):
            rng = r.fork()
            program = _Program(r, rng)
            cancelled = rng.random() < 0.4

            async def body(
                program: _Program = program, rng: random.Random = rng, parks: bool = cancelled
            ) -> None:
                await r.guarded(rng, program.run, depth=rng.randint(0, 3))
                finished.add((await current_task()).id)
                if parks:
                    await r.park()

            task = await r.spawn(f"program-{k}", body)
            tasks.append(task)
            if cancelled:
                targets.append(task)
                for _ in range(rng.choice((1, 1, 2))):
                    await r.cancel_later(rng, task)
        for task in tasks:
            if task not in targets:
                # Every wait of its program is inside a block of a few milliseconds: it
                # ends (else the round's watchdog reports a hang).
                await task.wait()
                r.check(task.id in finished, f"{task.name}: its program did not run to the end")
        await r.settle(targets)
        await r.sweep()

    fuzz.play(scenario)
