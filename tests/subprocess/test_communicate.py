"""Popen.communicate() exchanges data with the child in both directions at once."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable

import pytest

from curio_kernel import TaskTimeout, run, spawn, timeout_after
from curio_subprocess import PIPE, Popen, TimeoutExpired


def test_input_and_both_outputs(echo_both: list[str]) -> None:
    async def main() -> tuple[bytes | None, bytes | None, int | None]:
        p = Popen(echo_both, stdin=PIPE, stdout=PIPE, stderr=PIPE)
        out, err = await p.communicate(b"hello")
        return out, err, p.returncode

    assert run(main) == (b"hello", b"olleh", 0)


def test_megabytes_each_way_do_not_deadlock(echo_both: list[str]) -> None:
    # Far more than a pipe holds: writing all the input before reading would
    # stall once the child blocks on its full stdout and stderr pipes.
    payload = os.urandom(4 * 1024 * 1024)

    async def main() -> tuple[bytes | None, bytes | None]:
        p = Popen(echo_both, stdin=PIPE, stdout=PIPE, stderr=PIPE)
        # Real time on purpose: the child process answers in real time.
        return await p.communicate(payload, timeout=30)

    out, err = run(main)
    assert out == payload
    assert err is not None
    assert len(err) == len(payload)


def test_outputs_that_are_not_pipes_are_none(python: Callable[[str], list[str]]) -> None:
    async def main() -> tuple[bytes | None, bytes | None]:
        p = Popen(python("print('out')"), stdout=PIPE, stderr=subprocess.DEVNULL)
        return await p.communicate()

    assert run(main) == (b"out\n", None)


def test_stderr_into_stdout(python: Callable[[str], list[str]]) -> None:
    code = "import sys; print('a', flush=True); print('b', file=sys.stderr, flush=True)"

    async def main() -> tuple[bytes | None, bytes | None]:
        p = Popen(python(code), stdout=PIPE, stderr=subprocess.STDOUT)
        return await p.communicate()

    assert run(main) == (b"a\nb\n", None)


def test_without_input_the_childs_stdin_is_closed(until_stdin_closes: list[str]) -> None:
    async def main() -> tuple[tuple[bytes | None, bytes | None], int | None]:
        p = Popen(until_stdin_closes, stdin=PIPE)
        return await p.communicate(), p.returncode

    assert run(main) == ((None, None), 3)


def test_input_without_a_stdin_pipe_is_a_clear_error(python: Callable[[str], list[str]]) -> None:
    async def main() -> None:
        p = Popen(python("pass"))
        with pytest.raises(ValueError, match="stdin is not a pipe"):
            await p.communicate(b"data")
        await p.wait()

    run(main)


def test_a_child_that_stops_reading_does_not_fail_communicate(
    python: Callable[[str], list[str]],
) -> None:
    async def main() -> tuple[tuple[bytes | None, bytes | None], int | None]:
        p = Popen(python("print('bye')"), stdin=PIPE, stdout=PIPE)
        result = await p.communicate(b"x" * (1024 * 1024))
        return result, p.returncode

    assert run(main) == ((b"bye\n", None), 0)


def test_timeout_carries_partial_output_and_a_retry_gets_all(
    python: Callable[[str], list[str]],
) -> None:
    # The child writes a line once its stdin closes, then never ends by itself.
    code = (
        "import sys, time\nsys.stdin.buffer.read()\nprint('partial', flush=True)\ntime.sleep(60)\n"
    )

    async def main() -> None:
        p = Popen(python(code), stdin=PIPE, stdout=PIPE)
        with pytest.raises(TimeoutExpired) as info:
            # Real time on purpose: the child process answers in real time.
            await p.communicate(timeout=1.0)
        assert info.value.timeout == 1.0
        assert info.value.stdout == b"partial\n"
        assert info.value.stderr is None
        assert p.returncode is None
        p.kill()
        assert await p.communicate() == (b"partial\n", None)
        assert p.returncode == -signal.SIGKILL

    run(main)


def test_input_resumes_after_a_timeout(python: Callable[[str], list[str]]) -> None:
    # The child reads nothing until a byte arrives on a pipe of its own: the
    # first communicate() can deliver only what fits in the stdin pipe.
    payload = os.urandom(1024 * 1024)
    code = (
        "import os, sys\n"
        "os.read(int(sys.argv[1]), 1)\n"
        "sys.stdout.buffer.write(sys.stdin.buffer.read())\n"
    )

    async def main() -> bytes | None:
        gate_r, gate_w = os.pipe()
        try:
            p = Popen([*python(code), str(gate_r)], stdin=PIPE, stdout=PIPE, pass_fds=[gate_r])
        finally:
            os.close(gate_r)
        with pytest.raises(TimeoutExpired):
            # Real time on purpose: the child process answers in real time.
            await p.communicate(payload, timeout=0.1)
        os.write(gate_w, b"go")
        os.close(gate_w)
        # Real time on purpose: the child process answers in real time.
        out, _ = await p.communicate(timeout=20)
        return out

    assert run(main) == payload


def test_input_cannot_change_once_communication_started(python: Callable[[str], list[str]]) -> None:
    async def main() -> None:
        p = Popen(python("import time; time.sleep(60)"), stdin=PIPE)
        with pytest.raises(TimeoutExpired):
            # Real time on purpose: the child process answers in real time.
            await p.communicate(b"one", timeout=0.05)
        with pytest.raises(ValueError, match="after communication has started"):
            await p.communicate(b"two")
        p.kill()
        await p.communicate()

    run(main)


def test_a_cancelled_communicate_closes_the_pipes(
    hang: list[str], open_fds: Callable[[], int]
) -> None:
    async def main() -> int:
        before = open_fds()
        p = Popen(hang, stdin=PIPE, stdout=PIPE, stderr=PIPE)
        task = await spawn(p.communicate, b"data")
        await task.cancel()
        assert open_fds() == before
        p.kill()
        return await p.wait()

    assert run(main) == -signal.SIGKILL


def test_an_outer_timeout_propagates_unchanged_and_closes_the_pipes(
    hang: list[str], open_fds: Callable[[], int]
) -> None:
    async def main() -> int:
        before = open_fds()
        p = Popen(hang, stdout=PIPE)
        with pytest.raises(TaskTimeout):
            # Real time on purpose: the child process answers in real time.
            async with timeout_after(0.1):
                await p.communicate(timeout=30)
        assert open_fds() == before
        p.kill()
        return await p.wait()

    assert run(main) == -signal.SIGKILL
