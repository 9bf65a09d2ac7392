"""Randomized cancellation control: shields, and looking at what is pending.

Each round's tasks run random programs that mix shields (``async with
disable_cancellation()``, nested up to three deep, and the forms
``await disable_cancellation(corofunc, *args)`` and ``await disable_cancellation(coro)``)
with waits on a curio_sync ``Event``, ``Lock``, ``Queue`` and ``Condition`` and sleeps,
inside and around random timeout blocks (``timeout_after``/``ignore_after``, 0 to 3 ms),
and with ``check_cancellation()`` (looking at what is pending, or taking it with a type)
and ``set_cancellation()`` (setting one, or clearing) at random points.  A feeder task
keeps every shielded wait finite: it pulses the event, hands items to waiting getters and
notifies the condition.  Other tasks cancel the workers after random numbers of steps,
blocking or not, once or twice, some inside timeout blocks of their own.

Each worker keeps a model of the explicit cancellations sent to it (a request counts when
``Task.cancel()`` delivers it: unless an explicit one is still pending, which the kernel
keeps) and of what it took or set itself, and every blocking call it makes checks the
rules against that model:

* inside a shield no blocking call is interrupted, neither by a cancellation nor by a
  timeout, and the wait completes (the event was set, the lock is held, an item arrived,
  the sleep lasted its time);
* outside every shield, a cancellation delivered before a blocking call interrupts it
  with that very exception: one that arrived while shielded is raised at the first
  blocking call after the outermost block ends, never later;
* a timeout block open around a shield whose deadline passes before a blocking call in it
  returns has expired by then (the kernel expires deadlines before it resumes a task), and
  its expiry or a stronger interruption is pending when the shield ends, unless the task
  took or set one itself meanwhile;
* what is pending when the outermost block ends, an explicit cancellation or the expiry of
  a timeout block still open, is what the next blocking call raises; a timeout whose block
  ends first (inside the shield, or right after it) is dropped with it, and the harness
  reports a deadline that fires after its block was left;
* what is pending, as ``check_cancellation()``, ``set_cancellation()`` and the kernel
  show it, is what the model says: the first cancellation delivered (a later one or a
  timeout never replaces it), a timeout only of a block still open, nothing nobody sent;
  ``check_cancellation(exc)`` takes exactly a pending one of that type.

At the end every task is cancelled (with the kernel's cancellation trap, so that a task that
took its cancellation ends too) and the primitives must be idle: no waiter left in any of
them, the locks free, every item handed to a getter received.

A second scenario runs task groups (``wait=all``, ``any``, ``object``, ``None``) whose
members shield parts of their work, and whose parents shield parts of the group's block,
or the whole group: the members never outlive the group.  Two smaller scenarios pin
down one rule each: a task that took its cancellation can be cancelled again, and
``check_cancellation(exc)`` returns an exception of type *exc*.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from curio_kernel import (
    CancelledError,
    Task,
    TaskCancelled,
    TaskError,
    TaskGroup,
    TaskTimeout,
    check_cancellation,
    current_task,
    disable_cancellation,
    ignore_after,
    set_cancellation,
    sleep,
)
from curio_kernel._timers import Scope
from curio_sync import Condition, Event, Lock, Queue
from curio_traps import TimeoutCancellationError, cancel_and_wait, is_timeout

T = TypeVar("T")

#: The kinds of explicit cancellation the cancellers send.
_KINDS: Final = (CancelledError, TaskCancelled)
#: The types a task passes to ``check_cancellation()`` to take what is pending.
_TAKES: Final = (TaskCancelled, CancelledError, TaskTimeout)
#: The sleeps of the waits, in seconds (shorter than most timeout blocks).
_NAPS: Final = (0.0001, 0.0003)


class _Boom(Exception):
    """The failure of a member, or of a group's block."""


def _same(raised: BaseException, pending: BaseException) -> bool:
    """Is *raised* the delivery of *pending* (a timeout is renamed for its enclosing blocks)?"""
    if raised is pending:
        return True
    return (
        is_timeout(raised)
        and is_timeout(pending)
        and bool(raised.args)
        and bool(pending.args)
        and raised.args[0] is pending.args[0]
    )


