"""curio 1.x's metaprogramming module: :mod:`curio_traps.meta`.

``curio_running()`` answers whether a curio kernel runs in the calling thread;
sniffio imports it from here whenever a module named ``curio`` is loaded.
"""

from curio_traps.meta import (
    AwaitableFunction,
    asyncioable,
    awaitable,
    curio_running,
    finalize,
    from_coroutine,
    instantiate_coroutine,
    iscoroutinefunction,
    safe_generator,
)

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
