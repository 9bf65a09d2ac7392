"""Cancellation control: shield a block from cancellation, and look at what is pending.

Inside ``disable_cancellation()`` a cancellation or an expired timeout does
not interrupt the task: it waits, pending, and the first blocking call after
the block ends raises it.  ``check_cancellation()`` lets code inside such a
block see (and take) what is pending, to stop at a point of its choosing.
Blocks nest; an inner block never re-enables cancellation in an outer one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar, TypeVarTuple, Unpack, overload

from curio_traps import AwaitedContext, _check_cancellation, _set_allow_cancel, _set_cancellation

from .task import _call_corofunc, _is_coroutine

__all__ = ["CancellationDisabled", "check_cancellation", "disable_cancellation", "set_cancellation"]

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)
Ts = TypeVarTuple("Ts")


class CancellationDisabled(AwaitedContext):
    """The ``async with`` block of :func:`disable_cancellation`."""

    __slots__ = ("_previous",)

    def __init__(self) -> None:
        self._previous = True

    async def __aenter__(self) -> CancellationDisabled:
        self._previous = await _set_allow_cancel(False)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await _set_allow_cancel(self._previous)


async def _shielded(coro: Awaitable[T]) -> T:
    async with CancellationDisabled():
        return await coro


@overload
def disable_cancellation() -> CancellationDisabled: ...
@overload
def disable_cancellation(coro: Awaitable[T], /) -> Awaitable[T]: ...
@overload
def disable_cancellation(
    corofunc: Callable[[Unpack[Ts]], Awaitable[T]], /, *args: *Ts
) -> Awaitable[T]: ...
def disable_cancellation(  # type: ignore[misc]  # the Unpack[Ts] overload against *args: Any
    corofunc: Any = None, /, *args: Any
) -> CancellationDisabled | Awaitable[Any]:
    """Hold back cancellations: around a block (``async with``) or one coroutine.

    ``await disable_cancellation(corofunc, *args)`` runs ``corofunc(*args)``
    shielded and returns its result.  A cancellation that arrives meanwhile
    is raised at the first blocking call after the shield ends.
    """
    if corofunc is None:
        if args:
            raise TypeError("disable_cancellation() takes arguments only with a coroutine function")
        return CancellationDisabled()
    if _is_coroutine(corofunc):
        if args:
            raise TypeError("disable_cancellation() takes arguments only with a coroutine function")
        return _shielded(corofunc)
    return _shielded(_call_corofunc(corofunc, args, "disable_cancellation()"))


@overload
async def check_cancellation() -> BaseException | None: ...
@overload
async def check_cancellation(exc: type[E], /) -> E | None: ...
async def check_cancellation(exc: type[BaseException] | None = None, /) -> BaseException | None:
    """The calling task's pending cancellation, if any (of type *exc*, if given).

    Where cancellation is enabled, a pending one is raised right here.
    Inside ``disable_cancellation()`` it is returned and stays pending, or,
    when *exc* is given and matches, is returned and no longer pending (the
    caller deals with it).  ``None`` when nothing (of that type) is pending.
    """
    if exc is not None and not (isinstance(exc, type) and issubclass(exc, BaseException)):  # type: ignore[redundant-expr]
        raise TypeError(f"check_cancellation() takes an exception class, got {exc!r}")
    return await _check_cancellation(exc)


async def set_cancellation(exc: BaseException | type[BaseException] | None) -> BaseException | None:
    """Make *exc* the calling task's pending cancellation; return the one it replaces.

    It is raised at the next blocking call where cancellation is enabled.
    ``None`` clears what is pending.
    """
    return await _set_cancellation(exc)
