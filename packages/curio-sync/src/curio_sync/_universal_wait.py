"""How a universal primitive waits: in a curio task, in an asyncio task or in a thread.

Every waiter is a :class:`concurrent.futures.Future`, kept in a :class:`_Waiters` line
under its primitive's :class:`threading.Lock`, because all three worlds can wait on one:
a curio task with the ``_future_wait`` trap (the kernel cancels the future when the task
is cancelled or times out), an asyncio task on ``asyncio.wrap_future`` (cancelling the
task cancels the future too), a thread on ``Future.result(timeout)``.

Discussion: the hand-off race.  A waiter can leave (cancelled, timed out, interrupted) at
the very moment another thread hands it something, and the two run in different threads.
The hander, holding the primitive's lock, takes the oldest future out of the line and
claims it with ``set_running_or_notify_cancel()``: that is atomic with the future's own
``cancel()``, so exactly one of the two wins.  If the cancel won, the hander tries the
next waiter.  If the hander won, the future holds the value and can no longer be
cancelled, but the waiter may still be leaving (the kernel raises the cancellation into
the task whatever ``cancel()`` answered).  So a leaving waiter always calls its
primitive's *leave* function, which, under the lock, either takes the future out of the
line (it was never handed anything) or finds it handed and gives back what it holds (an
item to the front of the queue, a free slot to the next putter).  Nothing is lost and no
stale future stays behind to swallow a later hand-off.
"""

from __future__ import annotations

import inspect
import sys
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Concatenate, Generic, ParamSpec, TypeVar

from curio_traps import _future_wait, check_seconds, from_coroutine, running_kernel

__all__ = [
    "_CORO_FLAGS",
    "_Waiters",
    "_block",
    "_check_world",
    "_in_comprehension",
    "_typed_as_awaited",
    "_wait",
]

#: The code flags of a frame running in a coroutine (``async def``, ``@types.coroutine``
#: generator, async generator): the test :func:`curio_traps.from_coroutine` makes, which
#: the hot methods inline as ``sys._getframe(1).f_code.co_flags & _CORO_FLAGS``.
_CORO_FLAGS = inspect.CO_COROUTINE | inspect.CO_ITERABLE_COROUTINE | inspect.CO_ASYNC_GENERATOR

_COMPREHENSIONS = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"})

V = TypeVar("V")
S = TypeVar("S")
R = TypeVar("R")
P = ParamSpec("P")


def _typed_as_awaited(
    method: Callable[Concatenate[S, P], R],
) -> Callable[Concatenate[S, P], Awaitable[R]]:
    """Type a method that waits as its awaited form; the method itself, unchanged.

    A universal method answers a thread with its value and a coroutine with an awaitable,
    but a type checker gives a call one type wherever it is made.  The awaited form is the
    one typed code needs (``item = await q.get()`` in a curio or asyncio task, as the
    manual's examples do); a thread's ``q.put(item)`` type-checks too.  Only a thread
    that takes a value (``q.get()``, ``r.unwrap()``) gets the value itself where the type
    checker sees an awaitable: typed thread code says so with ``typing.cast``.  No wrapper
    is made: the frame test in the method still sees its own caller.
    """
    # curio 1.x's mark: spawn(q.get) and timeout_after(5, q.get) call it from a coroutine.
    method._awaitable = True  # type: ignore[attr-defined]
    return method  # type: ignore[return-value]


#: ``leave(future, give_back)``: the primitive's undo of a wait that ends early, called
#: without its lock held.  It returns ``True`` if the future was still waiting (and is
#: now withdrawn), ``False`` if it had been handed its value; with *give_back* the
#: primitive then takes that value back (the waiter will not use it).
Leave = Callable[[Future[V], bool], bool]


