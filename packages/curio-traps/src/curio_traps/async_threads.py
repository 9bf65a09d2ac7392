"""The thread's side of asynchronous threads: ``AWAIT``, and ``with``/``for`` built on it.

An asynchronous thread (:func:`curio_kernel.spawn_thread`) is a plain thread that asks the
kernel to run coroutines for it.  The kernel side (the thread, its backing task) lives in
curio-kernel; what lives here is what *any* package needs to serve such a thread: knowing
whether the calling thread is one (:func:`is_async_thread`), handing it a coroutine
(:func:`AWAIT`), and the two mixins that let synchronous code in that thread use a
primitive's ``async with`` as ``with`` (:class:`AwaitedContext`) and its ``async for`` as
``for`` (:class:`AwaitedIteration`): ``with lock:`` in an asynchronous thread is
``AWAIT(lock.__aenter__())``.  Outside an asynchronous thread both refuse with
:exc:`~curio_traps.AsyncOnlyError`, naming the asynchronous form to use instead.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, ParamSpec, Protocol, Self, TypeVar, overload

from .errors import AsyncOnlyError
from .meta import iscoroutinefunction
from .protocol import running_kernel

__all__ = [
    "AWAIT",
    "AwaitedContext",
    "AwaitedIteration",
    "ThreadAwaiter",
    "is_async_thread",
    "set_async_thread",
]

T = TypeVar("T")
Y = TypeVar("Y")
P = ParamSpec("P")


class ThreadAwaiter(Protocol):
    """What makes a thread asynchronous: something that runs a coroutine on the kernel.

    ``await_in_kernel(coro)`` is called in the thread; it blocks until the kernel has run
    *coro* and returns its value or raises its exception.
    """

    def await_in_kernel(self, coro: Any, /) -> Any: ...


#: ``_local.awaiter`` is the :class:`ThreadAwaiter` of the calling thread, if it is one.
_local = threading.local()


def set_async_thread(awaiter: ThreadAwaiter | None) -> None:
    """Make the calling thread asynchronous (served by *awaiter*), or plain again (``None``).

    Called by the thread's own body when it starts and ends (curio-kernel's ``AsyncThread``).
    """
    _local.awaiter = awaiter


def is_async_thread() -> bool:
    """Is the calling thread an asynchronous thread (one where ``AWAIT`` works)?"""
    return getattr(_local, "awaiter", None) is not None


def _not_async(what: str) -> AsyncOnlyError:
    hint = (
        "; in a coroutine, use 'await' instead"
        if running_kernel() is not None
        else " (start one with spawn_thread())"
    )
    return AsyncOnlyError(
        f"AWAIT({what}) can only be used in an asynchronous thread, "
        f"and this thread is not one{hint}"
    )


async def _call(corofunc: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return await corofunc(*args, **kwargs)


def _close(awaitable: object) -> None:
    """Close a coroutine that will never run (no "never awaited" warning)."""
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()


@overload
def AWAIT(coro: Awaitable[T], /) -> T: ...
@overload
def AWAIT(
    corofunc: Callable[P, Coroutine[Any, Any, T]], /, *args: P.args, **kwargs: P.kwargs
) -> T: ...
@overload
def AWAIT(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T: ...
def AWAIT(coro: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Run a coroutine on the kernel for the calling asynchronous thread; its result.

    The thread blocks until the coroutine ends, and gets its value or its
    exception.  Given a coroutine function, ``AWAIT(corofunc, *args,
    **kwargs)`` runs ``await corofunc(*args, **kwargs)`` (the call itself is
    made on the kernel, so an awaitable function such as a universal queue's
    ``get`` runs its asynchronous side).  Another callable is called in the
    thread and what it returns is treated as *coro*.  Anything that is not
    awaitable (a coroutine, or an object with ``__await__``, as curio's
    ``sleep()`` returns) is returned unchanged (a type checker accepts only
    awaitables and callables).  :exc:`~curio_traps.AsyncOnlyError` if a
    coroutine is given outside an asynchronous thread.
    """
    awaiter: ThreadAwaiter | None = getattr(_local, "awaiter", None)
    if callable(coro):
        if iscoroutinefunction(coro):
            if awaiter is None:
                raise _not_async(getattr(coro, "__qualname__", None) or repr(coro))
            coro = _call(coro, args, kwargs)
        else:
            coro = coro(*args, **kwargs)
    elif args or kwargs:
        raise TypeError(f"AWAIT() takes arguments only with a callable, got {coro!r}")
    if not (inspect.isawaitable(coro) or inspect.isgenerator(coro)):
        return coro
    if awaiter is None:
        _close(coro)  # it can never run now
        raise _not_async(getattr(coro, "__qualname__", None) or repr(coro))
    return awaiter.await_in_kernel(coro)


def _refuse(obj: object, form: str, instead: str) -> AsyncOnlyError:
    return AsyncOnlyError(
        f"a {type(obj).__name__} is used with '{instead}'; '{form}' works only in an "
        "asynchronous thread (spawn_thread), where it awaits on the kernel"
    )


class AwaitedContext:
    """Mixin: ``with obj:`` in an asynchronous thread awaits ``async with obj:`` on the kernel.

    For any class with ``__aenter__``/``__aexit__``.  Elsewhere ``with`` raises
    :exc:`~curio_traps.AsyncOnlyError`, which names ``async with`` as the form to use.
    """

    __slots__ = ()

    def __enter__(self) -> Self:
        if not is_async_thread():
            raise _refuse(self, "with", "async with")
        entered: Self = AWAIT(self.__aenter__())  # type: ignore[attr-defined]
        return entered

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if not is_async_thread():
            raise _refuse(self, "with", "async with")
        suppress: bool | None = AWAIT(self.__aexit__(exc_type, exc, tb))  # type: ignore[attr-defined]
        return suppress


class AwaitedIteration(Generic[Y]):
    """Mixin: ``for x in obj:`` in an asynchronous thread awaits each ``__anext__`` on the kernel.

    For any class with ``__aiter__``/``__anext__``, *Y* being what they yield.  Elsewhere
    ``for`` raises :exc:`~curio_traps.AsyncOnlyError`, which names ``async for`` instead.
    """

    __slots__ = ()

    def __iter__(self) -> Self:
        if not is_async_thread():
            raise _refuse(self, "for", "async for")
        return self

    def __next__(self) -> Y:
        if not is_async_thread():
            raise _refuse(self, "for", "async for")
        aiterator: AsyncIterator[Y] = self  # type: ignore[assignment]
        try:
            return AWAIT(aiterator.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None
