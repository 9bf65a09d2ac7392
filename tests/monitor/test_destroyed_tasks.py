"""A kernel dropped with tasks still pending reports each of them, and where it was spawned."""

from __future__ import annotations

import gc
import logging
import subprocess
import sys
import textwrap

import pytest

import curio_kernel as ck


async def stopping_main(kernel: ck.Kernel) -> None:
    kernel.stop()
    await ck.sleep(1000)


def test_a_dropped_kernel_reports_its_pending_tasks(caplog: pytest.LogCaptureFixture) -> None:
    kernel = ck.Kernel()
    kernel.run(stopping_main(kernel))  # stops with main still asleep
    with caplog.at_level(logging.ERROR, logger="curio"):
        del kernel
        gc.collect()
    messages = [r.getMessage() for r in caplog.records if "destroyed" in r.getMessage()]
    assert len(messages) == 1
    assert messages[0].startswith("Task 1 (stopping_main) was destroyed but it is pending")
    assert "python -X dev" in messages[0]


def test_a_closed_kernel_reports_nothing(caplog: pytest.LogCaptureFixture) -> None:
    kernel = ck.Kernel()
    kernel.run(stopping_main(kernel))
    kernel.close()
    with caplog.at_level(logging.ERROR, logger="curio"):
        del kernel
        gc.collect()
    assert not [r for r in caplog.records if "destroyed" in r.getMessage()]


def test_development_mode_records_where_a_task_was_spawned(tmp_path: object) -> None:
    program = textwrap.dedent(
        """
        import gc, logging
        import curio_kernel as ck

        logging.basicConfig(format="%(message)s")

        async def sleeper():
            await ck.sleep(1000)

        async def main(kernel):
            await ck.spawn(sleeper)  # SPAWN-LINE
            kernel.stop()
            await ck.sleep(1000)

        kernel = ck.Kernel()
        kernel.run(main(kernel))
        del kernel
        gc.collect()
        """
    )
    line = next(n for n, text in enumerate(program.splitlines(), 1) if "SPAWN-LINE" in text)
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", program],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert f"(sleeper) was destroyed but it is pending (spawned at <string>:{line})" in (
        result.stderr
    )
