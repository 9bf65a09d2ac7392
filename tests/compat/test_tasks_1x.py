"""curio 1.6's tasks and basic execution: spawn, the Task API, run() and Kernel.run().

From the 1.6 reference ("Basic Execution", "Tasks", and ``Task.traceback()`` /
``Task.where()`` of "Debugging and Diagnostics"), with the differences
curio-kernel documents: ``Task.cancel()`` raises ``TaskCancelled`` by default,
and ``where()`` is both a plain call and awaitable.
"""

from __future__ import annotations

import inspect
import logging
import selectors
from collections.abc import Callable
from typing import Any, cast

import pytest

from curio_kernel import (
    CancelledError,
    Kernel,
    Task,
    TaskCancelled,
    TaskError,
    TaskTimeout,
    clock,
    current_task,
    run,
    schedule,
    sleep,
    spawn,
    timeout_after,
)
from curio_kernel.testing import MockClock
from curio_sync import Event

pytestmark = pytest.mark.timeout(20)


class Stop(Exception):
    """A custom cancellation exception for ``Task.cancel(exc=...)``."""


async def add(a: int, b: int) -> int:
    return a + b


async def parked() -> None:
    """Wait until cancelled, on the line where() and traceback() find."""
    await sleep(3600)


async def parked_below() -> None:
    await parked()


async def named_worker() -> None:
    pass


async def crash() -> None:
    raise ValueError("crashed")


def _line_of(func: Callable[..., Any], text: str) -> int:
    """The line number, in this file, of the first line of *func* containing *text*."""
    lines, start = inspect.getsourcelines(func)
    return start + next(i for i, line in enumerate(lines) if text in line)


# ---------------------------------------------------------------------- spawn


def test_spawn_calls_a_coroutine_function_with_its_arguments() -> None:
    async def main() -> int:
        task = await spawn(add, 2, 3)
        return await task.join()

    assert run(main) == 5


def test_spawn_also_takes_a_coroutine() -> None:
    async def main() -> int:
        task = await spawn(add(4, 5))
        return await task.join()

    assert run(main) == 9


def test_spawn_daemon_true_makes_a_daemon_task_and_the_default_does_not() -> None:
    async def main() -> tuple[bool, bool]:
        never = Event()
        daemon = await spawn(never.wait, daemon=True)
        plain = await spawn(named_worker)
        await plain.join()
        return daemon.daemon, plain.daemon

    assert run(main) == (True, False)


def test_a_daemon_task_does_not_keep_run_alive() -> None:
    daemons: list[Task[Any]] = []

    async def main() -> str:
        daemons.append(await spawn(Event().wait, daemon=True))  # never set
        return "main ended"

    assert run(main) == "main ended"
    assert daemons[0].terminated  # run() shut the kernel down behind main


def test_current_task_is_the_task_spawn_returned() -> None:
    async def whoami() -> Task[Any]:
        return await current_task()

    async def main() -> bool:
        task = await spawn(whoami)
        return (await task.join()) is task

    assert run(main) is True


# ---------------------------------------------------------------------- join and wait


def test_join_returns_the_tasks_value() -> None:
    async def main() -> int:
        task = await spawn(add, 20, 22)
        return await task.join()

    assert run(main) == 42


def test_join_of_a_failed_task_raises_task_error_caused_by_its_exception() -> None:
    async def main() -> None:
        task = await spawn(crash)
        with pytest.raises(TaskError) as info:
            await task.join()
        assert isinstance(info.value.__cause__, ValueError)
        assert info.value.__cause__ is task.exception

    run(main)


def test_join_of_a_cancelled_task_raises_task_error_caused_by_the_cancellation() -> None:
    async def main() -> None:
        task = await spawn(parked)
        await task.cancel()
        with pytest.raises(TaskError) as info:
            await task.join()
        assert isinstance(info.value.__cause__, TaskCancelled)

    run(main)


def test_wait_waits_for_the_end_and_raises_nothing_for_a_failed_task() -> None:
    async def failing(gate: Event) -> None:
        await gate.wait()
        raise ValueError("not raised by wait()")

    async def main() -> tuple[object, bool, type[BaseException]]:
        gate = Event()
        task = await spawn(failing, gate)
        assert not task.terminated
        await gate.set()
        returned = await task.wait()  # type: ignore[func-returns-value]
        assert task.exception is not None
        return returned, task.terminated, type(task.exception)

    assert run(main) == (None, True, ValueError)


# ---------------------------------------------------------------------- cancel


def test_cancel_returns_true_for_a_running_task() -> None:
    async def main() -> tuple[bool, bool]:
        task = await spawn(parked)
        return await task.cancel(), task.terminated

    assert run(main) == (True, True)


