"""UniversalResult: a value or an exception, set once, awaited by curio, threads and asyncio."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Generic, TypeVar

from curio_traps import from_coroutine

from ._universal_wait import _block, _check_world, _typed_as_awaited, _wait, _Waiters
from .errors import SyncUsageError
from .result import _as_exception

__all__ = ["UniversalResult"]

T = TypeVar("T")


class UniversalResult(Generic[T]):
    """A :class:`~curio_sync.Result` shared by curio tasks, threads and asyncio tasks.

    One party sets it, once, with :meth:`set_value` or :meth:`set_exception`; any number
    of others wait in :meth:`unwrap`, which returns the value or raises the exception.
    Every method is awaited in a curio or asyncio task and called plainly in a thread.
    Setting it twice raises :exc:`SyncUsageError`.  Subscript it to fix the value's type:
    ``UniversalResult[int]()``.
    """

    __slots__ = ("_exc", "_lock", "_set", "_value", "_waiting")

    _value: T

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._exc: BaseException | None = None
        self._waiting: _Waiters[None] = _Waiters()

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

    def _settle(self, what: str, value: object, exc: BaseException | None) -> None:
        with self._lock:
            if self._set:
                held = "a value" if self._exc is None else f"the exception {self._exc!r}"
                raise SyncUsageError(
                    f"UniversalResult.{what}(): the result is already set (it holds {held}); "
                    "a result is set only once, so use a new UniversalResult for a new outcome"
                )
            self._value = value  # type: ignore[assignment]  # T, from set_value
            self._exc = exc
            self._set = True
            self._waiting.wake_all(None)

    @_typed_as_awaited
    def set_value(self, value: T) -> None:
        """Set the result to *value* and wake every waiter in :meth:`unwrap`.

        ``await r.set_value(v)`` in a coroutine, ``r.set_value(v)`` in a thread.
        """
        if from_coroutine():
            return self._set_value_async(value)  # type: ignore[return-value]  # awaited
        self._settle("set_value", value, None)

    async def _set_value_async(self, value: T) -> None:
        self._settle("set_value", value, None)

    @_typed_as_awaited
    def set_exception(self, exc: BaseException | type[BaseException]) -> None:
        """Set the result to the exception *exc* (a class is instantiated) and wake the waiters.

        Every :meth:`unwrap` raises that very exception object.  ``TypeError`` if *exc* is
        not an exception.
        """
        if from_coroutine():
            return self._set_exception_async(exc)  # type: ignore[return-value]  # awaited
        self._settle("set_exception", None, _as_exception(exc, "UniversalResult"))

    async def _set_exception_async(self, exc: BaseException | type[BaseException]) -> None:
        self._settle("set_exception", None, _as_exception(exc, "UniversalResult"))

    def _outcome(self) -> T:
        exc = self._exc
        if exc is not None:
            raise exc
        return self._value

    def _leave(self, future: Future[None], give_back: bool) -> bool:
        with self._lock:
            return self._waiting.withdraw(future)

    @_typed_as_awaited
    def unwrap(self, timeout: float | None = None) -> T:
        """Wait until the result is set; return its value or raise its exception.

        ``await r.unwrap()`` in a coroutine.  In a thread, *timeout* (seconds) bounds the
        wait and raises :exc:`TimeoutError` when it runs out.
        """
        if from_coroutine():
            return self._unwrap_async(timeout)  # type: ignore[return-value]  # awaited
        with self._lock:
            future = None if self._set else self._waiting.add()
        if future is not None:
            _block(future, timeout, self._leave)
        return self._outcome()

    async def _unwrap_async(self, timeout: float | None) -> T:
        if timeout is not None:
            raise TypeError(
                "UniversalResult.unwrap(timeout=...) applies to a thread's blocking call; in "
                "a coroutine, bound the wait with curio's timeout_after() or asyncio.wait_for()"
            )
        curio = _check_world("UniversalResult.unwrap()")
        with self._lock:
            future = None if self._set else self._waiting.add()
        if future is not None:
            await _wait(future, curio, self._leave)
        return self._outcome()
