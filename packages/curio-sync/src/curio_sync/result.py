"""Result: an outcome, a value or an exception, set once and awaited by any number of tasks."""

from __future__ import annotations

from typing import Generic, TypeVar

from curio_traps import WaitQueue, _wait_on_queue

from ._direct import _wake_now
from .errors import SyncUsageError

__all__ = ["Result"]

T = TypeVar("T")


def _as_exception(exc: object, owner: str = "Result") -> BaseException:
    """*exc* as an exception instance (a class is instantiated), or ``TypeError``."""
    if isinstance(exc, BaseException):
        return exc
    if isinstance(exc, type) and issubclass(exc, BaseException):
        return exc()
    raise TypeError(
        f"{owner}.set_exception() needs an exception, not {type(exc).__name__}; "
        "to store an ordinary object, use set_value()"
    )


class Result(Generic[T]):
    """A synchronized result: an :class:`Event` that also carries a value or an exception.

    One task sets it, once, with :meth:`set_value` or :meth:`set_exception`; any number of
    tasks ``await unwrap()``, which waits until it is set and then returns the value or
    raises the exception, each time it is called.  Setting it a second time is an error:
    an outcome, once told, does not change.  Subscript it to fix the value's type:
    ``Result[int]()``.
    """

    __slots__ = ("_exc", "_set", "_value", "_waiting")

    _value: T

    def __init__(self) -> None:
        self._set = False
        self._exc: BaseException | None = None
        self._waiting = WaitQueue()

    def __repr__(self) -> str:
        if not self._set:
            state = "unset"
        elif self._exc is not None:
            state = f"exception {type(self._exc).__name__}"
        else:
            state = "value"
        return f"<{type(self).__name__} [{state}, waiting:{len(self._waiting)}]>"

    def is_set(self) -> bool:
        """Return ``True`` once a value or an exception has been set."""
        return self._set

    def _check_unset(self, what: str) -> None:
        if self._set:
            held = "a value" if self._exc is None else f"the exception {self._exc!r}"
            raise SyncUsageError(
                f"Result.{what}(): the result is already set (it holds {held}); "
                "a Result is set only once, so use a new Result for a new outcome"
            )

    def _settle(self) -> None:
        self._set = True
        waiting = self._waiting
        if waiting:
            _wake_now(waiting, len(waiting), None)

    async def set_value(self, value: T) -> None:
        """Set the result to *value* and wake every task waiting in :meth:`unwrap`.

        Raises :exc:`SyncUsageError` (a ``RuntimeError``) if the result is already set.
        ``None`` is a value like any other.
        """
        self._check_unset("set_value")
        self._value = value
        self._settle()

    async def set_exception(self, exc: BaseException | type[BaseException]) -> None:
        """Set the result to the exception *exc* and wake every task waiting in :meth:`unwrap`.

        Each :meth:`unwrap` raises that very exception object (an exception class is
        instantiated here, once).  Raises ``TypeError`` if *exc* is not an exception and
        :exc:`SyncUsageError` (a ``RuntimeError``) if the result is already set.
        """
        error = _as_exception(exc)
        self._check_unset("set_exception")
        self._exc = error
        self._settle()

    async def unwrap(self) -> T:
        """Wait until the result is set; return its value or raise its exception.

        Returns at once if it is already set.  A task cancelled or timed out while it
        waits leaves the result as it found it.
        """
        if not self._set:
            await _wait_on_queue(self._waiting, "RESULT_WAIT")
        exc = self._exc
        if exc is not None:
            raise exc
        return self._value
