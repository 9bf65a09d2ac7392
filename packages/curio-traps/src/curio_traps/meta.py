"""Asynchronous metaprogramming: the ``curio.meta`` of curio 1.x, for code that uses it.

What is here, and why it lives in curio-traps: every function answers a question about
the *caller* (is a curio kernel running in this thread? is this call made from inside a
coroutine?) or adapts a function or an async generator to the answer.  None of it needs
the kernel, only :func:`~curio_traps.running_kernel`, so any package may use it and
third-party code that asks ``curio.meta`` whether curio is running (sniffio does, as soon
as a module named ``curio`` is imported) gets an answer without starting anything.

Discussion: how ``from_coroutine`` knows.  A coroutine's code object carries a flag
(``CO_COROUTINE``; ``CO_ITERABLE_COROUTINE`` for a ``@types.coroutine`` generator, such as
every trap; ``CO_ASYNC_GENERATOR`` for an async generator).  :func:`from_coroutine` reads
that flag on the frame *level* steps up the stack.  A comprehension or a generator
expression written inside a coroutine runs in a frame of its own on some Python versions
(3.11 gives a list comprehension one; 3.12 inlines it, PEP 709), so a frame of a
comprehension is looked through to the frame that runs it: the answer is the same on every
version.  A lambda or a nested ``def`` is a synchronous function and is not looked through,
since code in it cannot ``await`` what it gets back.

Discussion: why async generators need :class:`finalize`.  An async generator left before
its end (``break`` out of an ``async for``) still has its ``finally`` blocks to run.  If
nobody closes it, the last reference to go closes it, usually the garbage collector, and
that happens outside any task: a ``finally`` block that awaits (a trap, a lock, a socket
close) cannot run there, and Python reports "async generator ignored GeneratorExit".  Our
kernel installs no async-generator hooks (``sys.set_asyncgen_hooks``) and never refuses an
async generator; ``async with finalize(agen)`` closes it with ``aclose()`` when the block
ends, inside the task, where every ``await`` of its clean-up works.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from .interruptions import clean_up
from .protocol import running_kernel

__all__ = [
    "AwaitableFunction",
    "asyncioable",
    "awaitable",
    "curio_running",
    "finalize",
    "from_coroutine",
    "instantiate_coroutine",
    "iscoroutinefunction",
    "safe_generator",
]

P = ParamSpec("P")
Q = ParamSpec("Q")
R = TypeVar("R")
T = TypeVar("T")
S = TypeVar("S")
A = TypeVar("A", bound=AsyncIterator[Any])
F = TypeVar("F", bound=Callable[..., Any])

#: The code flags of a frame that runs inside a coroutine: ``async def``, a
#: ``@types.coroutine`` generator, and an async generator.
_COROUTINE_FLAGS = inspect.CO_COROUTINE | inspect.CO_ITERABLE_COROUTINE | inspect.CO_ASYNC_GENERATOR

#: The names the compiler gives the code of comprehensions and generator expressions.
_COMPREHENSIONS = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"})


def curio_running() -> bool:
    """Is a curio kernel running in the calling thread?

    ``True`` in a task and in any code a task calls; ``False`` outside any kernel and in
    another thread, a worker of :func:`~curio_kernel.run_in_thread` included, even while a
    kernel runs elsewhere in the process.
    """
    return running_kernel() is not None


def from_coroutine(level: int = 2) -> bool:
    """Is the frame *level* steps up the stack running inside a coroutine?

    Level 0 is ``from_coroutine`` itself and 1 the function that calls it, so the default,
    2, asks whether that function was called from a coroutine (or an async generator, or
    a ``@types.coroutine`` generator).  A decorator that wraps the function in a further
    layer of Python calls adds one to *level* for each.  A comprehension or generator
    expression on the way counts as the frame that runs it.  ``False`` when the stack is
    not that deep.
    """
    try:
        frame: types.FrameType | None = sys._getframe(level)  # 0 is this frame
    except ValueError:
        return False
    while frame is not None:
        code = frame.f_code
        if code.co_flags & _COROUTINE_FLAGS:
            return True
        if code.co_name not in _COMPREHENSIONS:
            return False
        frame = frame.f_back
    return False


class AwaitableFunction(Generic[P, R, T]):
    """A synchronous function and its asynchronous twin, behind one name (:func:`awaitable`).

    Called from a coroutine, it returns the coroutine of its ``asyncfunc`` attribute, to
    be awaited; called from anywhere else, it runs its ``syncfunc`` attribute and returns
    the result.  It has the synchronous function's name, docstring and signature
    (``inspect.signature`` and ``help()`` show it), and binds as a method does when it is a
    class attribute (both attributes are then bound too).

    For a type checker a call expression has one type whatever encloses it, so a call is
    typed as the synchronous function's: the code that existed before the asynchronous
    twin keeps its types.  Typed asynchronous code awaits ``spam.asyncfunc(...)``, which
    is the very same call, typed as the coroutine it is.
    """

    # Copied from the synchronous function, as on any function.
    __name__: str
    __qualname__: str
    # The synchronous implementation, run by a call from synchronous code.
    syncfunc: Callable[P, R]
    # The asynchronous implementation, whose coroutine a call from a coroutine returns.
    asyncfunc: Callable[P, Coroutine[Any, Any, T]]

    def __init__(
        self, syncfunc: Callable[P, R], asyncfunc: Callable[P, Coroutine[Any, Any, T]]
    ) -> None:
        functools.update_wrapper(self, syncfunc)
        self.__doc__ = syncfunc.__doc__ or asyncfunc.__doc__
        self.syncfunc = syncfunc
        self.asyncfunc = asyncfunc

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        # from_coroutine() looks at the caller of this method: level 2 from here.
        if from_coroutine():
            # Typed as R (see the class docstring): the caller is a coroutine and awaits it.
            return self.asyncfunc(*args, **kwargs)  # type: ignore[return-value]
        return self.syncfunc(*args, **kwargs)

    @overload
    def __get__(
        self, instance: None, owner: type[Any] | None = None
    ) -> AwaitableFunction[P, R, T]: ...
    @overload
    def __get__(
        self: AwaitableFunction[Concatenate[S, Q], R, T],
        instance: S,
        owner: type[Any] | None = None,
    ) -> AwaitableFunction[Q, R, T]: ...
    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any:
        """The pair bound to *instance*, as a method is (the pair itself from the class)."""
        if instance is None:
            return self
        return AwaitableFunction(
            types.MethodType(self.syncfunc, instance), types.MethodType(self.asyncfunc, instance)
        )

    def __repr__(self) -> str:
        return f"<awaitable function {_name(self.syncfunc)}>"


def awaitable(
    syncfunc: Callable[P, R],
) -> Callable[[Callable[P, Coroutine[Any, Any, T]]], AwaitableFunction[P, R, T]]:
    """Attach an asynchronous implementation to the synchronous function *syncfunc*.

    Decorates the ``async def`` of the same function; the result (an
    :class:`AwaitableFunction`) runs *syncfunc* when called from synchronous code and
    returns the ``async def``'s coroutine when called from a coroutine::

        def spam(x, y):
            print("Synchronous ->", x, y)


        @awaitable(spam)
        async def spam(x, y):
            print("Asynchronous ->", x, y)


        async def main():
            await spam(2, 3)  # Asynchronous -> 2 3


        spam(2, 3)  # Synchronous -> 2 3
        run(main)

    The two must take the same parameters (names and kinds), or the decoration raises
    :exc:`TypeError`; so does decorating anything but an ``async def``.  Type checkers
    refuse to see one name defined twice: typed code gives the synchronous function a
    name of its own (``def _spam(x: int, y: int) -> None``, then ``@awaitable(_spam)``).
    """

    def attach(asyncfunc: Callable[P, Coroutine[Any, Any, T]]) -> AwaitableFunction[P, R, T]:
        if not inspect.iscoroutinefunction(asyncfunc):
            raise TypeError(
                f"@awaitable({_name(syncfunc)}) decorates the asynchronous twin, an `async def`;"
                f" got {asyncfunc!r}"
            )
        sync_parameters = _parameters(syncfunc)
        async_parameters = _parameters(asyncfunc)
        if sync_parameters != async_parameters:
            raise TypeError(
                f"{_name(syncfunc)}{inspect.signature(syncfunc)} and async"
                f" {_name(asyncfunc)}{inspect.signature(asyncfunc)} must take the same"
                " parameters"
            )
        return AwaitableFunction(syncfunc, asyncfunc)

    return attach


def asyncioable(
    awaitablefunc: AwaitableFunction[P, R, T],
) -> Callable[[Callable[P, Coroutine[Any, Any, T]]], AwaitableFunction[P, R, T]]:
    """Give an :func:`awaitable` function a third form, for coroutines of asyncio.

    Decorates an ``async def`` taking the same parameters.  The result is called as
    before from synchronous code and from a curio task; from any other coroutine (an
    asyncio task, which must run in another thread than the curio kernel) it returns
    this ``async def``'s coroutine instead::

        @asyncioable(spam)
        async def spam(x, y):
            await asyncio.sleep(0)  # the asyncio form
    """

    def attach(asynciofunc: Callable[P, Coroutine[Any, Any, T]]) -> AwaitableFunction[P, R, T]:
        if not inspect.iscoroutinefunction(asynciofunc):
            raise TypeError(
                f"@asyncioable({_name(awaitablefunc)}) decorates the asyncio form, an"
                f" `async def`; got {asynciofunc!r}"
            )
        if _parameters(asynciofunc) != _parameters(awaitablefunc.syncfunc):
            raise TypeError(
                f"the asyncio form {_name(asynciofunc)}{inspect.signature(asynciofunc)} must"
                f" take the parameters of {_name(awaitablefunc)}"
                f"{inspect.signature(awaitablefunc.syncfunc)}"
            )
        curiofunc = awaitablefunc.asyncfunc

        @functools.wraps(curiofunc)
        def either(*args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, T]:
            if curio_running():
                return curiofunc(*args, **kwargs)
            return asynciofunc(*args, **kwargs)

        return AwaitableFunction(awaitablefunc.syncfunc, either)

    return attach


def _name(func: object) -> str:
    return getattr(func, "__qualname__", None) or repr(func)


def _parameters(func: Callable[..., object]) -> list[tuple[str, str]]:
    """The names and kinds of *func*'s parameters (annotations and defaults may differ)."""
    return [(p.name, p.kind.name) for p in inspect.signature(func).parameters.values()]