def test_cancel_returns_false_for_a_task_that_has_ended() -> None:
    async def main() -> tuple[bool, bool]:
        task = await spawn(add, 1, 1)
        await task.join()
        return await task.cancel(), task.cancelled

    assert run(main) == (False, False)


def test_cancel_with_blocking_false_returns_at_once_and_the_task_ends_later() -> None:
    async def slow_cleanup(release: Event) -> None:
        try:
            await sleep(3600)
        except TaskCancelled:
            await release.wait()  # cleanup that blocks: cancel() does not wait for it
            raise

    async def main() -> list[bool]:
        release = Event()
        task = await spawn(slow_cleanup, release)
        seen = [await task.cancel(blocking=False), task.terminated]
        await release.set()
        await task.wait()
        return [*seen, task.terminated]

    assert run(main) == [True, False, True]


def test_cancel_raises_task_cancelled_inside_the_task_by_default() -> None:
    async def victim() -> str:
        try:
            await sleep(3600)
        except BaseException as exc:
            return type(exc).__name__
        return "not cancelled"

    async def main() -> str:
        task = await spawn(victim)
        await task.cancel()
        return task.result

    assert run(main) == "TaskCancelled"


@pytest.mark.parametrize("exc", [Stop, Stop("as an instance")], ids=["class", "instance"])
def test_cancel_with_exc_raises_that_exception_inside_the_task(exc: type[Stop] | Stop) -> None:
    async def victim() -> BaseException:
        try:
            await sleep(3600)
        except Stop as raised:
            return raised
        raise AssertionError("not cancelled with Stop")

    async def main() -> BaseException:
        task = await spawn(victim)
        await task.cancel(exc=exc)
        return task.result

    raised = run(main)
    assert type(raised) is Stop
    if isinstance(exc, Stop):
        assert raised is exc


def test_a_second_cancel_waits_for_the_first_and_cancels_no_more() -> None:
    log: list[str] = []

    async def victim(release: Event) -> None:
        try:
            await sleep(3600)
        except TaskCancelled:
            log.append("cancelled")
            await release.wait()  # a second cancellation would interrupt this wait
            log.append("cleanup done")
            raise

    async def second_cancel(task: Task[None]) -> bool:
        return await task.cancel()

    async def main() -> bool:
        release = Event()
        task = await spawn(victim, release)
        assert await task.cancel(blocking=False)
        helper = await spawn(second_cancel, task)
        assert not helper.terminated  # waiting for the first cancellation to take effect
        await release.set()
        return await helper.join()

    assert run(main) is True
    assert log == ["cancelled", "cleanup done"]


