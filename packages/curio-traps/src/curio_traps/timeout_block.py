"""TimeoutBlock: the one implementation of a block of code bounded in time.

``timeout_after`` and ``ignore_after`` (curio-kernel), the ``timeout=``
arguments of curio-net and curio-subprocess are all this block, differing only
in what they raise on expiry.  Entering opens a kernel timeout block with
``_set_timeout``; leaving closes it with ``_unset_timeout`` and tells whether
the exception passing through is the block's own expiry.

Why by identity: the kernel raises ``TaskTimeout(deadline)`` or
``TimeoutCancellationError(deadline)`` with the very float object the block
handed it, so two blocks whose deadlines are equal numbers still never take
each other's expiry for their own.
"""

from __future__ import annotations

import math

from .async_threads import AwaitedContext
from .errors import TaskTimeout, UncaughtTimeoutError
from .interruptions import is_timeout
from .protocol import TimeoutState
from .traps import _clock, _set_timeout, _unset_timeout

__all__ = ["TimeoutBlock", "check_seconds"]


def check_seconds(seconds: object, what: str = "a timeout") -> float:
    """*seconds* as a float, or ``TypeError`` (not a number) / ``ValueError`` (NaN).

    Negative values are allowed: a limit already past expires at the first wait.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{what} needs a number of seconds, got {seconds!r}")
    if math.isnan(seconds):
        raise ValueError(f"{what} of NaN seconds is meaningless")
    return float(seconds)


class TimeoutBlock(AwaitedContext):
    """A span of code limited to *seconds* (``None``: no limit, but still a block).

    With *absolute*, *seconds* is the deadline itself, a value of the
    kernel's clock (``await clock()``).  Subclasses decide what expiry
    means: see ``curio_kernel.TimeoutAfter``.  ``expired`` tells afterwards
    whether the block's own deadline passed.
    """

    __slots__ = ("_absolute", "_deadline", "_record", "_seconds", "expired")

    expired: bool

    def __init__(self, seconds: float | None, *, absolute: bool = False) -> None:
        self._seconds = None if seconds is None else check_seconds(seconds)
        self._absolute = absolute
        self._deadline: float | None = None
        self._record: TimeoutState | None = None
        self.expired = False

    async def enter(self) -> None:
        """Open the block: its deadline counts from now."""
        if self._record is not None:
            raise RuntimeError("this timeout block is already in use; make one per 'async with'")
        seconds = self._seconds
        if seconds is None:
            self._deadline = None
        elif self._absolute:
            # A float of its own (float(x) would be x itself): the expiry is
            # recognised by identity, and another block may share the value.
            self._deadline = seconds + 0.0
        else:
            self._deadline = await _clock() + max(0.0, seconds)
        self._record = await _set_timeout(self._deadline)

    async def leave(self, exc: BaseException | None) -> bool:
        """Close the block; ``True`` if *exc* is this block's own expiry.

        A ``TaskTimeout`` that is not the block's own was raised by an inner
        block and escaped it: that is a bug of the code inside, reported as
        ``UncaughtTimeoutError``.
        """
        record, self._record = self._record, None
        if record is None:
            raise RuntimeError("a timeout block was left without being entered")
        await _unset_timeout(record)
        if exc is None or not is_timeout(exc):
            return False
        if self._deadline is not None and exc.args and exc.args[0] is self._deadline:
            self.expired = True
            return True
        if isinstance(exc, TaskTimeout):
            raise UncaughtTimeoutError(
                "a TaskTimeout of an inner timeout block was not caught inside this block"
            ) from exc
        return False