class _World:
    """The primitives the tasks of a round share, and the feeder that keeps them moving."""

    def __init__(self, r: Any) -> None:
        self.r = r
        self.pulse = Event()
        self.pulses = 0
        self.lock = Lock()
        self.queue: Queue[int] = Queue()
        self.handed = 0
        self.got = 0
        self.cond = Condition()
        #: Nobody sets it: only an interruption ends a wait on it.
        self.never = Event()
        self.stop = False
        #: Set when the round cancels everything: the tasks stop checking then.
        self.sweeping = False

    async def feed(self) -> None:
        """Until told to stop: pulse the event, hand items to getters, notify the condition.

        Never blocks but on ``sleep(0)``: it takes the condition's lock only when free.
        """
        rng = self.r.fork()
        while not self.stop:
            for _ in range(rng.randint(1, 3)):
                await sleep(0)
            self.pulses += 1
            await self.pulse.set()
            self.pulse.clear()
            if self.queue._getters:
                self.handed += 1
                await self.queue.put(self.handed)
            if self.cond._waiting and not self.cond.locked():
                async with self.cond:
                    await self.cond.notify_all()

    def check_idle(self) -> None:
        """Once every task has ended: nothing waits anywhere, nothing is held, nothing lost."""
        r = self.r
        r.check(not self.pulse._waiting, f"tasks still queued on the event: {self.pulse!r}")
        r.check(not self.never._waiting, f"tasks still queued on an event: {self.never!r}")
        r.check(
            not self.lock.locked() and not self.lock._waiting,
            f"the lock is not free and idle: {self.lock!r}",
        )
        r.check(
            not self.queue._getters and not self.queue._putters and self.queue.empty(),
            f"the queue is not idle: {self.queue!r}",
        )
        r.check(
            self.got == self.handed,
            f"{self.handed} items handed to getters, {self.got} received",
        )
        r.check(
            not self.cond.locked() and not self.cond._waiting,
            f"the condition is not free and idle: {self.cond!r}",
        )


