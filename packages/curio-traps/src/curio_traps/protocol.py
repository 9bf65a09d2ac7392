"""The typed contract between the traps and whatever kernel runs them.

A trap is a tuple ``(tag, *arguments)`` yielded by a coroutine.  A kernel
answers it by calling its handler for ``tag`` with the whole tuple; the
handler returns the value to send back into the task, returns
:data:`SUSPEND` when the task must wait, or raises the exception the task
should see.  :class:`TrapHandlers` lists every handler a kernel provides, so
a second kernel (a test kernel with a virtual clock, say) can be written and
type-checked against the same protocol.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection, Coroutine
from concurrent.futures import Future
from typing import Any, Final, Protocol, TypeVar, final, runtime_checkable

from .errors import CancelledError
from .wait_queue import WaitQueue

__all__ = [
    "SUSPEND",
    "FileLike",
    "KernelQueue",
    "SignalWatcher",
    "TaskLike",
    "TimeoutState",
    "TrapHandlers",
    "running_kernel",
    "set_running_kernel",
]

T_co = TypeVar("T_co", covariant=True)


@runtime_checkable
class FileLike(Protocol):
    """Anything with a ``fileno()``: sockets, files, pipes."""

    def fileno(self) -> int: ...


class TaskLike(Protocol[T_co]):
    """What a task looks like from outside the kernel.

    ``curio_kernel.Task`` satisfies it; the traps return it so that packages
    above the traps never need to import the kernel.
    """

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def terminated(self) -> bool: ...

    async def join(self) -> T_co: ...

    async def cancel(
        self, *, exc: type[BaseException] | BaseException = CancelledError
    ) -> bool: ...


#: What ``_wait_on_queue`` / ``_reschedule_tasks`` take: a :class:`WaitQueue`
#: (removal of a cancelled waiter in O(1)), or a plain ``collections.deque``
#: as in curio 1.x (removal in O(n)).  Only the kernel touches the items.
KernelQueue = WaitQueue | deque[Any]


class SignalWatcher(Protocol):
    """The kernel's view of a signal set (``curio_signal.SignalSet``).

    ``signos`` are the signals it watches; the kernel appends each arriving
    signal to ``pending`` while the set is watched.
    """

    @property
    def signos(self) -> Collection[int]: ...

    @property
    def pending(self) -> deque[int]: ...


#: Opaque record of one timeout block, returned by ``_set_timeout``; hand it
#: back to ``_unset_timeout`` when the block ends.
TimeoutState = object


@final
class _Suspend:
    """The type of :data:`SUSPEND`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SUSPEND"


#: Returned by a trap handler when the trapping task must wait.
SUSPEND: Final = _Suspend()

Trap = tuple[Any, ...]


class TrapHandlers(Protocol):
    """Every trap a kernel must handle, one method per trap tag.

    Each method receives the trap tuple exactly as the task yielded it and
    applies to the task that is running.  ``curio_traps.traps.HANDLERS``
    maps each tag to the name of its method here.

    Some handlers are *immediate*: ``trap_current_task``,
    ``trap_reschedule_tasks``, ``trap_clock``, ``trap_set_allow_cancel``,
    ``trap_set_cancellation`` and ``trap_io_waiting`` never suspend the caller.
    Code running in a task of the kernel may call them directly on
    :func:`running_kernel` instead of awaiting the trap, which a synchronous
    method (``Queue.put_nowait``) has to do.  ``current`` is the running task.
    """

    @property
    def current(self) -> TaskLike[Any] | None: ...

    def trap_read_wait(self, trap: tuple[int, FileLike | int], /) -> object: ...
    def trap_write_wait(self, trap: tuple[int, FileLike | int], /) -> object: ...
    def trap_future_wait(self, trap: tuple[int, Future[Any]], /) -> object: ...
    def trap_join_task(self, trap: tuple[int, TaskLike[Any]], /) -> object: ...
    def trap_cancel_task(
        self, trap: tuple[int, TaskLike[Any], type[BaseException] | BaseException, bool], /
    ) -> object: ...
    def trap_wait_on_queue(self, trap: tuple[int, KernelQueue, str], /) -> object: ...
    def trap_reschedule_tasks(
        self, trap: tuple[int, KernelQueue, int, object, BaseException | None], /
    ) -> object: ...
    def trap_sigwatch(self, trap: tuple[int, SignalWatcher], /) -> object: ...
    def trap_sigunwatch(self, trap: tuple[int, SignalWatcher], /) -> object: ...
    def trap_sigwait(self, trap: tuple[int, SignalWatcher], /) -> object: ...
    def trap_sleep(self, trap: tuple[int, float], /) -> object: ...
    def trap_spawn(self, trap: tuple[int, Coroutine[Any, Any, Any], bool], /) -> object: ...
    def trap_current_task(self, trap: tuple[int], /) -> object: ...
    def trap_set_timeout(self, trap: tuple[int, float | None], /) -> object: ...
    def trap_unset_timeout(self, trap: tuple[int, TimeoutState], /) -> object: ...
    def trap_clock(self, trap: tuple[int], /) -> object: ...
    def trap_run_in_thread(self, trap: tuple[int, Callable[[], Any]], /) -> object: ...
    def trap_io_release(self, trap: tuple[int, FileLike | int], /) -> object: ...
    def trap_wait_task(self, trap: tuple[int, TaskLike[Any]], /) -> object: ...
    def trap_set_allow_cancel(self, trap: tuple[int, bool], /) -> object: ...
    def trap_check_cancellation(
        self, trap: tuple[int, type[BaseException] | tuple[type[BaseException], ...] | None], /
    ) -> object: ...
    def trap_set_cancellation(
        self, trap: tuple[int, type[BaseException] | BaseException | None], /
    ) -> object: ...
    def trap_io_waiting(self, trap: tuple[int, FileLike | int], /) -> object: ...
    def trap_wait_idle(self, trap: tuple[int, float], /) -> object: ...


_local = threading.local()


def set_running_kernel(kernel: TrapHandlers | None) -> None:
    """Record (or clear, with ``None``) the kernel running in this thread."""
    _local.kernel = kernel


def running_kernel() -> TrapHandlers | None:
    """The kernel running in this thread, or ``None`` outside any kernel."""
    kernel: TrapHandlers | None = getattr(_local, "kernel", None)
    return kernel
