"""run() and check_output(): a command to completion, killed and reaped when abandoned."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from curio_kernel import TaskTimeout, run, spawn, timeout_after
from curio_subprocess import (
    PIPE,
    CalledProcessError,
    CompletedProcess,
    TimeoutExpired,
    check_output,
)
from curio_subprocess import run as run_command


def test_run_returns_a_completed_process(python: Callable[[str], list[str]]) -> None:
    command = python("import sys; print('out'); print('err', file=sys.stderr); sys.exit(4)")

    async def main() -> CompletedProcess[bytes]:
        return await run_command(command, stdout=PIPE, stderr=PIPE)

    result = run(main)
    assert isinstance(result, CompletedProcess)
    assert (result.args, result.returncode) == (command, 4)
    assert (result.stdout, result.stderr) == (b"out\n", b"err\n")


def test_output_that_is_not_captured_is_none(python: Callable[[str], list[str]]) -> None:
    async def main() -> CompletedProcess[bytes]:
        return await run_command(python("pass"))

    result = run(main)
    outcome: tuple[object, ...] = (result.returncode, result.stdout, result.stderr)
    assert outcome == (0, None, None)


def test_input_goes_to_the_childs_stdin(echo_both: list[str]) -> None:
    async def main() -> CompletedProcess[bytes]:
        return await run_command(echo_both, input=b"abc", capture_output=True)

    result = run(main)
    assert (result.stdout, result.stderr) == (b"abc", b"cba")


def test_shell_commands() -> None:
    async def main() -> CompletedProcess[bytes]:
        return await run_command("echo one; echo two >&2", shell=True, capture_output=True)

    result = run(main)
    assert (result.stdout, result.stderr) == (b"one\n", b"two\n")


def test_check_raises_called_process_error_with_the_output(
    python: Callable[[str], list[str]],
) -> None:
    command = python("print('why'); raise SystemExit(2)")

    async def main() -> None:
        with pytest.raises(CalledProcessError) as info:
            await run_command(command, stdout=PIPE, check=True)
        assert info.value.returncode == 2
        assert info.value.cmd == command
        assert info.value.output == b"why\n"

    run(main)


def test_conflicting_arguments_are_refused(python: Callable[[str], list[str]]) -> None:
    async def main() -> None:
        with pytest.raises(ValueError, match="stdin and input"):
            await run_command(python("pass"), stdin=PIPE, input=b"x")
        with pytest.raises(ValueError, match="capture_output"):
            await run_command(python("pass"), stdout=PIPE, capture_output=True)
        with pytest.raises(ValueError, match="stdout"):
            await check_output(python("pass"), stdout=PIPE)  # type: ignore[arg-type]

    run(main)


def test_timeout_kills_and_reaps_the_child(hang: list[str]) -> None:
    # The autouse no_leaks fixture fails the test if the child is left running or unreaped.
    async def main() -> TimeoutExpired:
        with pytest.raises(TimeoutExpired) as info:
            # Real time on purpose: the timeout is on a child process, which runs in real time.
            await run_command(hang, stdout=PIPE, timeout=1.0)
        return info.value

    error = run(main)
    assert error.timeout == 1.0
    assert error.cmd == hang
    assert error.stdout == b"started\n"


def test_timeout_does_not_wait_for_a_grandchild_holding_the_pipe() -> None:
    # The shell is killed, but the sleep it started keeps the output pipe open.
    command = "sleep 5; echo never"

    async def main() -> None:
        with pytest.raises(TimeoutExpired):
            # Real time on purpose: the timeout is on a child process, which runs in real time.
            async with timeout_after(4):
                await run_command(command, shell=True, stdout=PIPE, timeout=0.2)

    run(main)


def test_cancellation_kills_and_reaps_the_child(
    hang: list[str], open_fds: Callable[[], int]
) -> None:
    async def main() -> None:
        before = open_fds()
        task = await spawn(run_command, hang, None, None, PIPE, PIPE)
        await task.cancel()
        assert open_fds() == before

    run(main)


def test_an_outer_timeout_kills_and_reaps_the_child(hang: list[str]) -> None:
    async def main() -> None:
        with pytest.raises(TaskTimeout):
            # Real time on purpose: the timeout is on a child process, which runs in real time.
            async with timeout_after(0.2):
                await run_command(hang, stdout=PIPE)

    run(main)


def test_check_output_returns_stdout(python: Callable[[str], list[str]]) -> None:
    async def main() -> bytes:
        return await check_output(python("print('result')"))

    assert run(main) == b"result\n"


def test_check_output_raises_on_failure(python: Callable[[str], list[str]]) -> None:
    async def main() -> None:
        with pytest.raises(CalledProcessError) as info:
            await check_output(python("print('partial'); raise SystemExit(1)"))
        assert info.value.output == b"partial\n"
        assert info.value.returncode == 1

    run(main)


def test_check_output_with_input_and_stderr(echo_both: list[str]) -> None:
    async def main() -> bytes:
        return await check_output(echo_both, input=b"data", stderr=subprocess.DEVNULL)

    assert run(main) == b"data"


def test_a_missing_program_raises_file_not_found() -> None:
    async def main() -> None:
        with pytest.raises(FileNotFoundError):
            await run_command([os.path.join(sys.prefix, "no-such-program")])

    run(main)


def test_timeout_kills_and_reaps_without_pidfds(
    hang: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "pidfd_open", raising=False)

    async def main() -> None:
        with pytest.raises(TimeoutExpired):
            # Real time on purpose: the timeout is on a child process, which runs in real time.
            await run_command(hang, stdout=PIPE, timeout=0.2)

    run(main)


def test_cancellation_kills_and_reaps_without_pidfds(
    hang: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "pidfd_open", raising=False)

    async def main() -> None:
        task = await spawn(run_command, hang, None, b"input", PIPE, PIPE)
        await task.cancel()

    run(main)