class _Actor:
    """One task's random program of shields, waits and timeout blocks, and its checks.

    With *track*, the model of the explicit cancellations sent to the task is kept (its
    cancellers must record them in :attr:`live`); without it (task group members, whose
    group cancels them, and parents) only what needs no model is checked.
    """

    def __init__(self, r: Any, world: _World, rng: random.Random, name: str, *, track: bool):
        self.r = r
        self.world = world
        self.rng = rng
        self.name = name
        self.track = track
        self.task: Task[Any] | None = None
        #: The explicit cancellations delivered (or set by the task itself) and not yet
        #: raised or taken: the first is the one pending, the others were merged into it.
        self.live: list[BaseException] = []
        #: How many shields are open.
        self.depth = 0
        #: Whether the task holds the lock or the condition's (it takes no other then).
        self.holding = False
        #: Whether it took (or cleared, or replaced) a pending cancellation itself.
        self.took = False
        #: Whether it did so in its current outermost shield.
        self.meddled = False
        #: ``time.monotonic()`` before the latest blocking call made in a shield.
        self.shielded_call_at = 0.0

    def fail(self, what: str) -> None:
        self.r.fail(f"{self.name}: {what}")

    def check(self, ok: object, what: str) -> None:
        if not ok:
            self.fail(what)

    @property
    def me(self) -> Task[Any]:
        assert self.task is not None
        return self.task

    # -- the rules

    def consistent(self, where: str) -> None:
        """What the kernel holds pending for the task is what the model says."""
        if self.world.sweeping:
            return
        pending = self.me._cancel_pending
        if self.track:
            if self.live:
                self.check(
                    pending is self.live[0],
                    f"{where}: {pending!r} pending, not {self.live[0]!r}, the first "
                    f"cancellation delivered (delivered: {self.live!r})",
                )
                return
            if pending is not None and not is_timeout(pending):
                self.fail(f"{where}: {pending!r} pending, which nobody sent")
                return
        if pending is not None and is_timeout(pending):
            deadline = pending.args[0] if pending.args else None
            self.check(
                any(deadline is d for d in self.r.open_deadlines(self.me)),
                f"{where}: {pending!r} pending, the expiry of a timeout block that has ended",
            )

    async def call(
        self,
        what: str,
        op: Callable[[], Awaitable[T]],
        *,
        blocks: bool = True,
        held: BaseException | None = None,
    ) -> T:
        """``await op()``, a call that *blocks* (reaches a blocking trap), under the rules.

        *held* is what was pending when the outermost shield ended just before: this is
        the first blocking call after it, which must raise it.
        """
        self.consistent(f"before {what}")
        live = list(self.live)
        shielded = self.depth > 0
        if shielded and blocks:
            self.shielded_call_at = time.monotonic()
        try:
            result = await op()
        except CancelledError as exc:
            self.interrupted(what, exc, shielded=shielded, held=held)
            raise
        if blocks and not self.world.sweeping:
            if held is not None:
                self.fail(
                    f"{held!r} was pending when its outermost disable_cancellation() ended, "
                    f"but {what}, the next blocking call, completed"
                )
            elif live and not shielded:
                self.fail(
                    f"{what} completed outside every shield though {live[0]!r} had been "
                    "delivered before it (a cancellation lost)"
                )
        return result

    def interrupted(
        self, what: str, exc: BaseException, *, shielded: bool, held: BaseException | None
    ) -> None:
        if self.world.sweeping:
            return
        if shielded:
            self.fail(f"{exc!r} interrupted {what} inside disable_cancellation()")
        if held is not None and not _same(exc, held):
            self.fail(
                f"{what}, the first blocking call after the outermost shield, raised {exc!r}, "
                f"not {held!r}, which was pending"
            )
        if is_timeout(exc):
            return
        if self.track and not any(exc is sent for sent in self.live):
            self.fail(f"{what} raised {exc!r}, which nobody sent (sent: {self.live!r})")
        # Delivered: it and those before it are spent.  One sent after it (while the task
        # was already woken with it) is pending now, and still to come.
        for index, sent in enumerate(self.live):
            if sent is exc:
                del self.live[: index + 1]
                break
        else:
            self.live.clear()

    # -- shields

    async def shield(self, body: Callable[[], Awaitable[None]], *, after: bool) -> None:
        """Run *body* shielded, in one of the three forms; the block may be nested.

        When the outermost block ends, the pending cancellation is checked against the
        model, and with *after* the next blocking call comes at once and must raise it.
        """
        rng = self.rng
        outermost = self.depth == 0
        form = rng.choice(("block", "block", "corofunc", "coroutine"))
        # The kernel's view of the timeout blocks open around the shield, not yet spent
        # by an interruption: each whose deadline passes in the shield must expire.
        around = [s for s in self.me._scopes or () if not s.spent] if outermost else []
        if outermost:
            self.meddled = False
            self.shielded_call_at = 0.0
        self.depth += 1
        try:
            if form == "block":
                async with disable_cancellation():
                    self.check_disabled(f"inside disable_cancellation() ({form})")
                    await body()
            elif form == "corofunc":
                token = await disable_cancellation(self._shielded, body)
                self.check(token is self, f"disable_cancellation(corofunc) returned {token!r}")
            else:
                token = await disable_cancellation(self._shielded(body))
                self.check(token is self, f"disable_cancellation(coro) returned {token!r}")
        finally:
            self.depth -= 1
        if not outermost:
            self.check_disabled("after an inner disable_cancellation() ended")
            return
        self.check(
            self.me._allow_cancel,
            "cancellation still disabled after the outermost disable_cancellation() ended",
        )
        pending = self.me._cancel_pending
        self.consistent("when its outermost disable_cancellation() ended")
        self.expired_around(around, pending)
        if after:
            await self.first_call_after(pending)

    def expired_around(self, around: list[Scope], pending: BaseException | None) -> None:
        """A block open around the shield whose deadline had passed before a blocking call
        in it returned expired meanwhile (the kernel expires timers before resuming a
        task); its expiry, or a stronger interruption, is pending now, unless the task
        took or set one itself in the shield."""
        if self.world.sweeping:
            return
        due = [
            scope
            for scope in around
            if scope.open and scope.deadline is not None and scope.deadline <= self.shielded_call_at
        ]
        for scope in due:
            self.check(
                scope.spent,
                f"the deadline of {scope!r}, open around a shield, passed before a blocking "
                "call in it returned, but the block did not expire",
            )
        if due and not self.meddled:
            self.check(
                pending is not None,
                f"{due[0]!r} expired during a shield, but nothing is pending when it ends "
                "(an expiry lost)",
            )

    async def _shielded(self, body: Callable[[], Awaitable[None]]) -> _Actor:
        self.check_disabled("inside disable_cancellation(corofunc)")
        await body()
        return self

    def check_disabled(self, where: str) -> None:
        self.check(not self.me._allow_cancel, f"{where}: cancellation is enabled")

    async def first_call_after(self, pending: BaseException | None) -> None:
        """The blocking call right after the outermost shield: it must raise *pending*."""
        rng, world = self.rng, self.world
        how = rng.choice(("sleep", "nap", "pulse", "fresh"))
        if how == "pulse" and not world.pulse.is_set():
            await self.call("Event.wait()", world.pulse.wait, held=pending)
        elif how == "nap":
            await self.call("sleep(0.0001)", lambda: sleep(0.0001), held=pending)
        elif how == "fresh":
            # A timeout block opened before that call: a pending expiry of an enclosing
            # block passes through it (as TimeoutCancellationError) to its own block.
            await self.r.guarded(
                rng,
                lambda: self.call(
                    "sleep(0) in a new timeout block", lambda: sleep(0), held=pending
                ),
                depth=rng.randint(1, 2),
            )
        else:
            await self.call("sleep(0)", lambda: sleep(0), held=pending)

    # -- looking at and changing what is pending

    async def look(self) -> None:
        """``check_cancellation()``: inside a shield it shows what is pending and keeps it;
        outside, it is a cancellation point that raises it."""
        if self.depth == 0:
            got = await self.call("check_cancellation()", check_cancellation)
            self.check(got is None, f"check_cancellation() outside a shield returned {got!r}")
            return
        pending = self.me._cancel_pending
        self.consistent("at check_cancellation()")
        got = await check_cancellation()
        # A pending expiry is shown as it would be raised now (named for the blocks open).
        self.check(
            got is pending if pending is None else got is not None and _same(got, pending),
            f"check_cancellation() returned {got!r}, not {pending!r}",
        )
        self.check(
            self.me._cancel_pending is pending,
            f"check_cancellation() took {pending!r}: it is no longer pending",
        )

    async def take(self) -> None:
        """``check_cancellation(exc)`` inside a shield: takes a pending one of that type."""
        kind = self.rng.choice(_TAKES)
        pending = self.me._cancel_pending
        self.consistent(f"at check_cancellation({kind.__name__})")
        got = await check_cancellation(kind)
        what = f"check_cancellation({kind.__name__}) with {pending!r} pending"
        if pending is not None and is_timeout(pending) and kind is TaskTimeout:
            # An expiry is TaskTimeout, or TimeoutCancellationError while blocks are open
            # inside its own: whether it matches is the business of
            # test_check_cancellation_of_a_type_returns_an_exception_of_that_type.
            taken = got is not None
        else:
            taken = pending is not None and isinstance(pending, kind)
        if not taken:
            self.check(got is None, f"{what} returned {got!r}")
            self.check(self.me._cancel_pending is pending, f"{what} changed what is pending")
            return
        self.check(self.me._cancel_pending is None, f"{what} left it pending")
        if pending is not None and is_timeout(pending):
            self.check(got is not None and _same(got, pending), f"{what} returned {got!r}, not it")
        else:
            self.check(got is pending, f"{what} returned {got!r}, not it")
            self.live.clear()
        self.took = self.meddled = True

    async def set_pending(self) -> None:
        """``set_cancellation()``: a cancellation of the task's own, or none (clears)."""
        choice = self.rng.choice(("clear", "clear", "TaskCancelled", "CancelledError"))
        new: BaseException | None = None
        if choice == "TaskCancelled":
            new = TaskCancelled(f"{self.name} cancels itself")
        elif choice == "CancelledError":
            new = CancelledError(f"{self.name} cancels itself")
        pending = self.me._cancel_pending
        self.consistent("at set_cancellation()")
        previous = await set_cancellation(new)
        self.check(
            previous is pending, f"set_cancellation() returned {previous!r}, not {pending!r}"
        )
        self.check(
            self.me._cancel_pending is new,
            f"set_cancellation({new!r}) left {self.me._cancel_pending!r} pending",
        )
        self.live = [] if new is None else [new]
        self.meddled = True
        if pending is not None:
            self.took = True

    # -- waits (finite: the feeder ends each, shielded or not)

    async def steps(self, most: int) -> None:
        for _ in range(self.rng.randint(0, most)):
            await self.call("sleep(0)", lambda: sleep(0))

    async def wait_pulse(self) -> None:
        world = self.world
        before = world.pulses
        blocks = not world.pulse.is_set()
        await self.call("Event.wait()", world.pulse.wait, blocks=blocks)
        self.check(not blocks or world.pulses > before, "Event.wait() returned with no set()")

    async def nap(self) -> None:
        seconds = self.rng.choice(_NAPS)
        start = time.monotonic()
        await self.call(f"sleep({seconds})", lambda: sleep(seconds))
        self.check(time.monotonic() - start >= seconds * 0.99, f"sleep({seconds}) returned early")

    async def get(self) -> None:
        world = self.world
        item = await self.call("Queue.get()", world.queue.get, blocks=world.queue.empty())
        world.got += 1
        self.check(item > 0, f"Queue.get() returned {item!r}")

    async def with_lock(self) -> None:
        lock = self.world.lock
        await self.call("Lock.acquire()", lock.acquire, blocks=lock.locked())
        self.holding = True
        try:
            self.check(
                lock._owner is self.me, f"Lock.acquire() returned without the lock: {lock!r}"
            )
            inner = self.rng.choice(("steps", "pulse", "nap", "shield"))
            if inner == "steps":
                await self.steps(3)
            elif inner == "pulse":
                await self.wait_pulse()
            elif inner == "nap":
                await self.nap()
            else:
                await self.shield(self.wait_pulse, after=False)
        finally:
            self.holding = False
            await lock.release()

    async def cond_wait(self) -> None:
        cond = self.world.cond
        await self.call("Condition.acquire()", cond.acquire, blocks=cond.locked())
        self.holding = True
        try:
            try:
                await self.call("Condition.wait()", cond.wait)
            finally:
                self.check(
                    cond._lock._owner is self.me,
                    f"Condition.wait() ended without the lock held again: {cond._lock!r}",
                )
        finally:
            self.holding = False
            await cond.release()

    async def wait_some(self) -> None:
        """One finite wait, on a primitive or a sleep."""
        what = self.rng.choice(("pulse", "pulse", "lock", "queue", "cond", "nap", "steps"))
        if what in ("lock", "cond") and self.holding:
            what = "pulse"
        if what == "pulse":
            await self.wait_pulse()
        elif what == "lock":
            await self.with_lock()
        elif what == "queue":
            await self.get()
        elif what == "cond":
            await self.cond_wait()
        elif what == "nap":
            await self.nap()
        else:
            await self.steps(4)

    async def bounded(self) -> None:
        """A wait only an interruption ends, inside timeout blocks (never in a shield)."""
        await self.r.guarded(
            self.rng,
            lambda: self.call("a wait only an interruption ends", self.world.never.wait),
            depth=self.rng.randint(1, 2),
        )

    # -- programs

    async def shielded_body(self, level: int) -> None:
        """What runs in a shield: waits, nested shields, timeout blocks, looks and takes."""
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            action = rng.choice(
                ("wait", "wait", "wait", "nest", "timeout", "look", "take", "set", "steps")
            )
            if action == "nest" and level >= 3:
                action = "wait"
            if action == "wait":
                await self.wait_some()
            elif action == "nest":
                await self.shield(lambda: self.shielded_body(level + 1), after=False)
            elif action == "timeout":
                # Its deadline passes in the shield and never interrupts it; the expiry is
                # dropped when the block ends.
                body = (
                    self.wait_some
                    if level >= 3 or rng.random() < 0.6
                    else lambda: self.shield(lambda: self.shielded_body(level + 1), after=False)
                )
                await self.r.guarded(rng, body, depth=rng.randint(1, 2))
            elif action == "look":
                await self.look()
            elif action == "take":
                await self.take()
            elif action == "set":
                await self.set_pending()
            else:
                await self.steps(3)

    async def program(self, level: int) -> None:
        """What runs outside shields: shields, waits, timeout blocks (nested programs)."""
        rng = self.rng
        try:
            for _ in range(rng.randint(1, 3)):
                action = rng.choice(
                    ("shield",) * 3 + ("wait", "bounded", "nest", "look", "set", "steps")
                )
                if action == "shield":
                    await self.shield(lambda: self.shielded_body(1), after=rng.random() < 0.7)
                elif action == "wait":
                    await self.wait_some()
                elif action == "bounded":
                    await self.bounded()
                elif action == "nest" and level < 2:
                    await self.r.guarded(rng, lambda: self.program(level + 1))
                elif action == "look":
                    await self.look()
                elif action == "set" and rng.random() < 0.3:
                    await self.set_pending()  # outside a shield: the next call raises it
                else:
                    await self.steps(4)
        except CancelledError:
            if rng.random() < 0.5:
                await self.clean_up()
            raise

    async def clean_up(self) -> None:
        """Clean-up that blocks while an interruption unwinds the task, sometimes shielded."""
        if self.depth:
            return
        how = self.rng.choice(("steps", "shielded", "shielded", "bounded", "none"))
        if how == "steps":
            await self.steps(6)
        elif how == "shielded":
            await self.shield(self.wait_some, after=False)
        elif how == "bounded":
            await self.bounded()

    async def work(self) -> None:
        """A worker: one to three programs in random timeout blocks, then wait to be cancelled."""
        self.task = await current_task()
        self.check(self.me._allow_cancel, "a new task starts with cancellation disabled")
        for _ in range(self.rng.randint(1, 3)):
            await self.r.guarded(self.rng, lambda: self.program(0))
            await self.steps(3)
        self.r.parked.add(self.me.id)
        await self.call("the wait at the end of its work", self.world.never.wait)


