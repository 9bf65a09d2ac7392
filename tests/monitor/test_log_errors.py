"""``log_errors``: a crash nobody is waiting for is logged once, with its traceback."""

from __future__ import annotations

import logging

import pytest

from curio_kernel import Kernel, TaskError, run, sleep, spawn


class Boom(Exception):
    pass


async def crasher() -> None:
    raise Boom("crashed")


def crash_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "curio" and "crashed" in r.getMessage()]


def test_an_unjoined_crash_is_logged_with_id_name_and_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> int:
        task = await spawn(crasher)
        await sleep(0)
        return task.id

    with caplog.at_level(logging.ERROR, logger="curio"):
        task_id = run(main)
    [record] = crash_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"Task {task_id} (crasher) crashed"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], Boom)
    assert "in crasher" in caplog.text  # the traceback is part of the log output


def test_a_crash_is_logged_once_even_if_joined_later(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        task = await spawn(crasher)
        await sleep(0)
        with pytest.raises(TaskError):
            await task.join()
        with pytest.raises(TaskError):
            await task.join()

    with caplog.at_level(logging.ERROR, logger="curio"):
        run(main)
    assert len(crash_records(caplog)) == 1


async def late_crasher() -> None:
    await sleep(0)
    raise Boom("crashed")


def test_a_crash_someone_is_joining_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        task = await spawn(late_crasher)
        with pytest.raises(TaskError) as info:
            await task.join()
        assert isinstance(info.value.__cause__, Boom)

    with caplog.at_level(logging.ERROR, logger="curio"):
        run(main)
    assert crash_records(caplog) == []


def test_log_errors_false_keeps_quiet(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        await spawn(crasher)
        await sleep(0)

    with caplog.at_level(logging.DEBUG, logger="curio"):
        run(main, log_errors=False)
    assert crash_records(caplog) == []


def test_the_main_tasks_exception_is_raised_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="curio"), pytest.raises(Boom):
        run(crasher)
    assert crash_records(caplog) == []


def test_a_cancelled_task_is_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        task = await spawn(sleep, 1000)
        await task.cancel()

    with caplog.at_level(logging.ERROR, logger="curio"):
        run(main)
    assert crash_records(caplog) == []


def test_kernel_run_logs_crashes_of_added_tasks(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="curio"), Kernel() as kernel:
        task = kernel.add_task(crasher())
        kernel.run()
    [record] = crash_records(caplog)
    assert record.getMessage() == f"Task {task.id} (crasher) crashed"


def test_a_crash_joined_right_after_spawn_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        task = await spawn(crasher)  # crashes inside spawn(), in its first step
        with pytest.raises(TaskError):
            await task.join()

    with caplog.at_level(logging.ERROR, logger="curio"):
        run(main)
    assert crash_records(caplog) == []
