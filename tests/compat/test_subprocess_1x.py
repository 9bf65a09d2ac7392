"""curio 1.x's ``curio.subprocess`` additions: FileStream pipes and output kept on cancellation."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import curio_kernel
from curio_io import FileStream
from curio_subprocess import PIPE, Popen, check_output, run
from curio_traps import AsyncOnlyError, TaskTimeout

#: What the children below write on stdout before they report being ready:
#: more than a pipe holds, so the report proves the parent has read most of it.
BIG = 1 << 20

#: A child that writes BIG bytes on stdout, then its pid on descriptor argv[1], then hangs.
FLOOD_THEN_HANG = (
    "import os, sys, time\n"
    f"sys.stdout.buffer.write(b'o' * {BIG}); sys.stdout.buffer.flush()\n"
    "os.write(int(sys.argv[1]), str(os.getpid()).encode())\n"
    "time.sleep(60)\n"
)


def _reaped(pid: int) -> bool:
    """Whether *pid* is no longer a child of this process (it was reaped)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _ready_pipe() -> tuple[FileStream, int]:
    """A pipe on which a child reports being ready: the parent's stream and the child's end."""
    r, w = os.pipe()
    return FileStream(open(r, "rb", buffering=0)), w


async def _ready_pid(ready: FileStream) -> int:
    """The pid a FLOOD_THEN_HANG child reports once most of its output was read."""
    # Real time on purpose: a safety bound on a child process's report, never reached.
    return int(await curio_kernel.timeout_after(30, ready.read(20)))


def test_popen_pipes_are_file_streams_read_line_by_line(no_fd_leak: None) -> None:
    async def main() -> tuple[bool, list[bytes], int]:
        code = "for i in range(3): print('line', i, flush=True)"
        p = Popen([sys.executable, "-c", code], stdout=PIPE)
        assert p.stdout is not None
        is_file_stream = isinstance(p.stdout, FileStream)
        lines = [line async for line in p.stdout]
        await p.stdout.close()
        return is_file_stream, lines, await p.wait()

    assert curio_kernel.run(main) == (True, [b"line 0\n", b"line 1\n", b"line 2\n"], 0)


def test_popen_passes_other_attributes_to_the_standard_popen(no_fd_leak: None) -> None:
    async def main() -> tuple[bool, bool]:
        async with Popen([sys.executable, "-c", "pass"], universal_newlines=False) as p:
            return p.universal_newlines, p.text_mode

    assert curio_kernel.run(main) == (False, False)


def test_popen_refuses_synchronous_with(no_fd_leak: None) -> None:
    async def main() -> int:
        p: Any = Popen([sys.executable, "-c", "pass"])  # a type checker refuses 'with' itself
        with pytest.raises(AsyncOnlyError, match="async with"), p:
            pass
        status: int = await p.wait()
        return status

    assert curio_kernel.run(main) == 0


def test_a_cancelled_communicate_carries_the_output_and_leaves_the_child_running(
    no_fd_leak: None,
) -> None:
    async def main() -> tuple[int, int | None, bool, int]:
        ready, w = _ready_pipe()
        p = Popen(
            [sys.executable, "-c", FLOOD_THEN_HANG, str(w)], stdout=PIPE, stderr=PIPE, pass_fds=(w,)
        )
        os.close(w)
        caught: list[BaseException] = []

        async def talk() -> None:
            try:
                await p.communicate()
            except BaseException as exc:
                caught.append(exc)
                raise

        task = await curio_kernel.spawn(talk)
        assert await _ready_pid(ready) == p.pid
        await task.cancel()
        await ready.close()
        out = caught[0].stdout  # type: ignore[attr-defined]
        err = caught[0].stderr  # type: ignore[attr-defined]
        running = p.poll()
        p.kill()
        status = await p.wait()
        return len(out), running, out == b"o" * len(out) and err == b"", status

    read, running, intact, status = curio_kernel.run(main)
    assert BIG - 65536 * 2 <= read <= BIG
    assert running is None  # cancellation did not end the child
    assert intact
    assert status == -signal.SIGKILL


@pytest.mark.parametrize("function", ["run", "check_output"])
def test_a_cancelled_run_kills_the_child_and_carries_the_output(
    function: str, no_fd_leak: None
) -> None:
    call: Callable[..., Awaitable[Any]] = run if function == "run" else check_output

    async def main() -> tuple[int, bool]:
        ready, w = _ready_pipe()
        caught: list[BaseException] = []
        command = [sys.executable, "-c", FLOOD_THEN_HANG, str(w)]

        async def go() -> None:
            try:
                if function == "run":
                    await call(command, stdout=PIPE, pass_fds=(w,))
                else:
                    await call(command, pass_fds=(w,))
            except BaseException as exc:
                caught.append(exc)
                raise

        task = await curio_kernel.spawn(go)
        pid = await _ready_pid(ready)
        await task.cancel()
        os.close(w)
        await ready.close()
        out = caught[0].stdout  # type: ignore[attr-defined]
        assert caught[0].stderr is None  # type: ignore[attr-defined]  # not a pipe
        return len(out), _reaped(pid)

    read, reaped = curio_kernel.run(main)
    assert BIG - 65536 * 2 <= read <= BIG
    assert reaped


def test_an_outer_timeout_around_run_carries_the_output(no_fd_leak: None) -> None:
    async def main() -> bytes:
        command = ["/bin/sh", "-c", "echo partial; exec sleep 60"]  # a shell starts at once
        with pytest.raises(TaskTimeout) as info:
            # Real time on purpose: the child must have written before the timeout expires.
            await curio_kernel.timeout_after(1, run(command, stdout=PIPE))
        out: bytes = info.value.stdout  # type: ignore[attr-defined]
        return out

    assert curio_kernel.run(main) == b"partial\n"


def test_a_cancelled_wait_does_not_end_the_child(no_fd_leak: None) -> None:
    async def main() -> tuple[int | None, int]:
        p = Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        with pytest.raises(TaskTimeout):
            # Real time on purpose: a wait for a child process (a thread or pidfd, real time).
            await curio_kernel.timeout_after(0.05, p.wait())
        running = p.poll()
        p.kill()
        return running, await p.wait()

    assert curio_kernel.run(main) == (None, -signal.SIGKILL)