async def _cancel_later(r: Any, rng: random.Random, target: _Actor) -> Task[None]:
    """A task that cancels *target* after a random number of steps, recording each
    cancellation ``Task.cancel()`` delivers in the target's model.

    Blocking or not, sometimes twice, sometimes inside timeout blocks of its own, sometimes
    shielded itself.
    """
    plan = rng.choice(("blocking", "blocking", "non-blocking", "twice", "both"))
    kind = rng.choice(_KINDS)
    task = target.me

    async def cancel(blocking: bool) -> bool:
        exc = kind(f"cancelled by a canceller of {target.name}")
        pending = task._cancel_pending
        if not task.terminated and (pending is None or is_timeout(pending)):
            target.live.append(exc)  # delivered now (an explicit one pending would stay)
        try:
            return await task.cancel(exc=exc, blocking=blocking)
        finally:
            r.check(
                task.terminated or not blocking,
                f"await {target.name}.cancel() ended with the task still running",
            )

    async def run() -> None:
        if plan in ("non-blocking", "both"):
            await cancel(False)
        if plan == "both":
            await r.steps(rng, 24)
        if plan in ("blocking", "twice", "both"):
            await cancel(True)
        if plan == "twice":
            again = await cancel(True)
            r.check(not again, f"{target.name} was cancelled again once it had ended")

    async def shielded_run() -> None:
        async with disable_cancellation():  # its own interruptions wait until it is done
            await run()

    async def body() -> None:
        await r.steps(rng, 24)
        await r.guarded(
            rng, run if rng.random() < 0.75 else shielded_run, depth=rng.choice((0, 0, 1, 2))
        )

    canceller: Task[None] = await r.spawn(f"cancel-{target.name}", body)
    return canceller


