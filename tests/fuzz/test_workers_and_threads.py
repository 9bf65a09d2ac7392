"""Randomized cancellation of ``block_in_thread``, ``run_in_thread(call_on_cancel=...)`` and
asynchronous threads.

Worker calls: each round's users call functions in threads, one to three times each,
inside random timeout blocks: through ``block_in_thread`` on one of two shared callables
(so that callers line up for them) or through ``run_in_thread`` with a
``call_on_cancel`` hook, with the kernel's worker threads limited to one, two or many.
Some calls return at once, some block on a gate the driver opens after a random number
of steps.  Other tasks cancel random users meanwhile.  Every call ends for its caller
either with its own result or with an interruption; ``call_on_cancel`` is called once for
each interrupted call whose function ran, and for no other; the per-callable lines of
``block_in_thread`` are gone at the end.

Asynchronous threads: each round spawns one to three threads that ``AWAIT`` sleeps,
gets on a queue fed by a task, and waits inside random timeout blocks; other tasks cancel
them at random moments.  A thread gets only cancellations that were sent to it (each at
most once), may catch one and go on, and always ends: ``wait`` and ``join`` return, the
thread's outcome is what its function did, and its thread is no longer alive.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Final

from curio_kernel import (
    AWAIT,
    CancelledError,
    TaskError,
    block_in_thread,
    run_in_thread,
    sleep,
    spawn_thread,
    workers,
)
from curio_sync import Event, Queue
from curio_traps import is_timeout, running_kernel

#: How long the end of a round waits for the calls still running in threads.
_DRAIN: Final = 2.0
#: The sleeps an asynchronous thread awaits, in seconds.
_NAPS: Final = (0.0, 0.0001, 0.0005)


class _Calls:
    """What the worker calls of a round did, as seen by the threads and by the callers."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.gate = threading.Event()
        self.ran: Counter[int] = Counter()
        self.finished: Counter[int] = Counter()
        self.hooked: Counter[int] = Counter()
        self.returned: set[int] = set()
        self.interrupted: set[int] = set()
        self.guarded: set[int] = set()

    def work(self, token: int, blocking: bool) -> int:
        with self.cond:
            self.ran[token] += 1
        if blocking:
            self.gate.wait(_DRAIN)  # opened by the driver (at the latest when the round ends)
        with self.cond:
            self.finished[token] += 1
            self.cond.notify_all()
        return token

    def hook(self, future: Future[int]) -> None:
        with self.cond:
            token = future.result()
            self.hooked[token] += 1
            self.cond.notify_all()

    def drained(self) -> bool:
        """Every call that ran has finished, and every hook owed has been called."""
        owed = (self.interrupted & self.guarded) & set(self.ran)
        return all(self.finished[t] == n for t, n in self.ran.items()) and all(
            self.hooked[t] for t in owed
        )


