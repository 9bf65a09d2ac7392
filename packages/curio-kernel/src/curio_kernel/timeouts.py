"""Timeouts: ``timeout_after`` and ``ignore_after``, as blocks or around a coroutine.

Each block sets a deadline with the ``_set_timeout`` trap.  When the
earliest deadline in force passes while the task waits, the kernel raises
``TaskTimeout(deadline)`` if that deadline belongs to the innermost block and
``TimeoutCancellationError(deadline)`` otherwise.  On the way out each block
recognises its own deadline by identity, so an outer timeout is never taken
for an inner one, and an inner ``TaskTimeout`` that escapes through an outer
block becomes ``UncaughtTimeoutError``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, TypeVar, overload

from curio_traps import (
    TaskTimeout,
    TimeoutCancellationError,
    TimeoutState,
    UncaughtTimeoutError,
    _clock,
    _set_timeout,
    _unset_timeout,
)

__all__ = ["TimeoutAfter", "ignore_after", "timeout_after"]

T = TypeVar("T")
R = TypeVar("R")


class TimeoutAfter(Generic[R]):
    """An ``async with`` block bounded in time.

    Made by :func:`timeout_after` or :func:`ignore_after`.

    After the block, ``expired`` tells whether its own deadline passed.
    """

    __slots__ = (
        "_deadline",
        "_ignore",
        "_previous",
        "_seconds",
        "_timeout_result",
        "expired",
        "result",
    )

    def __init__(self, seconds: float | None, ignore: bool, timeout_result: R) -> None:
        if seconds is not None:
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
                raise TypeError(f"a timeout needs a number of seconds or None, got {seconds!r}")
            if math.isnan(seconds):
                raise ValueError("a timeout of NaN seconds is meaningless")
        self._seconds = seconds
        self._ignore = ignore
        self._deadline: float | None = None
        self._previous: TimeoutState | None = None
        self.expired = False
        #: For ``ignore_after``: the *timeout_result* after a timeout, else ``None``.
        self.result: R | None = None
        self._timeout_result = timeout_result

    async def __aenter__(self) -> TimeoutAfter[R]:
        if self._seconds is not None:
            self._deadline = await _clock() + max(0.0, float(self._seconds))
        self._previous = await _set_timeout(self._deadline)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        assert self._previous is not None, "timeout block exited without being entered"
        await _unset_timeout(self._previous)
        if exc is None or not isinstance(exc, (TaskTimeout, TimeoutCancellationError)):
            return False
        if exc.args and exc.args[0] is self._deadline and self._deadline is not None:
            self.expired = True
            if self._ignore:
                self.result = self._timeout_result
                return True
            if isinstance(exc, TimeoutCancellationError):
                raise TaskTimeout(self._deadline) from exc
            return False
        if isinstance(exc, TaskTimeout):
            raise UncaughtTimeoutError(
                "a TaskTimeout of an inner timeout block was not caught inside this block"
            ) from exc
        return False


async def _bounded(block: TimeoutAfter[Any], coro: Awaitable[T]) -> T:
    async with block:
        return await coro
    return block.result  # type: ignore[return-value]


def _as_awaitable(
    coro: Awaitable[T] | Callable[..., Awaitable[T]], args: tuple[Any, ...]
) -> Awaitable[T]:
    if inspect.isawaitable(coro):
        if args:
            raise TypeError("extra arguments are only accepted with a coroutine function")
        return coro
    if not callable(coro):
        raise TypeError(f"expected a coroutine or coroutine function, got {coro!r}")
    result = coro(*args)
    if not inspect.isawaitable(result):
        raise TypeError(f"{coro!r} did not return a coroutine")
    return result


@overload
def timeout_after(seconds: float | None, /) -> TimeoutAfter[None]: ...
@overload
def timeout_after(seconds: float | None, coro: Awaitable[T], /) -> Awaitable[T]: ...
@overload
def timeout_after(
    seconds: float | None, corofunc: Callable[..., Awaitable[T]], /, *args: Any
) -> Awaitable[T]: ...
def timeout_after(
    seconds: float | None, coro: Any = None, /, *args: Any
) -> TimeoutAfter[None] | Awaitable[Any]:
    """Bound a block (``async with timeout_after(s):``) or a coroutine to *seconds*.

    On expiry ``TaskTimeout`` is raised out of the block, or by the awaited
    coroutine.  ``None`` means no limit.
    """
    block: TimeoutAfter[None] = TimeoutAfter(seconds, False, None)
    if coro is None:
        return block
    return _bounded(block, _as_awaitable(coro, args))


@overload
def ignore_after(seconds: float | None, /) -> TimeoutAfter[None]: ...
@overload
def ignore_after(
    seconds: float | None, coro: Awaitable[T], /, *, timeout_result: R = ...
) -> Coroutine[Any, Any, T | R]: ...
@overload
def ignore_after(
    seconds: float | None,
    corofunc: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    timeout_result: R = ...,
) -> Coroutine[Any, Any, T | R]: ...
def ignore_after(
    seconds: float | None, coro: Any = None, /, *args: Any, timeout_result: Any = None
) -> TimeoutAfter[Any] | Awaitable[Any]:
    """Like :func:`timeout_after`, but expiry just ends the block quietly.

    Around a coroutine, returns its result, or *timeout_result* on expiry; as
    a block, check ``block.expired`` afterwards.
    """
    block: TimeoutAfter[Any] = TimeoutAfter(seconds, True, timeout_result)
    if coro is None:
        return block
    return _bounded(block, _as_awaitable(coro, args))