def test_shielded_waits_complete_and_what_arrived_meanwhile_is_raised_right_after(
    fuzz: Any,
) -> None:
    async def scenario(r: Any) -> None:
        world = _World(r)
        feeder = await r.spawn("feeder", world.feed)
        workers: list[_Actor] = []
        for k in range(r.rng.randint(1, 3)):
            actor = _Actor(r, world, r.fork(), f"worker-{k}", track=True)
            actor.task = await r.spawn(actor.name, actor.work)
            workers.append(actor)
        cancellers: list[Task[None]] = []
        for actor in workers:
            rng = r.fork()
            for _ in range(rng.choice((0, 1, 1, 2))):
                cancellers.append(await _cancel_later(r, rng, actor))
        tasks = [actor.me for actor in workers]
        await r.settle(tasks)
        # The kernel's trap, like the task groups: every task is cancelled before any wait.
        world.sweeping = True
        await cancel_and_wait(tasks + cancellers)
        world.stop = True
        await feeder.wait()
        for actor in workers:
            exc = actor.me.exception
            r.check(
                isinstance(exc, CancelledError) and not is_timeout(exc),
                f"{actor.name} ended with {exc!r}, not with a cancellation",
            )
        world.check_idle()

    fuzz.play(scenario)


def test_members_that_shield_never_outlive_their_group(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        world = _World(r)
        feeder = await r.spawn("feeder", world.feed)
        members: list[Task[Any]] = []

        async def member(rng: random.Random, kind: str) -> int | None:
            actor = _Actor(r, world, rng, "member", track=False)
            actor.task = await current_task()
            actor.name = f"member-{actor.me.id}"
            actor.check(actor.me._allow_cancel, "a new member starts with cancellation disabled")
            await sleep(0)  # adopted by its group before it can fail
            await actor.program(0)
            if kind == "fail":
                raise _Boom("a member failed")
            if kind == "wait" and not actor.took:
                await actor.call("a wait until cancelled", world.never.wait)
            return None if kind == "none" else 1

        member.__qualname__ = "member"  # the name of its tasks

        def ended(group: TaskGroup[int | None], what: str) -> None:
            alive = [t.name for t in group.tasks if not t.terminated]
            r.check(not alive, f"members still running after {what}: {alive}")

        async def parent(rng: random.Random, name: str) -> None:
            actor = _Actor(r, world, rng, name, track=False)
            actor.task = await current_task()
            policy = rng.choice((all, any, object, None))
            # The whole group inside a shield: then its members and actions are finite.
            whole = rng.random() < 0.3
            groups: list[TaskGroup[int | None]] = []
            kinds = ("return", "none", "fail") if whole else ("return", "none", "fail", "wait")

            async def shielded(group: TaskGroup[int | None]) -> None:
                for _ in range(rng.randint(1, 3)):
                    what = rng.choice(("wait", "spawn", "cancel_remaining", "next_done", "steps"))
                    if what == "wait":
                        await actor.wait_some()
                    elif what == "spawn":
                        members.append(await group.spawn(member(r.fork(), rng.choice(kinds))))
                    elif what == "cancel_remaining":
                        await group.cancel_remaining()
                        ended(group, "cancel_remaining() in a shield")
                    elif what == "next_done" and whole:
                        await group.next_done()
                    else:
                        await actor.steps(4)

            async def block() -> None:
                async with TaskGroup[int | None](wait=policy) as group:
                    groups.append(group)
                    for _ in range(rng.randint(0, 4)):
                        members.append(await group.spawn(member(r.fork(), rng.choice(kinds))))
                    action = rng.choice(
                        ("nothing", "steps", "next_done", "cancel_remaining", "wait", "raise")
                        + ("shielded",) * 3
                    )
                    if whole and action == "wait":
                        action = "steps"
                    try:
                        if action == "steps":
                            await actor.steps(8)
                        elif action == "next_done":
                            done = await group.next_done()
                            r.check(done is None or done.terminated, f"next_done() gave {done!r}")
                        elif action == "cancel_remaining":
                            try:
                                await group.cancel_remaining()
                            finally:
                                ended(group, "cancel_remaining()")
                        elif action == "wait":
                            await actor.bounded()
                        elif action == "raise":
                            await actor.steps(4)
                            raise _Boom("the block failed")
                        elif action == "shielded":
                            await actor.shield(lambda: shielded(group), after=rng.random() < 0.5)
                    except CancelledError:
                        await actor.clean_up()  # in the group's block, before __aexit__ waits
                        raise

            async def around() -> None:
                if whole:
                    await actor.shield(block, after=rng.random() < 0.5)
                else:
                    await block()

            try:
                await r.guarded(rng, around)
            except TaskError as exc:
                r.fail(f"wait={policy}: the group raised {exc!r}; it reports failures instead")
            except _Boom:
                pass
            finally:
                for group in groups:
                    ended(group, f"the block of a TaskGroup(wait={policy})")
            await r.park()

        parents: list[Task[None]] = []
        for k in range(r.rng.randint(1, 2)):
            rng, name = r.fork(), f"parent-{k}"
            parents.append(await r.spawn(name, lambda rng=rng, name=name: parent(rng, name)))
        cancellers: list[Task[None]] = []
        cancellers += await r.cancel_some(parents)
        rng = r.fork()
        for _ in range(rng.randint(0, 2)):
            await r.steps(rng, 6)
            if members:
                cancellers.append(await r.cancel_later(rng, rng.choice(members), most_steps=4))
        await r.settle(parents)
        world.sweeping = True
        await cancel_and_wait(parents + cancellers)
        world.stop = True
        await feeder.wait()
        for task in parents:
            exc = task.exception
            r.check(
                isinstance(exc, CancelledError) and not is_timeout(exc),
                f"{task.name} ended with {exc!r}, not with its cancellation",
            )
        alive = [t.name for t in members if not t.terminated]
        r.check(not alive, f"members still running at the end: {alive}")
        world.check_idle()

    fuzz.play(scenario)


def test_a_task_that_took_its_cancellation_can_be_cancelled_again(fuzz: Any) -> None:
    """``check_cancellation(exc)`` takes a pending cancellation ("the caller deals with
    it") and ``set_cancellation(None)`` clears it; the task goes on.  A later
    ``Task.cancel()`` must still cancel it: otherwise the request is lost, and
    ``await task.cancel()`` waits forever for a task nothing can stop."""

    async def scenario(r: Any) -> None:
        rng = r.fork()
        arrived, dealt_with = Event(), Event()
        how = rng.choice(("take", "take-any", "clear"))
        depth = rng.randint(1, 3)
        first = rng.choice(_KINDS)("the first cancellation")
        second = rng.choice(_KINDS)("the second cancellation")
        took = {
            "take": f"took {first!r} with check_cancellation({type(first).__name__})",
            "take-any": f"took {first!r} with check_cancellation(CancelledError)",
            "clear": f"cleared {first!r} with set_cancellation(None)",
        }[how]

        async def shielded(level: int) -> None:
            async with disable_cancellation():
                if level < depth:
                    await shielded(level + 1)
                    return
                await arrived.wait()  # the first cancellation is pending by then
                if how == "clear":
                    got = await set_cancellation(None)
                else:
                    got = await check_cancellation(type(first) if how == "take" else CancelledError)
                r.check(got is first, f"{how}: got {got!r}, not the pending {first!r}")

        async def target() -> None:
            await shielded(1)
            await dealt_with.set()
            for _ in range(rng.randint(0, 4)):
                await sleep(0)
            await Event().wait()  # until cancelled again

        task = await r.spawn("target", target)
        await r.steps(rng, 4)
        await task.cancel(exc=first, blocking=False)
        await arrived.set()
        for _ in range(100):
            if dealt_with.is_set() or task.terminated:
                break
            await sleep(0)
        await r.steps(rng, 4)
        returned = await task.cancel(exc=second, blocking=False)
        for _ in range(50):
            if task.terminated:
                break
            await sleep(0)
        r.check(
            task.terminated and task.exception is second,
            f"in a shield {depth} deep, the task {took} and went on; then "
            f"Task.cancel(exc={second!r}) returned {returned!r} but the task is still "
            f"{task.state} (task.cancelled={task.cancelled}, pending "
            f"{task._cancel_pending!r}): the second cancellation is lost, and "
            "`await task.cancel()` would wait forever",
        )
        if not task.terminated:
            await cancel_and_wait([task])  # the kernel's trap still reaches it

    fuzz.play(scenario, cost=4)


def test_check_cancellation_of_a_type_returns_an_exception_of_that_type(fuzz: Any) -> None:
    """``check_cancellation(exc)`` returns "the pending cancellation of type *exc*".

    Inside a shield in nested timeout blocks, an expiry that waits there is raised after
    the shield as ``TaskTimeout`` if its block is the innermost open one, else as
    ``TimeoutCancellationError``.  Asked for either type, ``check_cancellation`` must
    return an exception of that type, and find the pending expiry under the type it is
    raised as.
    """

    async def scenario(r: Any) -> None:
        rng = r.fork()
        count = rng.randint(1, 3)
        short = [rng.random() < 0.6 for _ in range(count)]
        if not any(short):
            short[rng.randrange(count)] = True
        outside = rng.randint(0, count)  # how many of the blocks enclose the shield
        kind = rng.choice((TaskTimeout, TimeoutCancellationError))

        async def inner() -> None:
            await sleep(0.003)  # every short deadline passes: the outermost is pending
            me = await current_task()
            pending = me._cancel_pending
            if pending is None or not is_timeout(pending):
                r.fail(f"no expiry pending after the short deadlines passed: {pending!r}")
                return
            raised_as = (
                TaskTimeout
                if me._scopes and me._scopes[-1].deadline is pending.args[0]
                else TimeoutCancellationError
            )
            got = await check_cancellation(kind)
            where = (
                f"{count} blocks ({''.join('s' if s else 'l' for s in short)}, short/long), "
                f"{outside} of them around the shield: the pending expiry would be raised as "
                f"{raised_as.__name__}"
            )
            r.check(
                got is None or isinstance(got, kind),
                f"{where}; check_cancellation({kind.__name__}) returned {got!r}, "
                f"not a {kind.__name__}",
            )
            r.check(
                got is not None or raised_as is not kind,
                f"{where}; check_cancellation({kind.__name__}) returned None",
            )

        async def nest(level: int) -> None:
            if level == outside:
                async with disable_cancellation():
                    await nest_inside(level)
                return
            async with ignore_after(0.0005 if short[level] else 10.0):
                await nest(level + 1)

        async def nest_inside(level: int) -> None:
            if level == count:
                await inner()
                return
            async with ignore_after(0.0005 if short[level] else 10.0):
                await nest_inside(level + 1)

        await nest(0)
        await sleep(0)  # whatever was left pending is raised and caught by now

    fuzz.play(scenario, cost=8)
