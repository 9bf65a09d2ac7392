"""Popen.wait() waits for the child without blocking the kernel."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import pytest

from curio_kernel import TaskTimeout, run, spawn, timeout_after
from curio_subprocess import PIPE, Popen, TimeoutExpired


def test_wait_returns_the_exit_status(python: Callable[[str], list[str]]) -> None:
    async def main() -> tuple[int, int | None]:
        p = Popen(python("raise SystemExit(7)"))
        status = await p.wait()
        return status, p.returncode

    assert run(main) == (7, 7)


def test_wait_reports_the_killing_signal_as_a_negative_status(hang: list[str]) -> None:
    async def main() -> int:
        p = Popen(hang, stdout=subprocess.DEVNULL)
        p.send_signal(signal.SIGTERM)
        return await p.wait()

    assert run(main) == -signal.SIGTERM


def test_other_tasks_run_while_a_task_waits(until_stdin_closes: list[str]) -> None:
    # The child exits only when another task closes its stdin: a wait that
    # blocked the kernel would never let that task run.
    async def closer(p: Popen) -> None:
        assert p.stdin is not None
        await p.stdin.close()

    async def main() -> int:
        p = Popen(until_stdin_closes, stdin=PIPE)
        waiter = await spawn(p.wait)
        await spawn(closer, p)
        return await waiter.join()

    assert run(main) == 3


def test_wait_on_a_reaped_child_returns_at_once(
    python: Callable[[str], list[str]],
) -> None:
    async def main() -> list[int]:
        p = Popen(python("pass"))
        return [await p.wait(), await p.wait(timeout=0)]

    assert run(main) == [0, 0]


def test_two_tasks_waiting_for_the_same_child_both_get_the_status(
    until_stdin_closes: list[str],
) -> None:
    async def main() -> list[int]:
        p = Popen(until_stdin_closes, stdin=PIPE)
        waiters = [await spawn(p.wait), await spawn(p.wait)]
        assert p.stdin is not None
        await p.stdin.close()
        return [await w.join() for w in waiters]

    assert run(main) == [3, 3]


def test_wait_timeout_raises_timeout_expired_and_leaves_the_child_running(
    hang: list[str],
) -> None:
    async def main() -> int:
        p = Popen(hang, stdout=subprocess.DEVNULL)
        with pytest.raises(TimeoutExpired) as info:
            # Real time on purpose: the wait is for a child process, in real time.
            await p.wait(timeout=0.05)
        assert info.value.timeout == 0.05
        assert info.value.cmd == hang
        assert p.poll() is None
        p.kill()
        return await p.wait()

    assert run(main) == -signal.SIGKILL


def test_an_outer_timeout_stays_a_task_timeout(hang: list[str]) -> None:
    async def main() -> int:
        p = Popen(hang, stdout=subprocess.DEVNULL)
        with pytest.raises(TaskTimeout):
            # Real time on purpose: the wait is for a child process, in real time.
            async with timeout_after(0.05):
                await p.wait(timeout=30)
        p.kill()
        return await p.wait()

    assert run(main) == -signal.SIGKILL


def test_a_cancelled_wait_leaks_no_descriptor(
    until_stdin_closes: list[str], open_fds: Callable[[], int]
) -> None:
    async def main() -> int:
        p = Popen(until_stdin_closes, stdin=PIPE)
        before = open_fds()
        waiter = await spawn(p.wait)
        if hasattr(os, "pidfd_open"):
            assert open_fds() > before  # the wait holds a pidfd meanwhile
        await waiter.cancel()
        assert open_fds() == before
        assert p.stdin is not None
        await p.stdin.close()
        return await p.wait()

    assert run(main) == 3


def test_wait_without_pidfds_uses_a_thread(
    until_stdin_closes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "pidfd_open", raising=False)

    async def main() -> int:
        p = Popen(until_stdin_closes, stdin=PIPE)
        waiter = await spawn(p.wait)
        assert p.stdin is not None
        await p.stdin.close()
        return await waiter.join()

    assert run(main) == 3


def test_a_cancelled_thread_wait_still_reaps_the_child(
    until_stdin_closes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "pidfd_open", raising=False)

    async def main() -> int:
        p = Popen(until_stdin_closes, stdin=PIPE)
        waiter = await spawn(p.wait)
        await waiter.cancel()
        assert p.stdin is not None
        await p.stdin.close()
        return await p.wait()

    assert run(main) == 3


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "thread"])
def test_waiting_costs_no_cpu(
    python: Callable[[str], list[str]], monkeypatch: pytest.MonkeyPatch, pidfd: bool
) -> None:
    # A polling wait would burn this process's CPU while the child sleeps.
    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open", raising=False)

    async def main() -> tuple[int, float]:
        # Real time on purpose: the CPU used while a child process runs in real time.
        p = Popen(python("import time; time.sleep(0.5)"))
        started = time.process_time()
        status = await p.wait()
        return status, time.process_time() - started

    status, cpu = run(main)
    assert status == 0
    assert cpu < 0.1


@pytest.mark.parametrize("bad", [float("nan"), "5"])
def test_wait_refuses_a_timeout_that_is_not_a_number(hang: list[str], bad: object) -> None:
    async def main() -> int | None:
        p = Popen(hang, stdout=subprocess.DEVNULL)
        try:
            with pytest.raises(ValueError if isinstance(bad, float) else TypeError):
                await p.wait(timeout=bad)  # type: ignore[arg-type]
        finally:
            p.kill()
            await p.wait()
        return p.returncode

    assert run(main) == -signal.SIGKILL