class _Waiters(Generic[V]):
    """A first-in, first-out line of waiting futures; every method needs the owner's lock.

    A waiter that leaves is not searched for: its future is cancelled where it stands and
    skipped when its turn comes, and the line is rebuilt without such futures once they
    could make up half of it, so that leaving costs constant time (amortized) however
    long the line is.
    """

    __slots__ = ("_left", "_line")

    def __init__(self) -> None:
        self._line: deque[Future[V]] = deque()
        #: Futures withdrawn since the line was last rebuilt (some may be gone already).
        self._left = 0

    def __len__(self) -> int:
        """The number of waiters still waiting (not a hot path: it counts them).

        Safe without the lock (``repr`` from any thread): it counts a snapshot, which
        ``tuple()`` takes in one step.
        """
        return sum(1 for future in tuple(self._line) if not future.cancelled())

    def __bool__(self) -> bool:
        # True with only withdrawn futures left too: the caller then goes the slow way,
        # whose wake_one() drops them.
        return bool(self._line)

    def add(self) -> Future[V]:
        """A new waiting future at the end of the line."""
        future: Future[V] = Future()
        self._line.append(future)
        return future

    def wake_one(self, value: V) -> bool:
        """Hand *value* to the oldest waiter still waiting; ``False`` if there was none."""
        line = self._line
        while line:
            future = line.popleft()
            if future.set_running_or_notify_cancel():
                future.set_result(value)
                return True
        return False

    def wake_all(self, value: V) -> None:
        """Hand *value* to every waiter still waiting."""
        line = self._line
        while line:
            future = line.popleft()
            if future.set_running_or_notify_cancel():
                future.set_result(value)
        self._left = 0

    def withdraw(self, future: Future[V]) -> bool:
        """Take *future* out of the line: ``True`` if it was never handed anything.

        ``False`` means a hander claimed it first: it holds a value now (the owner's lock
        orders the two, so the hand-off is complete).
        """
        if not future.cancel():
            return False
        self._left += 1
        line = self._line
        if self._left > 32 and 2 * self._left > len(line):
            self._line = deque(f for f in line if not f.cancelled())
            self._left = 0
        return True


def _in_comprehension(name: str) -> bool:
    """The rest of the inlined test: a comprehension's frame counts as the one running it.

    Called as ``_in_comprehension(code.co_name)`` from the method whose caller's code is
    *code*, so :func:`~curio_traps.from_coroutine` looks three frames up.
    """
    return name in _COMPREHENSIONS and from_coroutine(3)


def _no_world(what: str) -> RuntimeError:
    return RuntimeError(
        f"{what} was awaited outside a curio task and outside an asyncio task; a universal "
        "primitive is awaited in a curio kernel or an asyncio event loop, and called without "
        "await from any other thread"
    )


def _check_world(what: str) -> bool:
    """``True`` in a curio task, ``False`` in an asyncio task; otherwise a clear error.

    Asked before a waiter is added, so that an unsupported caller leaves nothing behind.
    """
    if running_kernel() is not None:
        return True
    # No asyncio loop can run in a program that never imported asyncio.
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None and asyncio._get_running_loop() is not None:
        return False
    raise _no_world(what)


def _block(future: Future[V], timeout: float | None, leave: Leave[V]) -> V:
    """Wait in a thread for *future*; ``TimeoutError`` after *timeout* seconds.

    A value handed over just as the time ran out is returned, not given back.  Any other
    interruption (``KeyboardInterrupt`` in the main thread, a *timeout* that is not a
    number) gives the value back.
    """
    try:
        if timeout is not None:
            check_seconds(timeout, "a universal primitive's timeout")
        return future.result(timeout)
    except TimeoutError:
        if leave(future, False):
            raise
        return future.result()
    except BaseException:
        leave(future, True)
        raise


async def _wait(future: Future[V], curio: bool, leave: Leave[V]) -> V:
    """Wait in a coroutine (a curio task if *curio*, else an asyncio task) for *future*.

    Cancellation and timeouts arrive as the world raises them; the wait is undone with
    *leave* first.
    """
    try:
        if curio:
            return await _future_wait(future)
        import asyncio  # imported already: _check_world found its running loop

        return await asyncio.wrap_future(future)
    except BaseException:
        leave(future, True)
        raise
