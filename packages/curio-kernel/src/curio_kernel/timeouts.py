"""Timeouts: ``timeout_after`` and ``ignore_after``, as blocks or around a coroutine.

Both are :class:`curio_traps.TimeoutBlock`, the one timeout block every curio
package uses.  When the deadline of the innermost block passes while the task
waits, the kernel raises ``TaskTimeout(deadline)``; when an enclosing block's
passes, ``TimeoutCancellationError(deadline)``.  On the way out each block
recognises its own deadline by identity, so an outer timeout is never taken
for an inner one, and an inner ``TaskTimeout`` that escapes through an outer
block becomes ``UncaughtTimeoutError``.  Each deadline fires once.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, TypeVar, cast, overload

from curio_traps import (
    TaskTimeout,
    TimeoutBlock,
    TimeoutCancellationError,
    check_seconds,
    instantiate_coroutine,
    iscoroutinefunction,
)

__all__ = [
    "IgnoreAfter",
    "TimeoutAfter",
    "ignore_after",
    "ignore_at",
    "timeout_after",
    "timeout_at",
]

T = TypeVar("T")
R = TypeVar("R")


class TimeoutAfter(TimeoutBlock):
    """An ``async with`` block that raises ``TaskTimeout`` when its time is up.

    Made by :func:`timeout_after`; ``expired`` tells afterwards whether it timed out.
    """

    __slots__ = ()

    async def __aenter__(self) -> TimeoutAfter:
        await self.enter()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if await self.leave(exc) and isinstance(exc, TimeoutCancellationError):
            # An outer block's view of our deadline: it is ours, say so plainly.
            raise TaskTimeout(self._deadline) from exc


class IgnoreAfter(TimeoutBlock, Generic[R]):
    """An ``async with`` block that just ends when its time is up.

    Made by :func:`ignore_after`; afterwards ``expired`` tells whether it
    timed out and ``result`` holds the *timeout_result* if it did.
    """

    __slots__ = ("_timeout_result", "result")

    result: R | None

    def __init__(self, seconds: float | None, timeout_result: R, *, absolute: bool = False) -> None:
        super().__init__(seconds, absolute=absolute)
        self._timeout_result = timeout_result
        self.result = None

    async def __aenter__(self) -> IgnoreAfter[R]:
        await self.enter()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if await self.leave(exc):
            self.result = self._timeout_result
            return True
        return False


async def _bounded(block: TimeoutAfter, coro: Awaitable[T]) -> T:
    async with block:
        return await coro


async def _ignoring(block: IgnoreAfter[R], coro: Awaitable[T]) -> T | R:
    async with block:
        return await coro
    return block._timeout_result


def _check_limit(seconds: object, what: str) -> None:
    """Refuse a limit that is not a number of seconds, NaN, or negative, naming *what*."""
    if seconds is not None and check_seconds(seconds, what) < 0:
        raise ValueError(f"{what} needs a non-negative number of seconds, got {seconds!r}")


def _as_awaitable(
    coro: Awaitable[T] | Callable[..., Awaitable[T]], args: tuple[Any, ...]
) -> Awaitable[T]:
    if inspect.isawaitable(coro):
        if args:
            raise TypeError("extra arguments are only accepted with a coroutine function")
        return coro
    if not callable(coro):
        raise TypeError(f"expected a coroutine or coroutine function, got {coro!r}")
    # Called from a coroutine frame when it is one (an awaitable function gives its
    # asynchronous form), as spawn() calls it.
    result: Awaitable[T] = (
        instantiate_coroutine(cast(Any, coro), *args) if iscoroutinefunction(coro) else coro(*args)
    )
    if not inspect.isawaitable(result):
        raise TypeError(f"{coro!r} did not return a coroutine")
    return result


@overload
def timeout_after(seconds: float | None, /) -> TimeoutAfter: ...
@overload
def timeout_after(seconds: float | None, coro: Awaitable[T], /) -> Awaitable[T]: ...
@overload
def timeout_after(
    seconds: float | None, corofunc: Callable[..., Awaitable[T]], /, *args: Any
) -> Awaitable[T]: ...
def timeout_after(
    seconds: float | None, coro: Any = None, /, *args: Any
) -> TimeoutAfter | Awaitable[Any]:
    """Bound a block (``async with timeout_after(s):``) or a coroutine to *seconds*.

    On expiry ``TaskTimeout`` is raised out of the block, or by the awaited
    coroutine.  ``None`` means no limit.
    """
    _check_limit(seconds, "timeout_after()")
    block = TimeoutAfter(seconds)
    if coro is None:
        return block
    return _bounded(block, _as_awaitable(coro, args))


@overload
def ignore_after(seconds: float | None, /) -> IgnoreAfter[None]: ...
@overload
def ignore_after(seconds: float | None, /, *, timeout_result: R) -> IgnoreAfter[R]: ...
@overload
def ignore_after(seconds: float | None, coro: Awaitable[T], /) -> Coroutine[Any, Any, T | None]: ...
@overload
def ignore_after(
    seconds: float | None, coro: Awaitable[T], /, *, timeout_result: R
) -> Coroutine[Any, Any, T | R]: ...
@overload
def ignore_after(
    seconds: float | None, corofunc: Callable[..., Awaitable[T]], /, *args: Any
) -> Coroutine[Any, Any, T | None]: ...
@overload
def ignore_after(
    seconds: float | None,
    corofunc: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    timeout_result: R,
) -> Coroutine[Any, Any, T | R]: ...
def ignore_after(
    seconds: float | None, coro: Any = None, /, *args: Any, timeout_result: Any = None
) -> IgnoreAfter[Any] | Awaitable[Any]:
    """Like :func:`timeout_after`, but expiry just ends the block quietly.

    Around a coroutine, returns its result, or *timeout_result* on expiry; as
    a block, check ``block.expired`` afterwards.
    """
    _check_limit(seconds, "ignore_after()")
    block = IgnoreAfter(seconds, timeout_result)
    if coro is None:
        return block
    return _ignoring(block, _as_awaitable(coro, args))


@overload
def timeout_at(deadline: float | None, /) -> TimeoutAfter: ...
@overload
def timeout_at(deadline: float | None, coro: Awaitable[T], /) -> Awaitable[T]: ...
@overload
def timeout_at(
    deadline: float | None, corofunc: Callable[..., Awaitable[T]], /, *args: Any
) -> Awaitable[T]: ...
def timeout_at(
    deadline: float | None, coro: Any = None, /, *args: Any
) -> TimeoutAfter | Awaitable[Any]:
    """:func:`timeout_after` with an absolute *deadline*, a value of :func:`clock`.

    A deadline already past expires at the first blocking call.
    """
    block = TimeoutAfter(deadline, absolute=True)
    if coro is None:
        return block
    return _bounded(block, _as_awaitable(coro, args))


@overload
def ignore_at(deadline: float | None, /) -> IgnoreAfter[None]: ...
@overload
def ignore_at(deadline: float | None, /, *, timeout_result: R) -> IgnoreAfter[R]: ...
@overload
def ignore_at(deadline: float | None, coro: Awaitable[T], /) -> Coroutine[Any, Any, T | None]: ...
@overload
def ignore_at(
    deadline: float | None, coro: Awaitable[T], /, *, timeout_result: R
) -> Coroutine[Any, Any, T | R]: ...
@overload
def ignore_at(
    deadline: float | None, corofunc: Callable[..., Awaitable[T]], /, *args: Any
) -> Coroutine[Any, Any, T | None]: ...
@overload
def ignore_at(
    deadline: float | None,
    corofunc: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    timeout_result: R,
) -> Coroutine[Any, Any, T | R]: ...
def ignore_at(
    deadline: float | None, coro: Any = None, /, *args: Any, timeout_result: Any = None
) -> IgnoreAfter[Any] | Awaitable[Any]:
    """:func:`ignore_after` with an absolute *deadline*, a value of :func:`clock`."""
    block = IgnoreAfter(deadline, timeout_result, absolute=True)
    if coro is None:
        return block
    return _ignoring(block, _as_awaitable(coro, args))
