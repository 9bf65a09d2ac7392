"""The timer heap: when each sleeping task wakes, and when each timeout block expires.

One binary heap holds two kinds of entry, ordered by deadline:

* a sleep, ``(deadline, task id, task)``: live while ``task._timer`` is that
  very tuple (a task has one sleep at a time; waking it early just drops the
  reference, which makes the entry stale);
* a timeout block, ``(deadline, sequence, scope)``: live while its
  :class:`Scope` is open and not spent.  The sequence numbers are negative,
  so they never tie with a task id.

Stale entries are not searched for and removed (that would cost a scan):
they are skipped when they reach the top, and the heap is rebuilt without
them when they are more than half of it.  A closed timeout block therefore
costs nothing until then, and its entry can never fire.

Discussion: why every timeout block has an entry of its own.  Keeping only
the earliest deadline of a task in the heap saves entries, but an outer
deadline must then be pushed again each time an inner block closes, and the
copies fire twice.  With one entry per block, an entry fires at most once
(it is popped when it fires), and closing a block is one flag.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

from curio_traps import TaskTimeout, TimeoutCancellationError, is_timeout

if TYPE_CHECKING:
    from .task import Task

__all__ = ["Scope", "TimerHeap", "scope_index", "spend_scopes"]

#: Rebuild the heap when more than this many entries are stale (and half of it).
_STALE_LIMIT: Final = 1024


class Scope:
    """One open timeout block of a task, as the kernel sees it.

    *deadline* is the very object the block passed to ``_set_timeout`` (or
    ``None``): exceptions carry it so the block recognises its own expiry.
    A scope is *spent* once a cancellation or timeout has been delivered to
    its task while it was open: the interruption is unwinding through the
    block, and the block's own deadline must not fire on top of it.
    """

    __slots__ = ("deadline", "open", "spent", "task")

    def __init__(self, deadline: float | None, task: Task[Any]) -> None:
        self.deadline = deadline
        self.task = task
        self.open = True
        self.spent = False

    def __repr__(self) -> str:
        state = "spent" if self.spent else "open" if self.open else "closed"
        return f"<Scope deadline={self.deadline!r} {state} task={self.task.id}>"


Entry = tuple[float, int, Any]


class TimerHeap:
    """The deadlines of sleeps and timeout blocks, earliest first."""

    __slots__ = ("_sequence", "_stale", "heap")

    def __init__(self) -> None:
        #: The entries; the kernel reads ``heap[0]`` and tests ``if heap``.
        self.heap: list[Entry] = []
        self._stale = 0
        self._sequence = itertools.count(-1, -1)

    def __len__(self) -> int:
        return len(self.heap)

    def add_sleep(self, deadline: float, task: Task[Any]) -> Entry:
        """Wake *task* at *deadline*; the entry is live while ``task._timer`` is it."""
        entry = (deadline, task.id, task)
        heapq.heappush(self.heap, entry)
        return entry

    def add_scope(self, scope: Scope, deadline: float) -> None:
        """Expire *scope* at *deadline*."""
        heapq.heappush(self.heap, (deadline, next(self._sequence), scope))

    def closed_scope(self) -> None:
        """Note that a scope with an entry has closed: its entry is stale now."""
        self._stale = stale = self._stale + 1
        if stale > _STALE_LIMIT and stale * 2 > len(self.heap):
            self.heap = [entry for entry in self.heap if _live(entry)]
            heapq.heapify(self.heap)
            self._stale = 0

    def next_deadline(self) -> float | None:
        """The earliest live deadline, dropping stale entries above it; ``None`` if none."""
        heap = self.heap
        while heap and not _live(heap[0]):
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, now: float) -> Iterator[Task[Any] | Scope]:
        """Remove and yield, earliest first, the live entries due at *now*.

        A task is a sleep that is over; a scope is a timeout block that
        expired.  Lazily: each entry is checked when it is popped, after the
        caller has handled the one before (which may have ended a sleep due
        in the same pass, by cancelling its task).
        """
        heap = self.heap
        while heap and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            if _live(entry):
                yield entry[2]


def _live(entry: Entry) -> bool:
    payload = entry[2]
    if payload.__class__ is Scope:
        return bool(payload.open and not payload.spent and not payload.task.terminated)
    return payload._timer is entry


def scope_index(task: Task[Any], exc: BaseException) -> int:
    """Position in *task*'s open timeout blocks of the one *exc* is the expiry of."""
    deadline = exc.args[0] if exc.args else None
    scopes = task._scopes or ()
    for index in range(len(scopes) - 1, -1, -1):
        if scopes[index].deadline is deadline:
            return index
    return len(scopes)


def spend_scopes(task: Task[Any], exc: BaseException) -> BaseException:
    """Spend the timeout blocks *exc* will unwind through in *task*; return what to raise.

    Discussion: this is what keeps a cancellation from being lost.  Once
    a cancellation is raised in a task, the task unwinds through its
    open timeout blocks, often waiting on the way (a task group
    cancelling its members, a condition taking its lock back).  If one
    of those blocks' deadlines fired during that wait, its timeout would
    replace the cancellation, and the block would then take it for its
    own ordinary expiry and carry on.  So the blocks an interruption
    unwinds through are *spent* and their deadlines no longer fire: all
    open blocks for an explicit cancellation, and for a timeout the
    expired block and those inside it.  Blocks opened later (a time
    limit on the clean-up itself) fire as usual, and an enclosing
    block's deadline still fires as the stronger interruption.

    A timeout is named here, when it reaches the task: ``TaskTimeout`` if
    its block is the innermost open one, ``TimeoutCancellationError`` if
    blocks are open inside it (one may have opened while the expiry waited
    for the task's next blocking call).
    """
    scopes = task._scopes
    if not scopes:
        return exc
    first = scope_index(task, exc) if is_timeout(exc) else 0
    for index in range(first, len(scopes)):
        scopes[index].spent = True
    return name_expiry(task, exc)


def name_expiry(task: Task[Any], exc: BaseException) -> BaseException:
    """*exc* as *task* would receive it now: a timeout named after where its block stands.

    ``TaskTimeout`` if the expired block is the innermost open one,
    ``TimeoutCancellationError`` if blocks are open inside it; anything
    else unchanged.  Nothing is spent (see :func:`spend_scopes`).
    """
    scopes = task._scopes
    if not scopes or not is_timeout(exc):
        return exc
    innermost = scope_index(task, exc) == len(scopes) - 1
    if innermost == (type(exc) is TaskTimeout):
        return exc
    kind = TaskTimeout if innermost else TimeoutCancellationError
    return kind(exc.args[0])