def test_worker_calls_end_with_their_result_or_their_cancellation(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        calls = _Calls()
        limit = r.rng.choice((1, 2, 64))
        saved = workers.MAX_WORKER_THREADS
        workers.MAX_WORKER_THREADS = limit
        tokens = iter(range(1, 1_000_000))

        # Two distinct callables for block_in_thread's lines (each its own line).
        def shared_a(token: int, blocking: bool) -> int:
            return calls.work(token, blocking)

        def shared_b(token: int, blocking: bool) -> int:
            return calls.work(token, blocking)

        shared: tuple[Callable[[int, bool], int], ...] = (shared_a, shared_b)

        async def user() -> None:
            rng = r.fork()
            for _ in range(rng.randint(1, 3)):
                token = next(tokens)
                blocking = rng.random() < 0.5
                how = rng.choice(("block_in_thread", "run_in_thread"))

                async def one(
                    token: int = token, blocking: bool = blocking, how: str = how
                ) -> None:
                    try:
                        if how == "block_in_thread":
                            got = await block_in_thread(rng.choice(shared), token, blocking)
                        else:
                            calls.guarded.add(token)
                            got = await run_in_thread(
                                calls.work, token, blocking, call_on_cancel=calls.hook
                            )
                    except BaseException:
                        calls.interrupted.add(token)
                        await r.clean_up(rng)
                        raise
                    calls.returned.add(token)
                    r.check(got == token, f"{how} of call {token} gave {got!r}")

                await r.guarded(rng, one)
                await r.steps(rng, 3)
            await r.park()

        try:
            users = [await r.spawn(f"user-{k}", user) for k in range(r.rng.randint(1, 5))]
            await r.cancel_some(users)
            rng = r.fork()
            await r.steps(rng, 30)
            calls.gate.set()

            async def nothing() -> None:
                pass

            await r.settle(users, poke=nothing)
            await r.sweep()
        finally:
            calls.gate.set()
            workers.MAX_WORKER_THREADS = saved

        kernel: Any = running_kernel()
        r.check(
            not kernel._blocking_lines,
            f"block_in_thread's lines left at the end: {kernel._blocking_lines!r}",
        )
        with calls.cond:
            # The calls abandoned while running finish in the background: wait for them.
            calls.cond.wait_for(calls.drained, _DRAIN)
            ran, hooked = Counter(calls.ran), Counter(calls.hooked)
            returned, interrupted, guarded = (
                set(calls.returned),
                set(calls.interrupted),
                set(calls.guarded),
            )
        both = returned & interrupted
        r.check(not both, f"calls that both returned and were interrupted: {sorted(both)}")
        twice = [t for t, n in ran.items() if n > 1]
        r.check(not twice, f"calls whose function ran twice: {twice}")
        never = returned - set(ran)
        r.check(not never, f"calls that returned a result their function never gave: {never}")
        owed = interrupted & guarded & set(ran)
        missing = sorted(owed - set(hooked))
        r.check(
            not missing, f"call_on_cancel never called for interrupted calls that ran: {missing}"
        )
        extra = sorted(set(hooked) - owed)
        r.check(not extra, f"call_on_cancel called for calls not interrupted or not run: {extra}")
        again = [t for t, n in hooked.items() if n > 1]
        r.check(not again, f"call_on_cancel called more than once for: {again}")
        # A hook whose call finished before its caller gave up runs in a thread of its own:
        # it has run by now (drained), so wait for its thread to go too.
        for thread in threading.enumerate():
            if thread.name == "curio-call-on-cancel":
                thread.join(_DRAIN)

    # Real threads per round (workers, or asynchronous threads and their joins).
    fuzz.play(scenario, cost=6)


def test_async_threads_cancelled_at_random_always_end(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        q: Queue[int] = Queue()
        stop = Event()

        async def feed() -> None:
            rng = r.fork()
            n = 0
            while not stop.is_set():
                await r.steps(rng, 3)
                await sleep(0)
                if q._getters:
                    n += 1
                    await q.put(n)

        feeder = await r.spawn("feeder", feed)
        threads: list[Any] = []
        seen: dict[int, list[BaseException]] = {}
        did: dict[int, tuple[bool, object]] = {}

        def body(index: int, rng: random.Random) -> str:
            """A thread's work: finite waits, awaited in the kernel; catches some cancels.

            One that caught none waits at the end, in the kernel, to be cancelled (so that
            a cancellation lost is a hang, and one that does not end that wait at once, a
            violation); one that caught one and went on just returns.
            """
            got = seen.setdefault(index, [])
            result = f"thread {index} done"
            try:
                for _ in range(rng.randint(1, 4)):
                    op = rng.choice(("sleep", "get", "guarded"))
                    try:
                        if op == "sleep":
                            AWAIT(sleep(rng.choice(_NAPS)))
                        elif op == "get":
                            AWAIT(q.get())
                        else:
                            AWAIT(r.guarded(rng, Event().wait, depth=rng.randint(1, 2)))
                    except CancelledError as exc:
                        got.append(exc)
                        if rng.random() < 0.5:
                            raise
                if not got:
                    AWAIT(r.park())
            except BaseException as exc:
                did[index] = (False, exc)
                raise
            did[index] = (True, result)
            return result

        try:
            for index in range(r.rng.randint(1, 3)):
                trng = r.fork()
                threads.append(await spawn_thread(body, index, trng, daemon=trng.random() < 0.3))
            await r.cancel_some(threads)
            await r.settle(threads)
        finally:
            for thread in threads:
                if not thread.terminated:
                    await r.cancel(thread)
                await thread.wait()
            await stop.set()
        await feeder.cancel()

        for index, thread in enumerate(threads):
            name = f"thread {index}"
            r.check(thread.terminated, f"{name} has not ended after wait()")
            os_thread = thread._thread
            r.check(
                os_thread is not None and not os_thread.is_alive(),
                f"{name}: its thread is still alive after wait()",
            )
            asked = r._requested.get(thread.id, [])
            for exc in seen.get(index, []):
                r.check(not is_timeout(exc), f"{name}: a timeout escaped its block: {exc!r}")
                r.check(
                    any(exc is sent for sent in asked),
                    f"{name}: AWAIT raised {exc!r}, which nobody sent (sent: {asked!r})",
                )
            delivered = [id(e) for e in seen.get(index, [])]
            r.check(
                len(delivered) == len(set(delivered)),
                f"{name}: one cancellation raised twice: {seen.get(index)!r}",
            )
            outcome = did.get(index)
            if outcome is None:
                r.fail(f"{name}: its function never finished")
                continue
            ok, value = outcome
            if ok:
                try:
                    joined = await thread.join()
                except BaseException as exc:
                    r.fail(f"{name}: returned {value!r}, but join() raised {exc!r}")
                else:
                    r.check(joined == value, f"{name}: join() gave {joined!r}, not {value!r}")
            else:
                r.check(
                    thread.exception is value,
                    f"{name}: raised {value!r}, but ended with {thread.exception!r}",
                )
                try:
                    await thread.join()
                except (TaskError, CancelledError):
                    pass
                except BaseException as exc:
                    r.fail(f"{name}: join() raised {exc!r}")
                else:
                    r.fail(f"{name}: raised {value!r}, but join() returned")

    # Real threads per round (workers, or asynchronous threads and their joins).
    fuzz.play(scenario, cost=6)
