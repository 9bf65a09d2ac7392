"""Fixtures for the monitor tests: child programs run in a real terminal.

The programs live in ``programs/``; each prints ``READY`` once its kernel
runs with the monitor, so a test knows when Ctrl-C reaches the monitor and
not Python's default handler.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest

PROGRAMS = Path(__file__).parent / "programs"

#: Seconds any one expected output may take (the child starts a Python interpreter).
EXPECT_TIMEOUT = 5

Spawn = Callable[..., pexpect.spawn]


@pytest.fixture
def spawn_program() -> Iterator[Spawn]:
    """``spawn_program(name, *args, env={...})``: run ``programs/<name>.py`` in a pseudo-terminal.

    Also runs ``-m curio.monitor`` when *name* starts with ``-m``.  Every child
    still alive at the end of the test is killed.
    """
    children: list[pexpect.spawn] = []

    def spawn(name: str, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
        argv = ["-m", name[2:].strip()] if name.startswith("-m") else [str(PROGRAMS / f"{name}.py")]
        child = pexpect.spawn(
            sys.executable,
            [*argv, *args],
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            encoding="utf-8",
            timeout=EXPECT_TIMEOUT,
            dimensions=(40, 200),
        )
        children.append(child)
        return child

    yield spawn
    for child in children:
        if child.isalive():
            child.terminate(force=True)
        child.close(force=True)


#: The console's prompt, as a regular expression.
PROMPT = r"curio > "


class Console:
    """A child program whose monitor console is open (or can be opened with Ctrl-C)."""

    prompt = PROMPT

    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child

    def open(self) -> None:
        """Press Ctrl-C and wait for the console's prompt."""
        self.child.sendintr()
        self.child.expect(PROMPT)

    def command(self, line: str) -> str:
        """Type *line*; return what the console answered before its next prompt."""
        self.child.sendline(line)
        self.child.expect(PROMPT)
        answer: str = self.child.before
        # The terminal echoes the command line first.
        return answer.split("\n", 1)[1] if "\n" in answer else ""

    def ended(self) -> tuple[str, int | None, int | None]:
        """Wait for the program to end; its output meanwhile, exit status and signal."""
        self.child.expect(pexpect.EOF)
        output: str = self.child.before
        self.child.close()
        return output, self.child.exitstatus, self.child.signalstatus


@pytest.fixture
def console_of() -> Callable[[pexpect.spawn], Console]:
    """``console_of(child)``: drive the monitor console of a spawned program."""
    return Console


@pytest.fixture
def sleepers(spawn_program: Spawn) -> tuple[Console, int]:
    """The ``sleepers`` program with its console opened by Ctrl-C, and the sleeper's task id."""
    child = spawn_program("sleepers")
    child.expect(r"READY sleeper=(\d+)")
    sleeper_id = int(child.match.group(1))
    console = Console(child)
    console.open()
    return console, sleeper_id
