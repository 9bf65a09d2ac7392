"""Randomized cancellation of subprocess waits: no zombie, no descriptor left open.

Each round starts one or two children (``python -c`` programs that run until their stdin
is closed) and has a task wait for each inside random timeout blocks: ``wait()``,
``wait(timeout=...)``, ``communicate()`` with the echo of its input, or an ``async with
Popen(...)`` block (which kills and reaps its child when cancelled).  Other tasks cancel
the waiters at random steps, and the driver may close a child's stdin meanwhile, which
lets it end.  In the end the driver closes every stdin and waits for every child: each
has been reaped, none is left a zombie, a ``wait()`` that returned gave the exit status,
a ``communicate()`` that returned gave back exactly its input, and every pipe and
process descriptor is closed (the harness compares the descriptors of each round).
"""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from curio_kernel import TaskTimeout, ignore_after, sleep, timeout_after
from curio_subprocess import DEVNULL, PIPE, Popen

#: Runs until its stdin is closed, then exits with status 0.
_UNTIL_EOF = [sys.executable, "-c", "import sys; sys.stdin.buffer.read()"]
#: Writes back all its input once its stdin is closed (status 1 if its stdout is gone).
_ECHO = [sys.executable, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"]
_WAYS = ("wait", "wait(timeout)", "communicate", "async with")


def test_child_waits_undone_by_cancellation_leave_no_zombie(
    fuzz: Any, child_processes: Callable[[], list[int]]
) -> None:
    async def scenario(r: Any) -> None:
        procs: list[Popen] = []
        quiet: list[Popen] = []  # the children whose stdin nobody writes to

        async def wait(p: Popen, rng: random.Random) -> None:
            status = await p.wait()
            r.check(status == p.returncode == 0, f"wait() gave {status}, child {p!r}")

        async def wait_timeout(p: Popen, rng: random.Random) -> None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                await p.wait(timeout=rng.choice((0.0, 0.0005, 0.002)))

        async def communicate(p: Popen, rng: random.Random) -> None:
            data = b"x" * rng.choice((1, 1000, 200_000))
            out, _ = await p.communicate(data)
            r.check(out == data, f"communicate() gave {len(out or b'')} bytes of {len(data)}")

        async def waiter(way: str, rng: random.Random) -> None:
            if way == "async with":
                p = Popen(_UNTIL_EOF, stdin=PIPE)
                procs.append(p)
                quiet.append(p)
                try:
                    async with p:
                        await r.guarded(rng, p.wait)
                finally:
                    r.check(p.returncode is not None, f"the block was left with {p!r} not reaped")
                return
            command = _ECHO if way == "communicate" else _UNTIL_EOF
            p = Popen(command, stdin=PIPE, stdout=PIPE, stderr=DEVNULL)
            procs.append(p)
            if way != "communicate":
                quiet.append(p)
            call = {"wait": wait, "wait(timeout)": wait_timeout, "communicate": communicate}
            await r.guarded(rng, lambda: call[way](p, rng))
            await r.park()

        rng = r.fork()
        try:
            waiters = []
            for k in range(rng.randint(1, 2)):
                way = rng.choice(_WAYS)
                mine = r.fork()
                waiters.append(
                    await r.spawn(f"{way}-{k}", lambda way=way, mine=mine: waiter(way, mine))
                )
                for _ in range(mine.choice((0, 1, 1, 2))):
                    await r.cancel_later(mine, waiters[-1])
            for _ in range(rng.randint(0, 2)):
                await r.steps(rng, 20)
                if quiet:
                    stdin = rng.choice(quiet).stdin
                    if stdin is not None:
                        await stdin.close()  # that child ends now
            await r.settle(waiters)
            await r.sweep()
        finally:
            for p in procs:
                for pipe in (p.stdin, p.stdout, p.stderr):
                    if pipe is not None:
                        await pipe.close()
                status = await p.wait()
                r.check(status in (0, 1, -9), f"{p!r} ended with status {status}")
            left = set(child_processes()) & {p.pid for p in procs}
            r.check(not left, f"children not reaped (zombies): {sorted(left)}")

    fuzz.play(scenario, cost=4)


def test_a_cancellation_during_the_clean_up_of_communicate_is_not_dropped(fuzz: Any) -> None:
    """``communicate()`` interrupted by a timeout stops its helper tasks; a cancellation
    arriving meanwhile, with an enclosing block's timeout due too, is the strongest of the
    interruptions: it must be what ``communicate()`` raises, not the timeout."""

    async def scenario(r: Any) -> None:
        rng = r.fork()
        p = Popen(_ECHO, stdin=PIPE, stdout=PIPE, stderr=DEVNULL)
        inner = 0.003
        try:
            start = time.monotonic()

            async def talk() -> None:
                outer = inner + rng.choice((0.00003, 0.00005, 0.00007, 0.0001, 0.0002))
                with contextlib.suppress(TaskTimeout):
                    async with timeout_after(outer), ignore_after(inner):
                        await p.communicate(b"x" * 200_000)
                await r.park()

            talker = await r.spawn("communicate", talk)

            async def cancel() -> None:
                # Steps until the inner block's deadline and a little past it: the moment
                # communicate() stops its helpers.
                until = start + inner + rng.choice((0.00003, 0.00005, 0.00007, 0.0001, 0.0003))
                while time.monotonic() < until:
                    await sleep(0)
                await r.steps(rng, 3)
                await r.cancel(talker, blocking=False)

            await r.spawn("canceller", cancel)
            await r.settle([talker])
            await r.sweep()
        finally:
            for pipe in (p.stdin, p.stdout):
                if pipe is not None:
                    await pipe.close()
            await p.wait()

    fuzz.play(scenario)
