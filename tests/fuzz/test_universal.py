"""Randomized cancellation of the universal primitives' waits, with a plain thread alongside.

``UniversalQueue``: each round takes an unbounded queue or one bounded to one to three
items.  Curio putters and getters put and get numbered items, every call inside random
timeout blocks, while other tasks cancel them after random numbers of steps; the driver
also puts and gets without waiting; and a plain thread puts and gets at the same time,
every blocking call of it bounded by a timeout of zero to two milliseconds.  An item
counts as put once ``put`` returned, as got once ``get`` returned; a call that raised
(a cancellation, a timeout, ``QueueFull``, ``QueueEmpty``) must have changed nothing.
At the end every item put is got exactly once or still in the queue, nothing got was
never put, the counts (``qsize``, ``empty``, unfinished items, reserved slots) agree, no
waiter is left in a line, and a last getter (and, bounded, a last putter) still gets
what a last put (a last get) hands it: a stale waiter would swallow it.

``UniversalEvent`` and ``UniversalResult``: curio tasks wait on an event and on a result,
inside random timeout blocks, and are cancelled at random; the event is set, cleared and
set again, and the result set once (with a value or an exception), by curio or by the
plain thread, which waits on both too.  A wait that returns saw the event set, and
``unwrap`` gives that very value or raises that very exception; at the end no waiter is
left and a last waiter is still woken by the next ``set()``.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Final, cast

from curio_kernel import CancelledError, sleep, spawn, timeout_after
from curio_sync import QueueEmpty, QueueFull, UniversalEvent, UniversalQueue, UniversalResult

#: The timeouts of the plain thread's blocking calls, in seconds.
_THREAD_TIMEOUTS: Final = (0.0, 0.0002, 0.0005, 0.001, 0.002)
#: How long the end of a round waits for the plain thread, or for a last waiter.
_JOIN: Final = 2.0


class _Side:
    """The plain thread of a round: runs *body* once started, and is always joined."""

    def __init__(self, r: Any, body: Callable[[random.Random], None]) -> None:
        self.r = r
        self.errors: list[BaseException] = []
        rng = r.fork()

        def run() -> None:
            try:
                body(rng)
            except BaseException as exc:
                self.errors.append(exc)

        self.thread = threading.Thread(target=run, name="fuzz-plain-thread", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def join(self) -> None:
        """Wait for it (blocking the kernel: its every wait is bounded) and report."""
        if self.thread.ident is None:
            return
        self.thread.join(_JOIN)
        self.r.check(not self.thread.is_alive(), "the plain thread did not end")
        for exc in self.errors:
            self.r.fail(f"the plain thread failed: {exc!r}")


async def _until(r: Any, ok: Callable[[], bool], what: str, most: int = 2000) -> bool:
    """Scheduling steps until ``ok()``; a violation naming *what* if it never holds."""
    for _ in range(most):
        if ok():
            return True
        await sleep(0)
    r.fail(f"never happened: {what}")
    return False


def test_universal_queue_items_are_neither_lost_nor_duplicated(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        maxsize = r.rng.choice((0, 0, 1, 2, 3))
        q: UniversalQueue[int] = UniversalQueue(maxsize)
        what = f"UniversalQueue({maxsize})"
        numbers = iter(range(1, 1_000_000))
        put: list[int] = []
        failed: list[int] = []
        got: list[int] = []

        def bounds(where: str) -> None:
            with q._lock:
                size, reserved, items = q.qsize(), q._reserved, len(q._items)
                handed, full = q._handed, q.full()
                empty = q.empty()
            r.check(reserved >= 0, f"{what} {where}: {reserved} slots reserved")
            r.check(size == items, f"{what} {where}: qsize() {size}, {items} items held")
            r.check(empty == (size == 0), f"{what} {where}: empty() {empty}, qsize() {size}")
            r.check(
                maxsize == 0 or size + reserved + handed <= maxsize,
                f"{what} {where}: {size} items, {reserved} reserved slots, {handed} handed over",
            )
            r.check(
                full == (maxsize > 0 and size + reserved + handed == maxsize),
                f"{what} {where}: full() {full} with {size} + {reserved} + {handed} of {maxsize}",
            )

        async def putter() -> None:
            rng = r.fork()
            for _ in range(rng.randint(1, 4)):
                item = next(numbers)

                async def put_one(item: int = item) -> None:
                    try:
                        await q.put(item)
                    except BaseException:
                        failed.append(item)
                        await r.clean_up(rng)
                        raise
                    put.append(item)
                    bounds("after a put")

                await r.guarded(rng, put_one)
                await r.steps(rng, 3)
            await r.park()

        async def getter() -> None:
            rng = r.fork()
            for _ in range(rng.randint(1, 4)):

                async def get_one() -> None:
                    try:
                        item = await q.get()
                    except CancelledError:
                        await r.clean_up(rng)
                        raise
                    got.append(item)
                    await q.task_done()
                    bounds("after a get")

                await r.guarded(rng, get_one)
                await r.steps(rng, 3)
            await r.park()

        def plain(rng: random.Random) -> None:
            """Puts and gets from a thread, each bounded by a timeout (it always ends)."""
            for k in range(rng.randint(1, 8)):
                timeout = rng.choice(_THREAD_TIMEOUTS)
                if rng.random() < 0.5:
                    item = 1_000_000 + k
                    try:
                        q.put(item, timeout=timeout)
                    except QueueFull:
                        failed.append(item)
                    else:
                        put.append(item)
                else:
                    try:
                        item = cast(int, q.get(timeout=timeout))
                    except QueueEmpty:
                        pass
                    else:
                        got.append(item)
                        q.task_done()

        side = _Side(r, plain)
        rng = r.fork()

        async def poke() -> None:
            """Without waiting: put an item or take one, as a driver of the queue would."""
            if rng.random() < 0.5:
                item = next(numbers)
                try:
                    q.put_nowait(item)
                except QueueFull:
                    failed.append(item)
                else:
                    put.append(item)
            else:
                try:
                    got.append(q.get_nowait())
                except QueueEmpty:
                    pass
                else:
                    await q.task_done()
            bounds("after a call without waiting")

        try:
            workers = []
            for k in range(r.rng.randint(2, 6)):
                role = r.rng.choice((putter, getter))
                workers.append(await r.spawn(f"{role.__name__}-{k}", role))
            await r.cancel_some(workers)
            await r.steps(rng, 6)
            side.start()
            for _ in range(rng.randint(0, 6)):
                await r.steps(rng, 6)
                await poke()
            await r.settle(workers, poke=poke)
            await r.sweep()
        finally:
            side.join()

        bounds("at the end")
        r.check(q._reserved == 0, f"{what}: {q._reserved} slots still promised to putters")
        r.check(q._handed == 0, f"{what}: {q._handed} items still counted as handed over")
        r.check(
            len(q._getters) == 0 and len(q._putters) == 0,
            f"{what}: stale waiters left in its lines: {q!r}",
        )
        left: list[int] = []
        while not q.empty():
            left.append(q.get_nowait())
        r.check(q.qsize() == 0, f"{what}: qsize() {q.qsize()} once drained")
        r.check(q._unfinished == len(left), f"{what}: {q._unfinished} unfinished, {len(left)} left")
        twice = [item for item, n in (Counter(got) + Counter(left)).items() if n > 1]
        r.check(not twice, f"{what}: items got twice: {twice}")
        r.check(
            Counter(got) + Counter(left) == Counter(put),
            f"{what}: put {sorted(put)}, got {sorted(got)}, left {sorted(left)}",
        )
        arrived = set(failed) & (set(got) | set(left))
        r.check(not arrived, f"{what}: items whose put raised arrived anyway: {arrived}")
        for _ in left:
            await q.task_done()

        # A last getter waits; a last put, from another thread, must reach it.
        last: list[int] = []

        async def last_get() -> None:
            async with timeout_after(_JOIN):
                last.append(await q.get())

        getter_task = await spawn(last_get())
        if await _until(r, lambda: len(q._getters) == 1, f"{what}: the last getter waits"):
            feeder = threading.Thread(target=lambda: q.put(-1), name="fuzz-last-put")
            feeder.start()
            feeder.join(_JOIN)
        await getter_task.wait()
        r.check(last == [-1], f"{what}: the last getter got {last}, not the last put's item")
        if maxsize:
            # A full queue and a last putter waiting: a last get must free its slot.
            for n in range(maxsize):
                q.put_nowait(-2 - n)

            async def last_put() -> None:
                async with timeout_after(_JOIN):
                    await q.put(-100)

            putter_task = await spawn(last_put())
            if await _until(r, lambda: len(q._putters) == 1, f"{what}: the last putter waits"):
                q.get_nowait()
            await putter_task.wait()
            r.check(
                putter_task.exception is None,
                f"{what}: the last putter, on a full queue, ended with "
                f"{putter_task.exception!r} though a get freed a slot",
            )
            r.check(q.qsize() == maxsize, f"{what}: {q.qsize()} items once refilled")

    # A plain thread per round and its joins: a round costs some milliseconds.
    fuzz.play(scenario, cost=3)


class _Boom(Exception):
    """The exception a result is set to."""


def test_universal_event_and_result_waits_are_undone(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        ev = UniversalEvent()
        res: UniversalResult[object] = UniversalResult()
        value: object = _Boom("the result") if r.rng.random() < 0.3 else object()
        #: How many times the event was set so far (by anyone).
        sets = [0]
        go = threading.Event()  # the plain thread sets the result once this is set
        thread_sets = r.rng.random() < 0.5

        def outcome_ok(got: object, raised: BaseException | None, who: str) -> None:
            if isinstance(value, BaseException):
                r.check(
                    raised is value and got is None,
                    f"{who}: unwrap() gave {got!r} / raised {raised!r}, not {value!r}",
                )
            else:
                r.check(
                    raised is None and got is value,
                    f"{who}: unwrap() gave {got!r} / raised {raised!r}, not the value set",
                )

        async def waiter() -> None:
            rng = r.fork()
            me = "waiter"
            for _ in range(rng.randint(1, 4)):
                if rng.random() < 0.5:

                    async def wait_event() -> None:
                        try:
                            ok = await ev.wait()
                        except CancelledError:
                            await r.clean_up(rng)
                            raise
                        r.check(ok is True, f"{me}: UniversalEvent.wait() returned {ok!r}")
                        r.check(sets[0] > 0, f"{me}: the event's wait returned, never set")

                    await r.guarded(rng, wait_event)
                else:

                    async def unwrap() -> None:
                        got: object = None
                        raised: BaseException | None = None
                        try:
                            got = await res.unwrap()
                        except _Boom as exc:
                            raised = exc
                        except CancelledError:
                            await r.clean_up(rng)
                            raise
                        r.check(res.is_set(), f"{me}: unwrap() ended, the result not set")
                        outcome_ok(got, raised, me)

                    await r.guarded(rng, unwrap)
                await r.steps(rng, 3)
            await r.park()

        def settle_result() -> None:
            if isinstance(value, BaseException):
                res.set_exception(value)
            else:
                res.set_value(value)

        def plain(rng: random.Random) -> None:
            """Waits with timeouts; sets the event once, and the result when told to."""
            for _ in range(rng.randint(1, 6)):
                timeout = rng.choice(_THREAD_TIMEOUTS)
                if rng.random() < 0.5:
                    seen = sets[0]
                    ok = cast(bool, ev.wait(timeout=timeout))
                    if ok and not sets[0] and not seen:
                        r.fail("the thread: UniversalEvent.wait() returned True, never set")
                else:
                    try:
                        got = res.unwrap(timeout=timeout)
                    except TimeoutError:
                        continue
                    except _Boom as exc:
                        outcome_ok(None, exc, "the thread")
                    else:
                        outcome_ok(got, None, "the thread")
                if rng.random() < 0.2:
                    sets[0] += 1
                    ev.set()
            if thread_sets and go.wait(_JOIN):
                settle_result()

        side = _Side(r, plain)
        rng = r.fork()
        try:
            workers = [await r.spawn(f"waiter-{k}", waiter) for k in range(r.rng.randint(1, 5))]
            await r.cancel_some(workers)
            side.start()
            for _ in range(rng.randint(0, 3)):
                await r.steps(rng, 8)
                sets[0] += 1
                await ev.set()
                if rng.random() < 0.5:
                    ev.clear()
            await r.steps(rng, 8)
            if thread_sets:
                go.set()
            else:
                if isinstance(value, BaseException):
                    await res.set_exception(value)
                else:
                    await res.set_value(value)
            sets[0] += 1
            await ev.set()

            async def poke() -> None:
                sets[0] += 1
                await ev.set()

            await r.settle(workers, poke=poke)
            await r.sweep()
        finally:
            go.set()
            side.join()

        r.check(res.is_set(), "the result was never set")
        r.check(len(ev._waiting) == 0, f"stale waiters left on the event: {ev!r}")
        r.check(len(res._waiting) == 0, f"stale waiters left on the result: {res!r}")

        # A last waiter on the cleared event is woken by a set() from another thread.
        ev.clear()
        woke: list[bool] = []

        async def last_wait() -> None:
            async with timeout_after(_JOIN):
                woke.append(await ev.wait())

        task = await spawn(last_wait())
        if await _until(r, lambda: len(ev._waiting) == 1, "the last waiter waits"):
            setter = threading.Thread(target=ev.set, name="fuzz-last-set")
            setter.start()
            setter.join(_JOIN)
        await task.wait()
        r.check(woke == [True], f"the last waiter ended with {woke} ({task.exception!r})")

    # A plain thread per round and its joins: a round costs some milliseconds.
    fuzz.play(scenario, cost=3)
