"""Which futures stand for work the kernel itself runs in real time.

A task waiting on a future may be waiting for a thread the kernel started
(``run_in_executor``, an asynchronous thread's next request) or for some other
party that completes it when it likes (a universal queue's putter).  The first
kind holds back a virtual clock's autojump (``_idle.py``): the work takes real
time and its result is sure to come.  The code that submits such work marks its
future here; the kernel asks.
"""

from __future__ import annotations

import weakref
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["is_work", "mark_work"]

F = TypeVar("F", bound="Future[Any]")

_WORK: weakref.WeakSet[Future[Any]] = weakref.WeakSet()


def mark_work(future: F) -> F:
    """Note that *future* completes when work of the kernel's own ends; return it."""
    _WORK.add(future)
    return future


def is_work(future: Future[Any]) -> bool:
    """Whether *future* was marked by :func:`mark_work`."""
    return future in _WORK
