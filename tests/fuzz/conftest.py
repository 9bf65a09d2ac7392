"""The harness of the randomized cancellation suite.

Every test of this folder plays rounds of one scenario.  A round is a fresh kernel running
a few tasks whose every decision comes from ``random.Random(seed)``: which blocking calls
they make, which timeout blocks (``timeout_after``/``ignore_after``, 0 to 3 deep, of 0 to
3 ms) they wrap around them, and after how many scheduling steps (``await sleep(0)``
loops, which are deterministic) other tasks cancel them, once or twice, blocking or not.
The timeouts are real time, on purpose: a deadline must also be able to pass while a task
computes, while a thread or a socket answers, or between two steps, which a virtual clock
never lets happen.  So a round whose tasks race a deadline is reproducible in what it
tries, not always in which way each race ends.

The promise under test: cancellations and timeouts can arrive at every blocking call, more
than once, and while a task is already cleaning up; every wait either completes or is
cleanly undone, no cancellation is lost, nothing leaks.  So each round checks

* what its scenario asserts (a lock not held, queue items accounted for, ...);
* the timeout blocks: each catches its own ``TaskTimeout`` and nothing else, an expiry
  passing through an inner block leaves it not ``expired``, and a deadline fires at most
  once, never after its block was left;
* the cancellations: ``await task.cancel()`` never ends before the task has, and a task
  cancelled before the end of its work never carries on to that end (tasks wait there,
  "parked", to be cancelled).  A lost cancellation leaves its canceller waiting, which
  the round's two watchdogs (a ``timeout_after`` around the scenario, then a thread that
  stops the kernel) report as a hang instead of hanging the run;
* after the kernel returns: no task left in it, nothing still registered with it, the
  kernel closing cleanly; then no descriptor, thread, warning or error log left behind.

``CURIO_FUZZ_ROUNDS`` (default :data:`DEFAULT_ROUNDS`) is how many rounds a test plays,
``CURIO_FUZZ_SEED`` (default :data:`DEFAULT_SEED`) the seed of the first; round *k* plays
seed + *k*.  A failure names each failing seed and the command that replays it alone.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import random
import threading
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from curio_kernel import (
    CancelledError,
    IgnoreAfter,
    Kernel,
    Task,
    TaskCancelled,
    TaskTimeout,
    TimeoutAfter,
    current_task,
    ignore_after,
    sleep,
    spawn,
    timeout_after,
)
from curio_sync import Event
from curio_traps import TimeoutBlock, is_timeout

HERE: Final = Path(__file__).resolve().parent

#: Rounds a test plays unless ``CURIO_FUZZ_ROUNDS`` says otherwise: enough to cover every
#: kind of step of each scenario, few enough for the folder to take seconds.
DEFAULT_ROUNDS: Final = 30
#: The seed of the first round unless ``CURIO_FUZZ_SEED`` says otherwise (fixed, so a
#: normal run is reproducible).
DEFAULT_SEED: Final = 20261201

#: Durations of the timeout blocks under test, in seconds.
DURATIONS: Final = (0.0, 0.0001, 0.0005, 0.001, 0.003)
#: A round that has not finished after this many seconds is reported as a hang...
SOFT_LIMIT: Final = 3.0
#: ...and if its kernel is still stuck this much later (a task waiting through every
#: interruption for a task that never ends), a thread stops the kernel.
HARD_LIMIT: Final = SOFT_LIMIT + 3.0
#: Closing a kernel whose tasks would not end is given up after this many seconds.
CLOSE_LIMIT: Final = 2.0
#: A test gives up after this many failing rounds (a hang ends it at once).
MAX_FAILURES: Final = 3


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


ROUNDS: Final = _env_int("CURIO_FUZZ_ROUNDS", DEFAULT_ROUNDS)
SEED: Final = _env_int("CURIO_FUZZ_SEED", DEFAULT_SEED)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Bound every test of this folder by time, in proportion to the rounds it plays.

    Each round is bounded by its own watchdogs; this bound is the last resort.
    """
    bound = 60.0 + ROUNDS * 0.25
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.timeout(bound))