def _has_coroutine_code(func: object) -> bool:
    """Is *func* a ``@types.coroutine`` generator function (as every trap is)?"""
    code = getattr(func, "__code__", None)
    return isinstance(code, types.CodeType) and bool(code.co_flags & inspect.CO_ITERABLE_COROUTINE)


def iscoroutinefunction(func: object) -> bool:
    """Does calling *func* give a coroutine (or an async generator)?

    Unlike :func:`inspect.iscoroutinefunction`, it also answers ``True`` for a
    ``functools.partial`` or bound method of such a function, an
    :class:`AwaitableFunction` (what :func:`awaitable` makes), a function marked with
    curio 1.x's ``_awaitable = True`` attribute, an async generator function,
    a ``@types.coroutine`` generator function, and an object whose ``__call__`` is an
    ``async def``.  ``False`` for anything else, plain functions included.
    """
    while True:
        if isinstance(func, functools.partial):
            func = func.func
        elif isinstance(func, types.MethodType):
            func = func.__func__
        else:
            break
    if isinstance(func, AwaitableFunction) or getattr(func, "_awaitable", False) is True:
        return True  # ``_awaitable``: curio 1.x's mark of a function that is also awaited
    if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
        return True
    if _has_coroutine_code(func):
        return True
    if isinstance(func, types.FunctionType | types.BuiltinFunctionType | type):
        return False
    # A callable object: what does calling it run?
    return callable(func) and inspect.iscoroutinefunction(type(func).__call__)


