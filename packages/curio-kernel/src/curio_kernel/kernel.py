"""The kernel: runs tasks, answers their traps, sleeps in the selector.

Reading order: :meth:`Kernel.run` drives :meth:`Kernel._loop`, which
alternates between running every ready task (``_run_ready``) and waiting for
I/O, timers, threads and signals (``_wait_for_work``, then ``_poll``).  Each
task runs until it yields a trap; ``_step`` hands the trap to the handler named in
``curio_traps.HANDLERS`` and either resumes the task at once with the
handler's result or, when the handler returns ``SUSPEND``, moves on.  A
suspended task records in ``_unwait`` how to take it out of whatever it waits
on, which is all that cancellation and timeouts need.  This module holds,
in this order, the public API, the loop (``_loop``, ``_run_ready``,
``_step``) and the life of a task (``_new_task``, ``_wake``, ``_suspend``,
``_finish`` and crash reporting, ``_cancel``, ``_blocking``).

What lives elsewhere: the trap handlers, in mixins that :class:`Kernel`
inherits, one module per concept, each with the kernel's code for it:

* ``_task_traps.py``: spawn, join, wait, cancel, the current task, and the
  control of cancellation;
* ``_queue_traps.py``: waiting on and waking from the queues of the
  synchronization primitives;
* ``_time_traps.py``: sleep, timeout blocks, the clock, the expiry of timers;
* ``_idle.py``: the wait when no task is ready, ``wait_all_tasks_blocked``, the
  clock's autojump (the clock itself: ``clocks.py``, ``testing.py``) and deadlocks;
* ``_io_traps.py``: waiting on descriptors, ``_poll`` and the wake socket;
* ``_work_traps.py``: futures, ``run_in_thread`` and the pools of threads and of worker
  processes (``_thread_pool.py``, ``_process_pool.py``);
* ``_signal_traps.py``: signal sets and Ctrl-C;
* ``_kernel_base.py``: what the mixins share, declared for the type checker.

Below them, the kernel's data structures: the deadlines of sleeps and
timeout blocks in ``_timers.py``, the descriptors the selector watches in
``_io_registry.py``, signal delivery in ``_signals.py``.  None of these
modules imports this one.  The rules that keep a cancellation from being
lost are enforced in ``Kernel._cancel`` and ``_timers.spend_scopes`` (docs:
"Cancellation and timeouts").
"""

from __future__ import annotations

import itertools
import logging
import selectors
import socket
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future
from typing import Any, Final, TypeVar, TypeVarTuple, Unpack, overload

from curio_traps import (
    HANDLERS,
    SUSPEND,
    YIELD,
    CancelledError,
    Clock,
    TaskError,
    check_seconds,
    is_timeout,
    running_kernel,
    set_running_kernel,
)

from ._idle import IdleTraps
from ._io_registry import IORegistry
from ._io_traps import _EVENT_READ, IOTraps
from ._process_pool import ProcessPool
from ._queue_traps import QueueTraps
from ._signal_traps import SignalTraps
from ._signals import _SignalHub
from ._task_traps import TaskTraps
from ._thread_pool import ThreadPool
from ._time_traps import TimeTraps
from ._timers import TimerHeap, scope_index, spend_scopes
from ._work_traps import WorkTraps
from .activation import Activation
from .clocks import MonotonicClock
from .debug import DebugSpec, create_debuggers
from .task import (
    RECORD_SPAWN_SITES,
    Task,
    _call_corofunc,
    _caller_site,
    _check_coroutine,
    _is_coroutine,
    _make_custom_task,
    _make_task,
)