def test_an_error_raised_while_being_cancelled_is_logged_not_raised_by_cancel(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def victim() -> None:
        try:
            await sleep(3600)
        except TaskCancelled:
            raise KeyError("raised during cancellation") from None

    async def main() -> tuple[bool, type[BaseException]]:
        task = await spawn(victim)
        cancelled = await task.cancel()  # does not raise the KeyError
        assert task.exception is not None
        return cancelled, type(task.exception)

    with caplog.at_level(logging.ERROR, logger="curio"):
        assert run(main) == (True, KeyError)
    assert any(
        record.name == "curio" and "crashed" in record.getMessage() for record in caplog.records
    )


# ---------------------------------------------------------------------- result and exception


def test_result_before_the_task_ends_raises_runtime_error() -> None:
    async def main() -> None:
        task = await spawn(parked)
        with pytest.raises(RuntimeError):
            task.result  # noqa: B018
        await task.cancel()

    run(main)


def test_result_after_the_end_is_the_return_value() -> None:
    async def main() -> int:
        task = await spawn(add, 3, 4)
        await task.wait()
        return task.result

    assert run(main) == 7


def test_result_of_a_failed_task_raises_the_tasks_own_exception() -> None:
    async def main() -> None:
        task = await spawn(crash)
        await task.wait()
        with pytest.raises(ValueError, match="crashed") as info:
            task.result  # noqa: B018
        assert info.value is task.exception

    run(main)


def test_exception_is_none_after_a_normal_end() -> None:
    async def main() -> BaseException | None:
        task = await spawn(add, 1, 2)
        await task.join()
        return task.exception

    assert run(main) is None


def test_exception_is_what_a_failed_task_raised() -> None:
    async def main() -> BaseException | None:
        task = await spawn(crash)
        await task.wait()
        return task.exception

    exc = run(main)
    assert isinstance(exc, ValueError)
    assert str(exc) == "crashed"


# ---------------------------------------------------------------------- flags and counters


def test_cancelled_is_true_after_cancel() -> None:
    async def main() -> tuple[bool, bool]:
        task = await spawn(parked)
        before = task.cancelled
        await task.cancel()
        return before, task.cancelled

    assert run(main) == (False, True)


def test_cancelled_is_false_after_a_normal_end() -> None:
    async def main() -> bool:
        task = await spawn(add, 1, 2)
        await task.join()
        return task.cancelled

    assert run(main) is False


def test_cancelled_is_false_when_a_timeout_ended_the_task(virtual_clock: MockClock) -> None:
    async def timed_out() -> None:
        await timeout_after(0.01, sleep, 10)

    async def main() -> tuple[bool, bool, BaseException | None]:
        task = await spawn(timed_out)
        await task.wait()
        assert await clock() == 0.01
        return task.terminated, task.cancelled, task.exception

    terminated, cancelled, exc = run(main, clock=virtual_clock)
    assert terminated
    assert isinstance(exc, TaskTimeout)
    assert cancelled is False


def test_terminated_is_false_while_the_task_runs_and_true_once_it_ended() -> None:
    async def main() -> tuple[bool, bool]:
        gate = Event()
        task = await spawn(gate.wait)
        before = task.terminated
        await gate.set()
        await task.join()
        return before, task.terminated

    assert run(main) == (False, True)


def test_cycles_grows_with_each_step_of_the_task() -> None:
    seen: list[int] = []

    async def stepper() -> None:
        me = await current_task()
        for _ in range(3):
            seen.append(me.cycles)
            await schedule()

    async def main() -> int:
        task = await spawn(stepper)
        await task.join()
        return task.cycles

    final = run(main)
    assert len(seen) == 3
    assert seen[0] < seen[1] < seen[2] < final


def test_name_is_the_coroutine_functions_qualified_name() -> None:
    async def main() -> str:
        task = await spawn(named_worker)
        await task.join()
        return task.name

    assert run(main) == "named_worker"


def test_coro_is_the_coroutine_the_task_runs() -> None:
    async def main() -> bool:
        coro = add(1, 1)
        task = await spawn(coro)
        await task.join()
        return task.coro is coro

    assert run(main) is True


def test_parentid_is_the_id_of_the_spawning_task() -> None:
    async def child() -> int | None:
        return (await current_task()).parentid

    async def main() -> tuple[int | None, int]:
        task = await spawn(child)
        return await task.join(), (await current_task()).id

    parentid, main_id = run(main)
    assert parentid == main_id


def test_parentid_of_the_main_task_is_none() -> None:
    async def main() -> int | None:
        return (await current_task()).parentid

    assert run(main) is None


def test_task_ids_increase_with_each_new_task() -> None:
    async def main() -> list[int]:
        ids = [(await current_task()).id]
        for _ in range(3):
            task = await spawn(named_worker)
            await task.join()
            ids.append(task.id)
        return ids

    ids = run(main)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


# ---------------------------------------------------------------------- where and traceback


def test_where_gives_the_file_and_line_where_the_task_waits() -> None:
    async def main() -> tuple[str | None, int | None]:
        task = await spawn(parked_below)
        filename, lineno = task.where()
        await task.cancel()
        return filename, lineno

    assert run(main) == (__file__, _line_of(parked, "await sleep(3600)"))


def test_where_can_also_be_awaited() -> None:
    async def main() -> tuple[str | None, int | None]:
        task = await spawn(parked)
        filename, lineno = await task.where()
        await task.cancel()
        return filename, lineno

    assert run(main) == (__file__, _line_of(parked, "await sleep(3600)"))


def test_where_of_a_task_that_has_ended_is_none_none() -> None:
    async def main() -> tuple[tuple[str | None, int | None], tuple[str | None, int | None]]:
        task = await spawn(named_worker)
        await task.join()
        return tuple(task.where()), tuple(await task.where())  # type: ignore[return-value]

    assert run(main) == ((None, None), (None, None))


def test_traceback_is_a_string_naming_the_function_the_task_waits_in() -> None:
    async def main() -> str:
        task = await spawn(parked_below)
        text = task.traceback()
        await task.cancel()
        return text

    text = run(main)
    assert isinstance(text, str)
    assert "in parked\n" in text
    assert "in parked_below\n" in text
    assert text.index("in parked_below") < text.index("in parked\n")  # outermost first


# ---------------------------------------------------------------------- schedule


def test_schedule_lets_another_ready_task_run_before_the_caller_goes_on() -> None:
    order: list[str] = []

    async def stepper(name: str) -> None:
        for step in range(3):
            order.append(f"{name}{step}")
            await schedule()

    async def main() -> None:
        first = await spawn(stepper, "a")
        second = await spawn(stepper, "b")
        await first.join()
        await second.join()

    run(main)
    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]


# ---------------------------------------------------------------------- Kernel.run


def test_kernel_run_calls_a_coroutine_function_with_its_arguments() -> None:
    with Kernel() as kernel:
        assert kernel.run(add, 5, 6) == 11


