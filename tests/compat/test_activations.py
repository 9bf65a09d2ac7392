"""curio 1.x scheduler activations and debuggers: Activation, curio.debug's loggers."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from curio_kernel import Activation, Kernel, Task, run, sleep, spawn
from curio_kernel.debug import logcrash, longblock, schedtrace, traptrace

pytestmark = pytest.mark.timeout(20)


class Recorder(Activation):
    """Writes down every call, as (event, task name)."""

    def __init__(self) -> None:
        self.kernel: Kernel | None = None
        self.events: list[tuple[str, str]] = []

    def activate(self, kernel: Kernel) -> None:
        self.kernel = kernel

    def created(self, task: Task[Any]) -> None:
        self.events.append(("created", task.name))

    def running(self, task: Task[Any]) -> None:
        self.events.append(("running", task.name))

    def suspended(self, task: Task[Any], trap: object) -> None:
        self.events.append(("suspended", task.name))

    def terminated(self, task: Task[Any]) -> None:
        self.events.append(("terminated", task.name))


async def child() -> int:
    await sleep(0)
    return 1


async def parent() -> int:
    task = await spawn(child)
    return await task.join()


def test_activate_is_called_with_the_kernel_it_watches() -> None:
    recorder = Recorder()
    with Kernel(activations=[recorder]) as kernel:
        assert recorder.kernel is kernel


def test_each_task_is_created_then_runs_and_suspends_in_turn_then_terminates() -> None:
    recorder = Recorder()
    assert run(parent, activations=[recorder]) == 1
    assert recorder.events == [
        ("created", "parent"),
        ("running", "parent"),
        ("created", "child"),
        ("suspended", "parent"),  # on its spawn trap, while the child takes its first step
        ("running", "child"),
        ("suspended", "child"),  # sleep(0)
        ("running", "parent"),
        ("suspended", "parent"),  # waiting in join()
        ("running", "child"),
        ("suspended", "child"),  # its end
        ("terminated", "child"),
        ("running", "parent"),
        ("suspended", "parent"),
        ("terminated", "parent"),
    ]


def test_running_and_suspended_always_alternate_for_each_task() -> None:
    recorder = Recorder()

    async def main() -> None:
        tasks = [await spawn(child) for _ in range(5)]
        for task in tasks:
            await task.join()

    run(main, activations=[recorder])
    per_task: dict[str, list[str]] = {}
    for event, name in recorder.events:
        if event in ("running", "suspended"):
            per_task.setdefault(name, []).append(event)
    for events in per_task.values():
        assert events == ["running", "suspended"] * (len(events) // 2)


def test_a_kernel_that_is_not_watched_runs_no_activation_code() -> None:
    kernel = Kernel()
    assert "_step" not in vars(kernel)  # the ordinary step, not the observed one
    kernel.close()


def test_activations_must_be_activation_objects() -> None:
    with pytest.raises(TypeError, match="Activation"):
        Kernel(activations=[object()])  # type: ignore[list-item]


def test_schedtrace_logs_the_life_of_the_tasks_its_filter_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="curio.debug"):
        run(parent, debug=schedtrace(filter={"child"}))
    messages = [record.getMessage() for record in caplog.records]
    assert messages
    assert all("child" in message for message in messages)
    kinds = [message.split(":")[0] for message in messages]
    assert kinds[0] == "CREATE"
    assert kinds[-1] == "TERMINATE"
    assert "RUN" in kinds
    assert "SUSPEND" in kinds


def test_traptrace_names_the_trap_a_step_ended_on(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="curio.debug"):
        run(parent, debug=[traptrace])
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "spawn(" in text
    assert "join_task(" in text
    assert "sleep(0)" in text


def test_debuggers_log_to_the_logger_and_level_they_are_given(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.curio.debuggers")
    with caplog.at_level(logging.DEBUG, logger="test.curio.debuggers"):
        run(child, debug=schedtrace(log=logger, level=logging.DEBUG))
    assert caplog.records
    assert {record.name for record in caplog.records} == {"test.curio.debuggers"}
    assert {record.levelno for record in caplog.records} == {logging.DEBUG}


def test_logcrash_logs_a_task_that_fails_even_when_it_is_joined(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fails() -> None:
        raise ValueError("boom")

    async def main() -> str:
        task = await spawn(fails)
        try:
            await task.join()
        except Exception as exc:
            return type(exc.__cause__).__name__
        return "no error"

    with caplog.at_level(logging.ERROR, logger="curio.debug"):
        assert run(main, debug=logcrash) == "ValueError"
    crashes = [r for r in caplog.records if r.name == "curio.debug"]
    assert len(crashes) == 1
    assert "fails" in crashes[0].getMessage()
    assert crashes[0].exc_info is not None
    assert crashes[0].exc_info[0] is ValueError


def test_longblock_warns_about_a_task_that_runs_too_long_without_suspending(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def hog() -> None:
        # Real time on purpose: longblock measures how long a task really runs.
        time.sleep(0.05)  # blocks the kernel on purpose: what longblock exists to find
        await sleep(0)

    async def polite() -> None:
        await sleep(0)

    with caplog.at_level(logging.WARNING, logger="curio.debug"):
        run(hog, debug=longblock(max_time=0.01))
        run(polite, debug=longblock(max_time=0.01))
    warnings = [r.getMessage() for r in caplog.records if r.name == "curio.debug"]
    assert len(warnings) == 1
    assert "hog" in warnings[0]


def test_debug_true_means_longblock_and_logcrash() -> None:
    recorder = Recorder()
    kernel = Kernel(debug=True, activations=[recorder])
    kinds = {type(a) for a in kernel._observers}
    assert kinds == {Recorder, longblock, logcrash}
    kernel.close()


def test_a_debug_value_that_is_no_debugger_is_refused() -> None:
    with pytest.raises(TypeError, match="debug="):
        Kernel(debug=["schedtrace"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="max_time"):
        longblock(max_time=0)