__all__ = ["Kernel", "run"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

_log = logging.getLogger("curio")

#: The longest single wait in the selector, in seconds (unless max_select_timeout says less).
_LONGEST_POLL: Final = 86400.0


class Kernel(TaskTraps, QueueTraps, TimeTraps, IdleTraps, IOTraps, WorkTraps, SignalTraps):
    """Runs tasks.  Create it and use it in one thread, normally the main one.

    *selector* is a :mod:`selectors` instance (``DefaultSelector`` if
    omitted).  *with_monitor* asks for the debugging monitor.  *debug*
    names debuggers (:mod:`curio_kernel.debug`) and *activations* gives
    scheduler activations (:class:`~curio_kernel.activation.Activation`)
    to watch every task.  *taskcls* is the class of the tasks, ``Task`` or
    a subclass of it (``ContextTask``).  *max_select_timeout* caps, in
    seconds, each wait in the selector.  *clock* is where the kernel reads
    the time (:class:`~curio_traps.Clock`; ``time.monotonic`` if omitted,
    a :class:`~curio_kernel.testing.MockClock` for virtual time in tests).
    """

    def __init__(
        self,
        selector: selectors.BaseSelector | None = None,
        with_monitor: bool = False,
        *,
        debug: DebugSpec = None,
        taskcls: type[Task[Any]] = Task,
        activations: Iterable[Activation] | None = None,
        max_select_timeout: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not (isinstance(taskcls, type) and issubclass(taskcls, Task)):  # type: ignore[redundant-expr]
            raise TypeError(f"taskcls must be curio's Task or a subclass of it, got {taskcls!r}")
        observers = [*(activations or ()), *create_debuggers(debug)]
        for activation in observers:
            if not isinstance(activation, Activation):
                raise TypeError(
                    f"activations= takes curio Activation instances, got {activation!r}"
                )
        if max_select_timeout is not None:
            check_seconds(max_select_timeout, "max_select_timeout")
            if not max_select_timeout > 0:
                raise ValueError(f"max_select_timeout must be positive, got {max_select_timeout}")
        if clock is None:
            clock = MonotonicClock()
        elif not isinstance(clock, Clock):
            raise TypeError(
                "clock= takes a curio_traps.Clock (now, sleep_time, jump_to and "
                f"autojump_threshold), got {clock!r}"
            )
        self._clock = clock
        #: The clock's now(), bound once: every sleep and timeout reads it.
        self._time = clock.now
        self._selector = selector if selector is not None else selectors.DefaultSelector()
        self.with_monitor = with_monitor
        self._max_poll = _LONGEST_POLL if max_select_timeout is None else max_select_timeout
        self._taskcls = taskcls
        #: The activations watching the tasks (debuggers included).
        self._observers: tuple[Activation, ...] = tuple(observers)
        if observers or taskcls is not Task:
            self._step = self._step_observed  # type: ignore[method-assign]
        self._ready: deque[Task[Any]] = deque()
        self._tasks: dict[int, Task[Any]] = {}
        self._ids = itertools.count(1)
        self._nondaemon = 0
        #: The task running right now, if any.
        self.current: Task[Any] | None = None
        self._timers = TimerHeap()
        self._idle_waiters = []
        self._idle_order = itertools.count()
        self._idle_since = None
        #: Coroutines given to add_task, refused by spawn until their task ends.
        self._added: set[Coroutine[Any, Any, Any]] = set()
        self._registry = IORegistry(self._selector)
        self._io = self._registry.entries  # the same dict: the read hot path looks here
        self._io_waiting = 0
        self._last_idle_check = 0.0
        self._external = 0
        self._work_waits = set()
        self._completions: deque[tuple[Task[Any], Future[Any], bool]] = deque()
        self._wake_recv, self._wake_send = socket.socketpair()
        self._wake_recv.setblocking(False)
        self._wake_send.setblocking(False)
        self._selector.register(self._wake_recv.fileno(), _EVENT_READ, None)
        self._signals = _SignalHub()
        self._signal_waiters: dict[int, Task[Any]] = {}
        self._threads: ThreadPool | None = None
        self._processes: ProcessPool | None = None
        self._blocking_lines = {}
        self._running = False
        self._stopping = False
        self._interrupted = 0
        self._fatal: BaseException | None = None
        self._log_errors = True
        self._pdb = False
        self._closed = False
        self._deadlocked = False
        #: The blocked tasks of the last deadlock, a line each, for its error message.
        self._deadlock_report = ""
        self._main: Task[Any] | None = None
        self._monitor: object | None = None
        #: The clock of the current pass while a monitor runs, else None.
        self._now: float | None = None
        #: Crashed tasks to log at the end of this pass unless joined by then.
        self._crashed: list[Task[Any]] = []
        self._shutting_down = False
        self._unwait_read_cb = self._unwait_read  # bound once: the I/O hot path reuses it
        self._handlers: list[Callable[[Any], object]] = [getattr(self, name) for name in HANDLERS]
        for activation in self._observers:
            activation.activate(self)

    # ------------------------------------------------------------------ public API

    def add_task(self, coro: Coroutine[Any, Any, T], daemon: bool = False) -> Task[T]:
        """Add a task to a kernel that is not running; return it."""
        if self._running or running_kernel() is not None:
            raise RuntimeError(
                "Kernel.add_task() cannot be used on a running kernel or inside a coroutine; "
                "use 'await spawn(coro)' there"
            )
        self._check_open()
        _check_coroutine(coro, "Kernel.add_task()")
        if coro in self._added:
            raise RuntimeError(f"coroutine {coro!r} was already added as a task")
        task = self._new_task(coro, daemon, None)
        self._added.add(coro)
        if RECORD_SPAWN_SITES:
            task.spawned_at = _caller_site(1)
        task.state = "READY"
        self._ready.append(task)
        return task

    @overload
    def run(
        self,
        coro: Coroutine[Any, Any, T],
        pdb: bool = False,
        log_errors: bool = True,
        *,
        shutdown: bool = False,
    ) -> T: ...
    @overload
    def run(
        self,
        corofunc: Callable[[Unpack[Ts]], Coroutine[Any, Any, T]],
        /,
        *args: *Ts,
        shutdown: bool = False,
        pdb: bool = False,
        log_errors: bool = True,
    ) -> T: ...
    @overload
    def run(
        self,
        coro: None = None,
        pdb: bool = False,
        log_errors: bool = True,
        *,
        shutdown: bool = False,
    ) -> None: ...
    def run(  # type: ignore[misc]  # mypy cannot match the Unpack[Ts] overload to *args: Any
        self,
        coro: Any = None,
        *args: Any,
        shutdown: bool = False,
        pdb: bool = False,
        log_errors: bool = True,
    ) -> Any:
        """Run until every non-daemonic task has ended.

        *coro* is a coroutine, or a coroutine function called with *args*.
        Returns its result or raises its exception.  With *pdb*, a task
        that crashes opens the debugger post-mortem; with *log_errors*,
        crashes nobody is waiting for are logged (both may follow a
        coroutine positionally).  With *shutdown*, the kernel then cancels
        every task left and ends them.  With nothing to run (no *coro*, no
        task added) it runs one scheduling pass of the background tasks.
        """
        if self._running or running_kernel() is not None:
            raise RuntimeError(
                "Kernel.run() cannot be called inside a running kernel "
                "(one kernel runs at a time in a thread)"
            )
        self._check_open()
        if coro is not None and not _is_coroutine(coro):
            coro = _call_corofunc(coro, args, "Kernel.run()")
        elif args:
            if len(args) > 2:
                raise TypeError("Kernel.run() takes a coroutine, pdb and log_errors")
            pdb, log_errors = (*args, log_errors)[:2]
        try:
            return self._run(coro, pdb, log_errors)
        finally:
            if shutdown:
                self.shutdown()

    def _run(self, coro: Coroutine[Any, Any, T] | None, pdb: bool, log_errors: bool) -> T | None:
        main = self._main = self.add_task(coro) if coro is not None else None
        self._pdb, self._log_errors = pdb, log_errors
        self._deadlocked = False
        if self.with_monitor and self._monitor is None:
            from .monitor import attach_monitor

            try:
                self._monitor = attach_monitor(self)
            except BaseException:
                if main is not None:
                    self._discard(main)  # it must not run at shutdown instead
                raise
        self._enter()
        try:
            if main is None and self._nondaemon == 0:
                self._cycle()
            else:
                self._loop()
        except BaseException:
            # Ctrl-C, SystemExit or a kernel bug: end every task, then re-raise.
            self._exit()
            self.shutdown()
            raise
        self._exit()
        if self._fatal is not None:
            fatal, self._fatal = self._fatal, None
            self.shutdown()
            raise fatal
        if not self._tasks:
            self._close_pools()
        else:
            self._close_idle_processes()
        if main is None or not main.terminated:
            return None
        if main._exception is not None:
            if self._deadlocked and isinstance(main._exception, CancelledError):
                raise RuntimeError(
                    "deadlock: every task was waiting and nothing could wake them:"
                    + self._deadlock_report
                ) from main._exception
            raise main._exception
        return main._result  # type: ignore[no-any-return]

    @property
    def clock(self) -> Clock:
        """The clock the kernel reads the time from (``Kernel(clock=...)``)."""
        return self._clock

    @property
    def tasks(self) -> list[Task[Any]]:
        """The tasks that have not ended yet, oldest first (a snapshot)."""
        return list(self._tasks.values())

    def stop(self) -> None:
        """Ask the kernel to stop soon; safe from another thread or a task."""
        self._stopping = True
        self._wake_selector()

    def shutdown(self) -> None:
        """Cancel every remaining task, daemons included, and wait for them to end."""
        if self._running or (self._tasks and running_kernel() is not None):
            raise RuntimeError("Kernel.shutdown() cannot be called while a kernel is running")
        if self._closed:
            return
        if self._tasks:
            for task in list(self._tasks.values()):
                self._cancel(task, CancelledError("kernel shutdown"))
            self._shutting_down = True
            self._enter()
            try:
                self._loop(until_empty=True)
            finally:
                self._shutting_down = False
                self._exit()
        self._close_pools()

    def close(self) -> None:
        """Shut down and release the kernel's selector, sockets and threads."""
        if self._closed:
            return
        try:
            self.shutdown()
        finally:
            self._signals.close()
            self._selector.close()
            self._wake_recv.close()
            self._wake_send.close()
            self._closed = True

    def __del__(self) -> None:
        # A kernel dropped without close(): report the tasks that will never
        # end, and release the descriptors quietly.
        if getattr(self, "_closed", True):
            return
        self._selector.close()
        self._wake_recv.close()
        self._wake_send.close()
        for task in self._tasks.values():
            where = (
                f"spawned at {task.spawned_at[0]}:{task.spawned_at[1]}"
                if task.spawned_at is not None
                else "run with python -X dev to record where it was spawned"
            )
            _log.error(
                "Task %d (%s) was destroyed but it is pending (%s)", task.id, task.name, where
            )

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this kernel is closed")

    # ------------------------------------------------------------------ the loop

    def _enter(self) -> None:
        self._running = True
        self._idle_since = None
        self._stopping = False
        set_running_kernel(self)
        self._install_interrupt()

    def _exit(self) -> None:
        self._restore_interrupt()
        set_running_kernel(None)
        self._running = False
        self.current = None

    def _loop(self, until_empty: bool = False) -> None:
        """Alternate between running ready tasks and polling until the work is done."""
        ready = self._ready
        while True:
            if until_empty:
                if not self._tasks:
                    return
            elif self._nondaemon == 0:
                return
            if self._stopping or self._fatal is not None:
                return
            if ready:
                # Polling costs a system call: skip it while nothing outside
                # the kernel (descriptors, threads, signals) can wake a task.
                if self._io_waiting or self._external:
                    self._poll(0.0)
            elif not self._wait_for_work():
                self._deadlock(until_empty)
                continue
            # One clock reading per pass, and only when needed: for the timers,
            # and for the monitor, which shows how long each task has waited.
            # (A clock reading per pass costs ping-pong tasks 5%: nox -s bench.)
            if self._timers.heap or self._monitor is not None:
                now = self._time()
                if self._monitor is not None:
                    self._now = now
                if self._timers.heap:
                    self._expire_timers(now)
            if self._interrupted:
                self._interrupted = 0
                raise KeyboardInterrupt
            self._run_ready()
            if self._crashed:
                self._log_crashes()

    def _cycle(self) -> None:
        """One scheduling pass that never waits: ``Kernel.run()`` with nothing to run."""
        self._poll(0.0)
        if self._timers.heap:
            self._expire_timers(self._time())
        self._run_ready()
        if self._crashed:
            self._log_crashes()

    def _run_ready(self) -> None:
        """Run each task that is ready now, each until it waits or ends."""
        popleft = self._ready.popleft
        step = self._step
        for _ in range(len(self._ready)):
            step(popleft())
        self.current = None

    def _step(self, task: Task[Any]) -> None:
        """Run *task* until it waits or ends, answering the traps that don't wait.

        The speed copy of :meth:`_step_observed` (the sleep(0) switches and
        spawn rows of ``nox -s bench``): a kernel with activations or a
        Task subclass runs that one instead.
        """
        self.current = task
        value = task._next_value
        exc = task._next_exc
        task._next_value = task._next_exc = None
        task.cycles += 1
        handlers = self._handlers
        while True:
            try:
                trap = task.coro.send(value) if exc is None else task.coro.throw(exc)
            except StopIteration as stop:
                self._finish(task, stop.value, None)
                return
            except BaseException as err:
                self._finish(task, None, err)
                return
            if trap is YIELD and task._cancel_pending is None:
                # sleep(0), the switching hot path: straight to the back of the queue.
                task.state = "READY"
                self._ready.append(task)
                return
            try:
                value = handlers[trap[0]](trap)
            except BaseException as err:
                value, exc = None, self._trap_error(trap, err)
                continue
            if value is SUSPEND:
                return
            exc = None

    def _step_observed(self, task: Task[Any]) -> None:
        """:meth:`_step` that tells the activations and resumes through ``task.send``/``throw``."""
        self.current = task
        value = task._next_value
        exc = task._next_exc
        task._next_value = task._next_exc = None
        task.cycles += 1
        observers = self._observers
        for activation in observers:
            activation.running(task)
        handlers = self._handlers
        while True:
            try:
                trap = task.send(value) if exc is None else task.throw(exc)
            except StopIteration as stop:
                for activation in observers:
                    activation.suspended(task, None)
                self._finish(task, stop.value, None)
                return
            except BaseException as err:
                for activation in observers:
                    activation.suspended(task, None)
                self._finish(task, None, err)
                return
            if trap is YIELD and task._cancel_pending is None:
                task.state = "READY"
                self._ready.append(task)
                for activation in observers:
                    activation.suspended(task, trap)
                return
            try:
                value = handlers[trap[0]](trap)
            except BaseException as err:
                value, exc = None, self._trap_error(trap, err)
                continue
            if value is SUSPEND:
                for activation in observers:
                    activation.suspended(task, trap)
                return
            exc = None

    def _first_step_observed(self, parent: Task[Any], child: Task[Any], trap: object) -> None:
        """Run a new task's first step inside spawn(), the parent shown suspended meanwhile."""
        for activation in self._observers:
            activation.created(child)
            activation.suspended(parent, trap)
        self._step(child)
        self.current = parent
        for activation in self._observers:
            activation.running(parent)

    def _trap_error(self, trap: object, err: BaseException) -> BaseException:
        """Explain a yield that is not a curio trap (an asyncio future, say)."""
        if isinstance(trap, tuple) and trap and isinstance(trap[0], int):
            return err
        return TypeError(
            f"a task awaited {trap!r}, which is not a curio trap; objects of other event loops "
            "(asyncio, trio) cannot be awaited in curio"
        )

    # ------------------------------------------------------------------ task life

    def _new_task(
        self, coro: Coroutine[Any, Any, T], daemon: bool, parent: Task[Any] | None
    ) -> Task[T]:
        if self._taskcls is Task:
            task: Task[T] = _make_task(next(self._ids), coro, parent, daemon)
        else:
            task = _make_custom_task(self._taskcls, next(self._ids), coro, parent, daemon, parent)
        for activation in self._observers:
            activation.created(task)
        self._tasks[task.id] = task
        if not daemon:
            self._nondaemon += 1
        return task

    def _discard(self, task: Task[Any]) -> None:
        """Forget a task that never ran."""
        self._ready.remove(task)
        del self._tasks[task.id]
        if not task.daemon:
            self._nondaemon -= 1
        task.coro.close()

    def _wake(
        self, task: Task[Any], value: object = None, exc: BaseException | None = None
    ) -> None:
        """Make *task* ready, to resume with *value* or *exc*."""
        task._unwait = None
        task._wait_obj = None
        task._next_value = value
        task._next_exc = exc
        task.state = "READY"
        self._ready.append(task)

    def _suspend(
        self, task: Task[Any], state: str, unwait: Callable[[Task[Any]], None], obj: object = None
    ) -> object:
        """Park *task* in wait *state*; *unwait* undoes the wait if it is cancelled."""
        task.state = state
        task.waiting_since = self._now
        task._unwait = unwait
        task._wait_obj = obj
        return SUSPEND

    def _finish(self, task: Task[Any], result: object, exc: BaseException | None) -> None:
        """Record how *task* ended and wake whoever waits for it."""
        task.terminated = True
        task.state = "TERMINATED"
        task._result = result
        task._exception = exc
        if task._cancel_pending is not None:
            task._cancel_pending = None
        del self._tasks[task.id]
        if not task.daemon:
            self._nondaemon -= 1
        if self._added:
            self._added.discard(task.coro)
        joiners = task._joiners
        if joiners is not None:
            task._joiners = None
        if exc is not None:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                self._fatal = exc
            elif not isinstance(exc, CancelledError):
                joined = task._on_finish is not None or (
                    joiners is not None and not all(joiners.values())
                )
                self._report_crash(task, exc, joined)
        if joiners:
            for waiter, cancelling in joiners.items():
                if cancelling:
                    self._wake(waiter, True)
                elif exc is None:
                    self._wake(waiter, result)
                else:
                    self._wake(waiter, None, self._task_error(task))
        if task._on_finish is not None:
            task._on_finish(self, task)  # a task group collecting its members
        for activation in self._observers:
            activation.terminated(task)

    def _report_crash(self, task: Task[Any], exc: BaseException, joined: bool) -> None:
        if self._pdb:
            import pdb  # noqa: T100 - Kernel.run(pdb=True) asks for the debugger

            pdb.post_mortem(exc.__traceback__)
        elif self._log_errors and not joined and task is not self._main:
            # Logged at the end of the pass: its parent may still join it
            # right away (a crash in the first step happens inside spawn()).
            self._crashed.append(task)

    def _answered_for(self, task: Task[Any]) -> None:
        """Someone now answers for *task*'s crash (a join, a task group): do not log it."""
        if task in self._crashed:
            self._crashed.remove(task)

    def _log_crashes(self) -> None:
        for task in self._crashed:
            _log.error(
                "Task %d (%s) crashed",
                task.id,
                task.name,
                exc_info=task._exception,
            )
        self._crashed.clear()

    @staticmethod
    def _task_error(task: Task[Any]) -> TaskError:
        err = TaskError(f"task {task.id} ({task.name}) failed")
        err.__cause__ = task._exception
        return err

    def _cancel(self, task: Task[Any], exc: BaseException) -> None:
        """Deliver *exc* to *task* now if it waits, else at its next blocking trap.

        A task inside ``disable_cancellation()`` keeps waiting; the
        cancellation stays pending until delivery is allowed again.  Any
        *exc* but a timeout's expiry marks the task ``cancelled``.

        A cancellation is never lost: a timeout never replaces an explicit
        cancellation still pending, and of two pending timeouts the one of
        the enclosing block stays (``spend_scopes`` in ``_timers.py`` is the other half).
        """
        if task.terminated:
            return
        if not is_timeout(exc):
            task.cancelled = True
        unwait = task._unwait
        if unwait is not None and task._allow_cancel:
            unwait(task)
            self._wake(task, None, spend_scopes(task, exc))
            return
        pending = task._cancel_pending
        if pending is None or (is_timeout(pending) and not is_timeout(exc)):
            task._cancel_pending = exc
        elif (
            is_timeout(pending)
            and is_timeout(exc)
            and scope_index(task, exc) < scope_index(task, pending)
        ):
            task._cancel_pending = exc  # the enclosing block's timeout is the stronger

    def _blocking(self, task: Task[Any]) -> None:
        """Called by every blocking trap first: raise a pending cancellation instead.

        Not inside ``disable_cancellation()``: there the cancellation stays pending.
        """
        exc = task._cancel_pending
        if exc is not None and task._allow_cancel:
            task._cancel_pending = None
            raise spend_scopes(task, exc)


@overload
def run(
    corofunc: Coroutine[Any, Any, T],
    /,
    *,
    debug: DebugSpec = None,
    selector: selectors.BaseSelector | None = None,
    with_monitor: bool = False,
    taskcls: type[Task[Any]] = Task,
    activations: Iterable[Activation] | None = None,
    max_select_timeout: float | None = None,
    clock: Clock | None = None,
    pdb: bool = False,
    log_errors: bool = True,
) -> T: ...
@overload
def run(
    corofunc: Callable[[Unpack[Ts]], Coroutine[Any, Any, T]],
    /,
    *args: *Ts,
    debug: DebugSpec = None,
    selector: selectors.BaseSelector | None = None,
    with_monitor: bool = False,
    taskcls: type[Task[Any]] = Task,
    activations: Iterable[Activation] | None = None,
    max_select_timeout: float | None = None,
    clock: Clock | None = None,
    pdb: bool = False,
    log_errors: bool = True,
) -> T: ...
def run(  # type: ignore[misc]  # mypy cannot match the Unpack[Ts] overload to *args: Any
    corofunc: Any,
    /,
    *args: Any,
    debug: DebugSpec = None,
    selector: selectors.BaseSelector | None = None,
    with_monitor: bool = False,
    taskcls: type[Task[Any]] = Task,
    activations: Iterable[Activation] | None = None,
    max_select_timeout: float | None = None,
    clock: Clock | None = None,
    pdb: bool = False,
    log_errors: bool = True,
) -> Any:
    """Run a coroutine (or coroutine function with *args*) on a fresh kernel and return its result.

    The kernel runs until every non-daemonic task has ended, then shuts
    down.  The keyword arguments are :class:`Kernel`'s and :meth:`Kernel.run`'s.
    ``RuntimeError`` if a kernel already runs in this thread.
    """
    if running_kernel() is not None:
        raise RuntimeError("run() cannot be called inside a running kernel")
    if _is_coroutine(corofunc):
        if args:
            raise TypeError("run() takes arguments only with a coroutine function")
        coro = corofunc
    else:
        coro = _call_corofunc(corofunc, args, "run()")
    try:
        kernel = Kernel(
            selector=selector,
            with_monitor=with_monitor,
            debug=debug,
            taskcls=taskcls,
            activations=activations,
            max_select_timeout=max_select_timeout,
            clock=clock,
        )
    except BaseException:
        coro.close()
        raise
    with kernel:
        return kernel.run(coro, pdb=pdb, log_errors=log_errors)