def _is_coroutine(value: object) -> bool:
    """Is *value* a coroutine object (``async def``'s or a ``@types.coroutine`` generator's)?"""
    if isinstance(value, Coroutine):
        return True
    return isinstance(value, types.GeneratorType) and bool(
        value.gi_code.co_flags & inspect.CO_ITERABLE_COROUTINE
    )


async def _call_in_a_coroutine(
    func: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> object:
    """Call *func* from a coroutine frame, so :func:`from_coroutine` in it answers True."""
    return func(*args, **kwargs)


@overload
def instantiate_coroutine(corofunc: Coroutine[Any, Any, T], /) -> Coroutine[Any, Any, T]: ...
@overload
def instantiate_coroutine(
    corofunc: AwaitableFunction[P, Any, T], /, *args: P.args, **kwargs: P.kwargs
) -> Coroutine[Any, Any, T]: ...
@overload
def instantiate_coroutine(
    corofunc: Callable[P, Coroutine[Any, Any, T]], /, *args: P.args, **kwargs: P.kwargs
) -> Coroutine[Any, Any, T]: ...
def instantiate_coroutine(corofunc: object, /, *args: Any, **kwargs: Any) -> Any:
    """A coroutine object from *corofunc*, which is one already or makes one when called.

    A coroutine object is returned as it is (arguments are then an error).  A coroutine
    function (as :func:`iscoroutinefunction` sees it) is called with *args* and *kwargs*
    from inside a coroutine, so that an :class:`AwaitableFunction`, or any function that
    asks :func:`from_coroutine`, gives its asynchronous answer.  Any other callable is
    called as it is.  The result must be a coroutine, or :exc:`TypeError` says what it was.
    """
    if _is_coroutine(corofunc):
        if args or kwargs:
            raise TypeError(
                "instantiate_coroutine() takes arguments only with a coroutine function,"
                f" not with the coroutine {corofunc!r}"
            )
        return corofunc
    if not callable(corofunc):
        raise TypeError(
            f"instantiate_coroutine() needs a coroutine or a function, got {corofunc!r}"
        )
    if iscoroutinefunction(corofunc):
        caller = _call_in_a_coroutine(corofunc, args, kwargs)
        try:
            caller.send(None)
        except StopIteration as done:
            coro = done.value
        else:  # pragma: no cover - the caller awaits nothing, so it cannot suspend
            caller.close()
            raise AssertionError("a bare call suspended")
    else:
        coro = corofunc(*args, **kwargs)
    if not _is_coroutine(coro):
        raise TypeError(f"{_name(corofunc)} returned {coro!r}, which is not a coroutine")
    return coro


class finalize(Generic[A]):  # curio 1.x's name: read as `async with finalize(agen)`
    """``async with finalize(agen) as agen:`` closes *agen* with ``aclose()`` when the block ends.

    However the block ends (at the end of the iteration, at a ``break``, by an exception,
    a cancellation or a timeout), the generator's ``finally`` blocks and ``async with``
    exits run right then, inside the task, and may await anything.  An interruption that
    arrives during that clean-up replaces the block's own exception only if it is stronger
    (:func:`~curio_traps.clean_up`).  An object without ``aclose`` is left alone.
    """

    def __init__(self, aobj: A) -> None:
        self.aobj = aobj

    async def __aenter__(self) -> A:
        return self.aobj

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        aclose = getattr(self.aobj, "aclose", None)
        if aclose is not None:
            await clean_up(exc, aclose())


def safe_generator(func: F) -> F:
    """curio 1.x's mark of an async generator function as safe to use: returns *func* itself.

    Early versions of curio refused an async generator whose clean-up awaits unless it ran
    under :class:`finalize` or its function carried this mark; curio 1.6 no longer looked
    for the mark, and neither does our kernel, which refuses no async generator.  So
    nothing is recorded: the decorator is here so that 1.x code runs unchanged, and what it
    returns is the very object it was given, with its name, signature and behaviour.  It
    does not make a generator's clean-up safe; :class:`finalize` does.
    """
    return func