# ---------------------------------------------------------------------- leaks


def _descriptors() -> set[int]:
    return {
        int(name)
        for name in os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd")
    }


def _describe_fds(fds: set[int]) -> str:
    parts = []
    for fd in sorted(fds):
        try:
            parts.append(f"{fd} -> {os.readlink(f'/proc/self/fd/{fd}')}")
        except OSError:
            parts.append(str(fd))
    return ", ".join(parts)


def children() -> list[int]:
    """The process ids whose parent is this process, zombies included (Linux; else empty)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                helper = b"multiprocessing" in cmdline.read()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[1]) == me and not helper:
            found.append(int(entry))
    return found


@pytest.fixture(autouse=True, scope="module")
def _nothing_leaks_from_the_module() -> Iterator[None]:
    """No descriptor, thread or child process outlives a module of this folder."""
    fds, threads, kids = _descriptors(), threading.active_count(), set(children())
    yield
    gc.collect()
    leaked = _descriptors() - fds
    assert not leaked, f"descriptors left open by the module: {_describe_fds(leaked)}"
    assert threading.active_count() == threads, f"threads left: {threading.enumerate()}"
    assert set(children()) <= kids, f"child processes left: {set(children()) - kids}"


class _ErrorLog(logging.Handler):
    """Collects what is logged at ERROR or above while a round runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({record.exc_info[1]!r})"
        self.records.append(text)


# ---------------------------------------------------------------------- a round


