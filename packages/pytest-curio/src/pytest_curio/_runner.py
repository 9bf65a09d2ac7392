"""Run the steps of a test (fixture setups, the body, teardowns) on one long-lived kernel.

A :class:`KernelRunner` owns a :class:`curio_kernel.Kernel` that lives across many
``Kernel.run()`` calls.  Each step runs as the main task of one ``run()``, inside a wrapper
that calls ``kernel.stop()`` when the step's coroutine ends: ``run()`` would otherwise wait
for every non-daemonic task, and a fixture's server task never ends.  The tasks a step
spawned stay suspended in the kernel until the next step resumes them.

Around each step the runner watches for a background task that crashes with nobody
joining it (the kernel logs such crashes on the ``curio`` logger): the step is cancelled
at once and fails, naming the task.  A deadlock (every task waiting, nothing to wake
them) fails the step with the kernel's list of blocked tasks instead of hanging.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncGenerator, Coroutine
from typing import Any, TypeVar, cast

import pytest

from curio_kernel import Kernel, Task, current_task
from curio_traps import Clock

__all__ = ["KernelRunner"]

T = TypeVar("T")

#: The logger on which the kernel reports a task's crash that nobody answers for.
_KERNEL_LOGGER = "curio"

#: How the kernel's RuntimeError for a deadlock begins (the list of blocked tasks follows).
_DEADLOCK = "deadlock:"


class _CrashWatch(logging.Handler):
    """Collects the kernel's crash reports during a step and stops the kernel at the first."""

    def __init__(self, kernel: Kernel) -> None:
        super().__init__(logging.ERROR)
        self._kernel = kernel
        self.crashes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info is None or record.exc_info[1] is None:
            return
        exc = record.exc_info[1]
        text = "".join(traceback.format_exception(exc))
        self.crashes.append(f"{record.getMessage()}:\n{text}")
        self._kernel.stop()


def _descends(task: Task[Any], root: Task[Any]) -> bool:
    """Whether *task* was spawned by *root*, or by a task *root* spawned, and so on."""
    parent = task.parent
    while parent is not None:
        if parent is root:
            return True
        parent = parent.parent
    return False


def _describe(task: Task[Any]) -> str:
    """One line on a task still alive: its id, name, state and the line where it waits."""
    filename, lineno = task.where()
    place = f" at {filename}:{lineno}" if filename is not None else ""
    return f"task {task.id} ({task.name}) {task.state}{place}"


class KernelRunner:
    """A kernel on which the steps of tests run one ``Kernel.run()`` at a time.

    *clock* is the kernel's clock (``None``: real time).  Call :meth:`close` when the
    last step has run: it cancels the tasks left and releases the kernel.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        #: The kernel the steps run on (between steps it is not running).
        self.kernel: Kernel = Kernel(clock=clock)
        self._active: Task[Any] | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"<KernelRunner kernel={self.kernel!r} tasks={len(self.kernel.tasks)}>"

    async def _step(self, coro: Coroutine[Any, Any, T], name: str, box: list[Task[Any]]) -> T:
        task = await current_task()
        task.name = name
        box.append(task)
        self._active = task
        try:
            return await coro
        finally:
            if self._active is task:  # not when a later step cancels this one
                self.kernel.stop()

    def _run(self, coro: Coroutine[Any, Any, T], name: str, box: list[Task[Any]]) -> T:
        """Run *coro* as one step; fail on a deadlock or a background task's crash."""
        watch = _CrashWatch(self.kernel)
        logger = logging.getLogger(_KERNEL_LOGGER)
        level = logger.level
        if not logger.isEnabledFor(logging.ERROR):
            logger.setLevel(logging.ERROR)  # a quieter logging setup must not hide crashes
        logger.addHandler(watch)
        deadlock = None
        result: object = None
        try:
            result = self.kernel.run(self._step(coro, name, box))
        except RuntimeError as err:
            if not str(err).startswith(_DEADLOCK):
                raise
            deadlock = str(err).removeprefix(_DEADLOCK).strip()
        finally:
            logger.removeHandler(watch)
            logger.setLevel(level)
            if watch.crashes and box and not box[0].terminated:
                self._cancel([box[0]])
        if deadlock is not None:
            pytest.fail(f"{name} deadlocked: {deadlock}", pytrace=False)
        if watch.crashes:
            pytest.fail(
                f"a background task crashed while {name} ran:\n" + "\n".join(watch.crashes),
                pytrace=False,
            )
        return cast("T", result)

    def _cancel(self, tasks: list[Task[Any]]) -> None:
        """Cancel *tasks* and wait for them to end, in a step of their own."""

        async def cancel_all() -> None:
            for task in tasks:
                await task.cancel()

        self.kernel.run(self._step(cancel_all(), "pytest-curio's cancellation", []))

    def run_step(self, coro: Coroutine[Any, Any, T], name: str) -> T:
        """Run *coro* (a fixture's setup or teardown) on the kernel and return its result.

        The tasks it spawns keep running in the later steps.
        """
        return self._run(coro, name, [])

    def run_test(self, coro: Coroutine[Any, Any, T], name: str) -> T:
        """Run a test body; fail if the tasks it spawned are still running when it returns.

        Those tasks (the body's task's descendants) are cancelled either way, so none
        leaks into the next test; daemonic ones are cancelled without a failure.
        """
        box: list[Task[Any]] = []
        try:
            result = self._run(coro, name, box)
        except BaseException:
            self._cancel_descendants(box)
            raise
        left = self._cancel_descendants(box)
        if left:
            pytest.fail(
                f"{name} returned while tasks it spawned were still running (now cancelled):\n"
                + "\n".join(f"  {line}" for line in left),
                pytrace=False,
            )
        return result

    def _cancel_descendants(self, box: list[Task[Any]]) -> list[str]:
        """Cancel every live task the step's task spawned; describe the non-daemonic ones."""
        if not box or self._closed:
            return []
        tasks = [task for task in self.kernel.tasks if _descends(task, box[0])]
        if not tasks:
            return []
        described = [_describe(task) for task in tasks if not task.daemon]
        self._cancel(tasks)
        return described

    def setup_generator(self, agen: AsyncGenerator[T, None], name: str) -> T:
        """Run an async-generator fixture up to its ``yield``; return the value it yields."""

        async def first() -> T:
            try:
                return await agen.__anext__()
            except StopAsyncIteration:
                raise ValueError(f"{name} did not yield a value") from None

        return self.run_step(first(), name)

    def teardown_generator(self, agen: AsyncGenerator[Any, None], name: str) -> None:
        """Run an async-generator fixture from its ``yield`` to its end."""

        async def rest() -> None:
            try:
                await agen.__anext__()
            except StopAsyncIteration:
                return
            await agen.aclose()
            raise RuntimeError(f"{name} yielded more than once")

        self.run_step(rest(), f"{name} (teardown)")

    def close(self) -> None:
        """Cancel every task left on the kernel, wait for them, and release the kernel."""
        if not self._closed:
            self._closed = True
            self.kernel.close()
