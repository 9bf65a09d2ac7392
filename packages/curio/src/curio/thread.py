"""Asynchronous threads, at curio 1.x's path: :mod:`curio_kernel.thread`."""

from curio_kernel.thread import (
    AWAIT,
    AsyncThread,
    AsyncThreadFunction,
    async_thread,
    is_async_thread,
    spawn_thread,
)

__all__ = [
    "AWAIT",
    "AsyncThread",
    "AsyncThreadFunction",
    "async_thread",
    "is_async_thread",
    "spawn_thread",
]
