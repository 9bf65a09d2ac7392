"""Popen: the standard library's arguments, pipes as curio streams, async with."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable

import pytest

import curio_subprocess
from curio_io import Stream
from curio_kernel import run, spawn
from curio_subprocess import PIPE, Popen


def test_the_subprocess_constants_and_exceptions_are_the_standard_ones() -> None:
    for name in (
        "PIPE",
        "STDOUT",
        "DEVNULL",
        "CalledProcessError",
        "CompletedProcess",
        "SubprocessError",
        "TimeoutExpired",
    ):
        assert getattr(curio_subprocess, name) is getattr(subprocess, name)
        assert name in curio_subprocess.__all__


def test_pipes_are_streams_and_the_others_none(python: Callable[[str], list[str]]) -> None:
    async def main() -> None:
        async with Popen(python("pass"), stdin=PIPE, stdout=PIPE) as p:
            assert isinstance(p.stdin, Stream)
            assert isinstance(p.stdout, Stream)
            assert p.stderr is None

    run(main)


def test_the_standard_attributes_and_methods(python: Callable[[str], list[str]]) -> None:
    command = python("import sys; sys.stdin.read()")

    async def main() -> None:
        async with Popen(command, stdin=PIPE) as p:
            assert p.args == command
            assert p.pid > 0
            assert p.returncode is None
            assert p.poll() is None
            assert f"pid={p.pid}" in repr(p)
            p.terminate()
            assert await p.wait() == -signal.SIGTERM
            assert p.poll() == -signal.SIGTERM

    run(main)


def test_writes_reach_the_child_without_a_flush(python: Callable[[str], list[str]]) -> None:
    code = "import sys\nfor line in sys.stdin:\n    print(line.upper(), end='', flush=True)"

    async def main() -> list[bytes]:
        async with Popen(python(code), stdin=PIPE, stdout=PIPE) as p:
            assert p.stdin is not None
            assert p.stdout is not None
            replies = []
            for word in (b"one\n", b"two\n"):
                await p.stdin.write(word)
                replies.append(await p.stdout.readline())
            return replies

    assert run(main) == [b"ONE\n", b"TWO\n"]


def test_positional_arguments_after_the_command_are_the_standard_ones(
    python: Callable[[str], list[str]],
) -> None:
    # subprocess.Popen(args, bufsize, executable, stdin, stdout, ...)
    async def main() -> tuple[bytes | None, bytes | None]:
        p = Popen(python("print('positional')"), -1, None, None, PIPE)
        return await p.communicate()

    assert run(main) == (b"positional\n", None)


def test_a_buffered_stdin_is_flushed_by_communicate(python: Callable[[str], list[str]]) -> None:
    code = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"

    async def main() -> tuple[bytes | None, bytes | None]:
        p = Popen(python(code), stdin=PIPE, stdout=PIPE, bufsize=-1)
        return await p.communicate(b"through a buffer" * 10000)

    assert run(main) == (b"through a buffer" * 10000, None)


@pytest.mark.parametrize(
    "option",
    [{"text": True}, {"universal_newlines": True}, {"encoding": "utf-8"}, {"errors": "strict"}],
)
def test_text_mode_is_refused(
    python: Callable[[str], list[str]], option: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="bytes"):
        Popen(python("pass"), stdout=PIPE, **option)


def test_async_with_closes_the_pipes_and_waits(
    python: Callable[[str], list[str]], open_fds: Callable[[], int]
) -> None:
    async def main() -> int | None:
        before = open_fds()
        async with Popen(python("raise SystemExit(5)"), stdin=PIPE, stdout=PIPE) as p:
            pass
        assert open_fds() == before
        return p.returncode

    assert run(main) == 5


def test_async_with_cancelled_kills_and_reaps(hang: list[str]) -> None:
    started: list[Popen] = []

    async def body() -> None:
        async with Popen(hang, stdout=PIPE) as p:
            started.append(p)
            assert p.stdout is not None
            await p.stdout.readline()
            await p.wait()

    async def main() -> None:
        task = await spawn(body)
        await task.cancel()

    run(main)
    assert started[0].returncode == -signal.SIGKILL


def test_a_failing_block_still_waits_for_the_child(until_stdin_closes: list[str]) -> None:
    async def main() -> Popen:
        with pytest.raises(LookupError):
            async with Popen(until_stdin_closes, stdin=PIPE) as p:
                raise LookupError("oops")
        return p

    assert run(main).returncode == 3
