"""A two-second tour of the curio kernel: tasks, sleeping, cancellation and timeouts.

Run it with ``nox -s demo``, or with ``python docs/examples/demo.py`` wherever curio-kernel
is installed.  Every line it prints starts with the time since the start, so you can see
the tasks interleave.
"""

from __future__ import annotations

import time

from curio_kernel import (
    CancelledError,
    TaskError,
    TaskTimeout,
    ignore_after,
    run,
    sleep,
    spawn,
    timeout_after,
)

_START = time.monotonic()


def say(message: str) -> None:
    """Print a line stamped with the seconds elapsed since the demonstration began."""
    print(f"[{time.monotonic() - _START:4.2f}s] {message}", flush=True)


async def countdown(name: str, start: int, interval: float) -> str:
    """Count down from *start*, sleeping *interval* seconds between numbers."""
    for n in range(start, 0, -1):
        say(f"{name}: {n}")
        await sleep(interval)
    return f"{name} done"


async def ticker() -> None:
    """Tick forever, until someone cancels it; then clean up and let the cancellation through."""
    ticks = 0
    try:
        while True:
            await sleep(0.25)
            ticks += 1
            say(f"ticker: tick {ticks}")
    except CancelledError:
        say(f"ticker: cancelled after {ticks} ticks, cleaning up")
        raise


async def slow_answer(seconds: float) -> int:
    """Take *seconds* to produce an answer: too slow for the timeouts below."""
    await sleep(seconds)
    return 42


async def fails() -> None:
    """A task that crashes, to show how join() reports it."""
    await sleep(0.1)
    raise ValueError("something went wrong in a task")


async def main() -> None:
    """Run every part of the demonstration in turn."""
    say("main: two countdowns run side by side, while a ticker ticks")
    tick = await spawn(ticker())
    apollo = await spawn(countdown("apollo", 3, 0.3))
    gemini = await spawn(countdown("gemini", 4, 0.2))
    results = [await apollo.join(), await gemini.join()]
    say(f"main: joined the countdowns: {results}")

    cancelled = await tick.cancel()
    say(f"main: ticker cancelled: {cancelled}")

    say("main: waiting at most 0.4 s for a 5 s computation (timeout_after)")
    try:
        async with timeout_after(0.4):
            await slow_answer(5)
    except TaskTimeout:
        say("main: timed out, as expected; the computation was cancelled")

    answer = await ignore_after(0.3, slow_answer(5))
    say(f"main: ignore_after gives up quietly and returns {answer}")

    answer = await timeout_after(1.0, slow_answer(0.2))
    say(f"main: a computation that finishes in time returns {answer}")

    crash = await spawn(fails())
    try:
        await crash.join()
    except TaskError as err:
        say(f"main: the task crashed: TaskError caused by {err.__cause__!r}")

    say("main: all done")


if __name__ == "__main__":
    run(main)