def test_run_accepts_a_coroutine_function_and_arguments_or_a_coroutine() -> None:
    assert run(add, 1, 2) == 3
    assert run(add(3, 4)) == 7


@pytest.mark.parametrize("log_errors", [True, False])
def test_kernel_run_still_takes_pdb_and_log_errors_positionally_after_a_coroutine(
    log_errors: bool, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> str:
        await spawn(crash)  # a crash nobody waits for: logged only with log_errors
        return "done"

    with caplog.at_level(logging.ERROR, logger="curio"), Kernel() as kernel:
        assert kernel.run(main(), False, log_errors) == "done"
    logged = any(
        record.name == "curio" and "crashed" in record.getMessage() for record in caplog.records
    )
    assert logged is log_errors


def test_kernel_run_with_shutdown_true_cancels_a_leftover_daemon() -> None:
    seen: list[BaseException] = []

    async def background() -> None:
        try:
            await Event().wait()  # never set
        except BaseException as exc:
            seen.append(exc)
            raise

    async def main() -> Task[None]:
        return await spawn(background, daemon=True)

    with Kernel() as kernel:
        daemon = kernel.run(main, shutdown=True)
        assert daemon.terminated  # before the kernel itself is closed
        assert len(seen) == 1
        assert isinstance(seen[0], CancelledError)


def test_a_daemon_cancelled_by_shutdown_reports_cancelled() -> None:
    async def main() -> Task[None]:
        return await spawn(Event().wait, daemon=True)

    with Kernel() as kernel:
        daemon = kernel.run(main, shutdown=True)
        assert daemon.terminated
        assert daemon.cancelled is True


def test_a_kernel_used_as_a_context_manager_runs_coroutines_one_after_the_other() -> None:
    async def whoami() -> int:
        return (await current_task()).id

    with Kernel() as kernel:
        first = kernel.run(whoami)
        second = kernel.run(whoami)
        assert kernel.run(add, 2, 2) == 4
    assert first < second


def test_leaving_the_kernel_block_shuts_down_the_tasks_left() -> None:
    async def main() -> Task[None]:
        return await spawn(Event().wait, daemon=True)

    with Kernel() as kernel:
        daemon = kernel.run(main)
        assert not daemon.terminated  # a run without shutdown leaves it waiting
    assert daemon.terminated


def test_kernel_run_with_nothing_to_run_runs_one_scheduling_pass_of_a_daemon() -> None:
    ticks: list[int] = []

    async def spinner() -> None:
        while True:
            ticks.append(len(ticks))
            await schedule()

    async def main() -> None:
        await spawn(spinner, daemon=True)

    with Kernel() as kernel:
        kernel.run(main)
        counts = [len(ticks)]
        assert kernel.run() is None
        counts.append(len(ticks))
        kernel.run()
        counts.append(len(ticks))
    assert counts == [counts[0], counts[0] + 1, counts[0] + 2]


def test_run_inside_a_running_task_raises_runtime_error() -> None:
    async def main() -> None:
        with pytest.raises(RuntimeError):
            run(add, 1, 2)

    run(main)


def test_kernel_run_of_a_new_kernel_inside_a_running_task_raises_runtime_error() -> None:
    async def main() -> None:
        with Kernel() as other, pytest.raises(RuntimeError):
            other.run(add, 1, 2)

    run(main)


@pytest.mark.parametrize("taskcls", [object, dict, "Task"], ids=["object", "dict", "a-string"])
def test_run_with_a_taskcls_that_is_not_a_task_subclass_raises_type_error(taskcls: Any) -> None:
    with pytest.raises(TypeError, match="taskcls"):
        run(add, 1, 2, taskcls=taskcls)


@pytest.mark.parametrize("seconds", [-1, 0])
def test_kernel_with_a_max_select_timeout_not_above_zero_raises_value_error(
    seconds: float,
) -> None:
    with pytest.raises(ValueError, match="max_select_timeout"):
        Kernel(max_select_timeout=seconds)


def test_run_of_a_function_that_is_not_a_coroutine_function_raises_type_error() -> None:
    def plain() -> int:
        return 1

    with pytest.raises(TypeError, match="coroutine"):
        run(cast(Any, plain))


def test_max_select_timeout_caps_every_wait_in_the_selector() -> None:
    waits: list[float | None] = []

    class RecordingSelector(selectors.DefaultSelector):
        def select(self, timeout: float | None = None) -> Any:
            waits.append(timeout)
            return super().select(timeout)

    async def main() -> None:
        # Real time on purpose: the cap is on the selector's real wait.
        await sleep(0.05)  # one long wait, which the cap splits

    with Kernel(selector=RecordingSelector(), max_select_timeout=0.01) as kernel:
        kernel.run(main)
    assert waits
    assert all(w is not None and w <= 0.01 for w in waits)
    assert len([w for w in waits if w and w > 0]) >= 3
