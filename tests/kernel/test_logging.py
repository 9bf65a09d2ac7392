"""Crashes nobody waits for are logged on the 'curio' logger."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import Kernel, TaskError, run, sleep, spawn


async def crash() -> None:
    await sleep(0)
    raise ValueError("unjoined crash")


def _crash_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "curio" and r.levelno >= logging.ERROR]


def test_unjoined_crash_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        await spawn(crash())

    with caplog.at_level(logging.DEBUG, logger="curio"):
        run(main)
    records = _crash_records(caplog)
    assert len(records) == 1
    record = records[0]
    assert "crash" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)


def test_joined_crash_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> BaseException | None:
        task = await spawn(crash())
        try:
            await task.join()
        except TaskError as exc:
            return exc.__cause__
        return None

    with caplog.at_level(logging.DEBUG, logger="curio"):
        assert isinstance(run(main), ValueError)
    assert _crash_records(caplog) == []


def test_log_errors_false_is_quiet(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        await spawn(crash())

    with caplog.at_level(logging.DEBUG, logger="curio"):
        run(main, log_errors=False)
    assert _crash_records(caplog) == []


def test_kernel_run_log_errors_false_is_quiet(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        await spawn(crash())

    with caplog.at_level(logging.DEBUG, logger="curio"), Kernel() as kernel:
        kernel.run(main(), log_errors=False)
    assert _crash_records(caplog) == []


def test_main_task_exception_is_raised_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="curio"), pytest.raises(ValueError):
        run(crash)
    assert _crash_records(caplog) == []


def test_cancelled_task_is_not_logged(
    caplog: pytest.LogCaptureFixture, flag: Callable[[], Any]
) -> None:
    never = flag()

    async def main() -> None:
        task = await spawn(never.wait())
        await task.cancel()

    with caplog.at_level(logging.DEBUG, logger="curio"):
        run(main)
    assert _crash_records(caplog) == []