class Round:
    """One round: its random decisions, its tasks, and what it found wrong.

    Scenario code reports a broken promise with :meth:`check` or :meth:`fail` rather than
    by raising inside a task, where the exception would only end that task.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.violations: list[str] = []
        self.tasks: list[Task[Any]] = []
        self.hung = False
        #: The ids of the tasks waiting in :meth:`park`.
        self.parked: set[int] = set()
        #: The cancellations asked for by :meth:`cancel_later`, by the id of their target.
        self._requested: dict[int, list[BaseException]] = {}
        #: The timeout blocks each task (by id) has open, through :meth:`guarded`.
        self._open: dict[int, list[TimeoutBlock]] = {}
        #: The expiries seen so far of each block (by id), as raised by the kernel.
        self._fired: dict[int, tuple[TimeoutBlock, list[BaseException]]] = {}

    # -- reporting

    def fail(self, what: str) -> None:
        self.violations.append(what)

    def check(self, ok: object, what: str) -> None:
        if not ok:
            self.fail(what)

    # -- randomness

    def fork(self) -> random.Random:
        """A generator of its own for a new task, so that its choices do not depend on the
        order in which the tasks happen to run."""
        return random.Random(self.rng.getrandbits(64))

    @staticmethod
    async def steps(rng: random.Random, most: int = 6) -> None:
        """Up to *most* scheduling steps: a blocking call each, where interruptions land."""
        for _ in range(rng.randint(0, most)):
            await sleep(0)

    # -- timeout blocks

    async def guarded(
        self,
        rng: random.Random,
        body: Callable[[], Awaitable[object]],
        depth: int | None = None,
    ) -> bool:
        """Run ``body()`` inside *depth* (random: 0 to 3) nested random timeout blocks.

        Each level catches its own expiry and only that, and checks on the way what the
        blocks promise.  Returns whether the body ran to its end.
        """
        if depth is None:
            depth = rng.choice((0, 1, 1, 2, 2, 3))
        if depth == 0:
            await body()
            return True
        seconds = rng.choice(DURATIONS)
        quiet = rng.random() < 0.5
        block: TimeoutAfter | IgnoreAfter[None] = (
            ignore_after(seconds) if quiet else timeout_after(seconds)
        )
        kind = f"{'ignore_after' if quiet else 'timeout_after'}({seconds})"
        me = await current_task()
        stack = self._open.setdefault(me.id, [])
        done = False
        try:
            async with block:
                stack.append(block)
                try:
                    done = await self.guarded(rng, body, depth - 1)
                except BaseException as exc:
                    self._check_in_flight(me, exc, stack)
                    raise
                finally:
                    stack.pop()
        except TaskTimeout as exc:
            # The only TaskTimeout that may leave a block is the block's own expiry.
            if not (block.expired and exc.args and exc.args[0] is block._deadline):
                self.fail(f"task {me.name}: {kind} let out a TaskTimeout not its own: {exc!r}")
                raise
            return False
        except BaseException:
            self.check(
                not block.expired,
                f"task {me.name}: {kind} counts as expired but let another exception out",
            )
            raise
        return done and not block.expired

    def _check_in_flight(
        self, me: Task[Any], exc: BaseException, stack: list[TimeoutBlock]
    ) -> None:
        """A timeout on its way out must belong to a block still open, and be its first."""
        if not is_timeout(exc):
            return
        deadline = exc.args[0] if exc.args else None
        block = next((b for b in stack if deadline is b._deadline), None)
        if block is None:
            self.fail(
                f"task {me.name}: {exc!r} raised, but its timeout block is not open "
                "(fired after the block was left)"
            )
            return
        # The kernel raises one exception per expiry; the block that owns a deadline
        # turns the TimeoutCancellationError of it into a TaskTimeout caused by it.
        cause = exc.__cause__
        if isinstance(exc, TaskTimeout) and cause is not None and is_timeout(cause):
            return
        _, fired = self._fired.setdefault(id(block), (block, []))
        if not any(exc is other for other in fired):
            fired.append(exc)
            self.check(
                len(fired) == 1,
                f"task {me.name}: the deadline of a block fired twice: {fired!r}",
            )

    async def clean_up(self, rng: random.Random) -> None:
        """Clean-up that blocks, as a task does while a cancellation or timeout unwinds it:
        scheduling steps, or a wait that only fresh timeout blocks of its own end.

        Inside blocks that were open when the interruption came, their deadlines must not
        fire now (they would replace the interruption); the fresh ones fire as usual.
        """
        how = rng.choice(("steps", "bounded", "none"))
        if how == "steps":
            await self.steps(rng, 8)
        elif how == "bounded":
            await self.guarded(rng, Event().wait, depth=rng.randint(1, 2))

    def open_deadlines(self, task: Task[Any]) -> list[float | None]:
        """The deadlines of the blocks *task* has open through :meth:`guarded`."""
        return [block._deadline for block in self._open.get(task.id, ())]

    # -- tasks

    async def spawn(self, name: str, body: Callable[[], Awaitable[object]]) -> Task[None]:
        """Start a task of the round; what it raises besides a cancellation is a violation."""

        async def run() -> None:
            try:
                await body()
            except CancelledError as exc:
                if is_timeout(exc):
                    self.fail(f"task {name}: {exc!r} escaped every timeout block")
                    return
                raise
            except Exception as exc:
                self.fail(f"task {name} failed: {''.join(traceback.format_exception(exc))}")

        run.__qualname__ = name
        task = await spawn(run())
        self.tasks.append(task)
        return task

    async def park(self) -> None:
        """Wait until cancelled, at the end of a task's work.

        A task whose cancellation was lost stays here: its blocking canceller waits (the
        round reports a hang), and a cancellation asked for before it parked must be the
        one that ends the wait, at once.
        """
        me = await current_task()
        before = list(self._requested.get(me.id, ()))
        self.parked.add(me.id)
        try:
            await Event().wait()
        except CancelledError as exc:
            if before and not any(exc is asked for asked in before):
                self.fail(
                    f"{me.name} went on after it was cancelled ({before!r}): it reached the "
                    f"end of its work and waited there until {exc!r}"
                )
            raise

    async def settle(
        self,
        tasks: list[Task[Any]],
        *,
        most: int = 3000,
        poke: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """Let the others run (scheduling steps) until each of *tasks* has parked or ended.

        Gives up quietly after *most* steps; *poke*, if given, runs every hundred steps (to
        wake tasks that wait for something only the caller gives).
        """
        for step in range(most):
            if all(task.terminated or task.id in self.parked for task in tasks):
                return
            if poke is not None and step % 100 == 99:
                await poke()
            await sleep(0)

    async def cancel(
        self,
        target: Task[Any],
        *,
        blocking: bool = True,
        kind: type[CancelledError] = CancelledError,
    ) -> bool:
        """``target.cancel()``, with an exception of its own that :meth:`park` recognises.

        A blocking one must not end, however it ends, before *target* has.
        """
        exc = kind(f"cancelled by a canceller of {target.name}")
        self._requested.setdefault(target.id, []).append(exc)
        try:
            return await target.cancel(exc=exc, blocking=blocking)
        finally:
            self.check(
                target.terminated or not blocking,
                f"await {target.name}.cancel() ended with the task still running",
            )

    async def cancel_some(self, tasks: Iterable[Any]) -> list[Task[None]]:
        """Zero, one or two cancellers (:meth:`cancel_later`) for each of *tasks*; the cancellers.

        Two cancellers cancel a task twice, the second maybe while it cleans up.
        """
        cancellers = []
        for task in tasks:
            rng = self.fork()
            for _ in range(rng.choice((0, 1, 1, 2))):
                cancellers.append(await self.cancel_later(rng, task))
        return cancellers

    async def cancel_later(
        self, rng: random.Random, target: Task[Any], *, most_steps: int = 24
    ) -> Task[None]:
        """A task that cancels *target* (:meth:`cancel`) after a random number of steps.

        Blocking or not, sometimes twice, sometimes inside timeout blocks of its own.
        """
        plan = rng.choice(("blocking", "blocking", "non-blocking", "twice", "both"))
        kind = rng.choice((CancelledError, TaskCancelled))

        async def cancel() -> None:
            if plan in ("non-blocking", "both"):
                await self.cancel(target, blocking=False, kind=kind)
            if plan == "both":
                await self.steps(rng, most_steps)  # the next one lands during clean-up, or not
            if plan in ("blocking", "twice", "both"):
                await self.cancel(target, kind=kind)
            if plan == "twice":
                again = await self.cancel(target, kind=kind)
                self.check(not again, f"{target.name} was cancelled again once it had ended")

        async def body() -> None:
            await self.steps(rng, most_steps)
            await self.guarded(rng, cancel, depth=rng.choice((0, 0, 1, 2)))

        return await self.spawn(f"cancel-{target.name}", body)

    async def sweep(self) -> None:
        """Cancel every task of the round still running; each must end."""
        for task in list(self.tasks):
            await task.cancel()
            self.check(task.terminated, f"{task.name} still running after await cancel()")


def _describe(tasks: list[Task[Any]]) -> str:
    lines = []
    for task in tasks:
        where = " <- ".join(
            f"{frame.function}:{frame.lineno}" for frame in reversed(task.stack()[-4:])
        )
        lines.append(f"    task {task.id} {task.name} {task.state} at {where}")
    return "\n".join(lines)


def _kernel_state(kernel: Kernel) -> list[str]:
    """What a kernel whose tasks have all ended must not still hold (its private state)."""
    problems = []
    for name, what in (
        ("_io", "descriptors still registered"),
        ("_io_waiting", "I/O waits still counted"),
        ("_external", "thread or signal waits still counted"),
        ("_signal_waiters", "signal waiters"),
    ):
        value = getattr(kernel, name, None)
        if value:
            problems.append(f"kernel: {what}: {value!r}")
    return problems


Scenario = Callable[[Round], Awaitable[None]]


class Fuzz:
    """What a test gets from the ``fuzz`` fixture: ``fuzz.play(scenario)``."""

    def __init__(self, nodeid: str) -> None:
        self._nodeid = nodeid

    def play(self, scenario: Scenario, *, cost: int = 1, most: int | None = None) -> None:
        """Play the rounds of *scenario*; fail naming every failing seed.

        A scenario whose rounds cost *cost* times more than most plays one round in *cost*
        (at least one), and never more than *most* rounds if that is given.
        """
        rounds = max(1, ROUNDS // cost)
        if most is not None:
            rounds = min(rounds, most)
        failures: list[tuple[int, list[str]]] = []
        for k in range(rounds):
            seed = SEED + k
            problems, hung = self.play_one(scenario, seed)
            if problems:
                failures.append((seed, problems))
                if hung or len(failures) >= MAX_FAILURES:
                    break
        if failures:
            seeds = ", ".join(str(seed) for seed, _ in failures)
            first_seed, first = failures[0]
            replay = (
                f"CURIO_FUZZ_SEED={first_seed} CURIO_FUZZ_ROUNDS=1 "
                f"python -m pytest -p no:cacheprovider --import-mode=importlib '{self._nodeid}'"
            )
            details = "\n  - ".join(first)
            raise AssertionError(
                f"failing seeds: {seeds} (of {rounds} rounds from {SEED})\n"
                f"replay the first: {replay}\n"
                f"seed {first_seed}:\n  - {details}"
            )

    def play_one(self, scenario: Scenario, seed: int) -> tuple[list[str], bool]:
        """Play one round; return what went wrong and whether it hung."""
        r = Round(seed)
        fds, threads = _descriptors(), threading.active_count()
        log = _ErrorLog()
        root = logging.getLogger()
        root.addHandler(log)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                problems = _run_kernel(r, scenario)
            problems += r.violations
            problems += [f"warning: {w.category.__name__}: {w.message}" for w in caught]
        finally:
            root.removeHandler(log)
        problems += [f"logged: {record}" for record in log.records]
        leaked = _descriptors() - fds
        if leaked:
            gc.collect()  # a socket dropped without close() is closed by the collector
            leaked = _descriptors() - fds
            if leaked:
                problems.append(f"descriptors leaked: {_describe_fds(leaked)}")
        if threading.active_count() != threads:
            problems.append(f"threads leaked: {threading.enumerate()}")
        return problems, r.hung


def _run_kernel(r: Round, scenario: Scenario) -> list[str]:
    """Run *scenario* on a fresh kernel under the two watchdogs, then close the kernel."""
    problems: list[str] = []
    kernel = Kernel()
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        kernel.stop()

    async def main() -> None:
        try:
            async with timeout_after(SOFT_LIMIT):
                try:
                    await scenario(r)
                finally:
                    await r.sweep()
        except TaskTimeout:
            r.hung = True
            kernel.stop()

    watchdog = threading.Timer(HARD_LIMIT, stop)
    watchdog.start()
    try:
        kernel.run(main())
    except (Exception, CancelledError) as exc:
        problems.append("the round failed: " + "".join(traceback.format_exception(exc)))
    finally:
        watchdog.cancel()
        watchdog.join()
    r.hung = r.hung or stopped.is_set()
    left = kernel.tasks
    if r.hung:
        problems.append(
            f"hang: the round did not end within {SOFT_LIMIT} s (a cancellation lost, or a "
            f"wait that never ends); tasks:\n{_describe(left)}"
        )
    elif left:
        problems.append(f"tasks left in the kernel:\n{_describe(left)}")
    else:
        problems += _kernel_state(kernel)
    closer = threading.Timer(CLOSE_LIMIT, kernel.stop)
    closer.start()
    try:
        kernel.close()
    except Exception as exc:
        problems.append(f"the kernel did not close cleanly: {exc!r}")
    finally:
        closer.cancel()
        closer.join()
    for task in kernel.tasks:  # stuck for good: closed here, quietly, not by the collector
        with contextlib.suppress(BaseException):
            task.coro.close()
    return problems


@pytest.fixture
def child_processes() -> Callable[[], list[int]]:
    """The function listing this process's children, zombies included (Linux; else none)."""
    return children


@pytest.fixture
def fuzz(request: pytest.FixtureRequest) -> Fuzz:
    """``fuzz.play(scenario)``: play the rounds of an ``async def scenario(r: Round)``."""
    return Fuzz(request.node.nodeid)
