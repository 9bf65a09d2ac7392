"""What every queue of curio-sync answers about itself without waiting.

:class:`~curio_sync.Queue` and :class:`~curio_sync.UniversalQueue` keep the same state
under the same names (``_items``, ``_maxsize``, ``_reserved``, ``_handed``, the
``_getters`` and ``_putters`` lines), so the questions about that state are asked in one place.
"""

from __future__ import annotations

from collections.abc import Sized
from typing import Protocol

__all__ = ["_QueueInspection"]


class _QueueState(Protocol):
    """The state the questions read, as each queue keeps it."""

    @property
    def _items(self) -> Sized: ...
    @property
    def _maxsize(self) -> int: ...
    @property
    def _reserved(self) -> int: ...
    @property
    def _getters(self) -> Sized: ...
    @property
    def _putters(self) -> Sized: ...
    @property
    def _handed(self) -> int: ...


class _QueueInspection:
    """Mixin: ``qsize``, ``size``, ``empty``, ``full``, ``maxsize`` and the ``repr`` of a queue."""

    __slots__ = ()

    def __repr__(self: _QueueState) -> str:
        return (
            f"<{type(self).__name__} [size:{len(self._items)}, maxsize:{self._maxsize}, "
            f"getters:{len(self._getters)}, putters:{len(self._putters)}]>"
        )

    @property
    def maxsize(self: _QueueState) -> int:
        """The bound on the number of items (0 for none)."""
        return self._maxsize

    def qsize(self: _QueueState) -> int:
        """Return the number of items in the queue."""
        return len(self._items)

    def size(self: _QueueState) -> int:
        """Return the number of items in the queue: :meth:`qsize` under curio 1.6's name."""
        return len(self._items)

    def empty(self: _QueueState) -> bool:
        """Return ``True`` if the queue holds no item."""
        return not self._items

    def full(self: _QueueState) -> bool:
        """Return ``True`` if the queue is bounded and has no free slot (``put`` would wait)."""
        maxsize = self._maxsize
        return maxsize > 0 and len(self._items) + self._reserved + self._handed >= maxsize
