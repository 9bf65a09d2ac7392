"""Fixtures for the subprocess tests: child commands, and a leak check around every test.

Every test here must leave no child process and no descriptor behind (``no_leaks``); the
descriptor half of that check, ``no_fd_leak``, and ``open_fds`` are in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import signal
import sys
from collections.abc import Callable, Iterator

import pytest


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _children() -> list[int]:
    """The process ids whose parent is this process (Linux only: empty elsewhere)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[1]) == me and not _multiprocessing_helper(entry):
            found.append(int(entry))
    return found


def _multiprocessing_helper(pid: str) -> bool:
    """The process-wide forkserver and resource tracker that run_in_process starts.

    They live as long as the test process by design (other test areas start
    them); they are not children a test of this area left behind.  They are
    known by the pids multiprocessing records (which holds even while one is
    starting or has just exited) and by their command line.
    """
    forkserver = getattr(multiprocessing.forkserver, "_forkserver", None)
    tracker = getattr(multiprocessing.resource_tracker, "_resource_tracker", None)
    recorded = {getattr(forkserver, "_forkserver_pid", None), getattr(tracker, "_pid", None)}
    if int(pid) in recorded:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"multiprocessing" in cmdline.read()
    except OSError:
        return False


def _describe(pid: int) -> str:
    """The pid with its state and command line, read before the process is killed."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} state {state}: {command or '(no command line)'}"


@pytest.fixture(autouse=True)
def no_leaks(no_fd_leak: None) -> Iterator[None]:
    """Fail a test that leaves a child process behind (or a descriptor: ``no_fd_leak``).

    A child still running, or exited but never reaped (a zombie), is a leak
    whichever way the test ended; it is killed and reaped here so that one
    failure does not spill into the next test.
    """
    yield
    leftovers = []
    for pid in _children():
        leftovers.append(_describe(pid))
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    with contextlib.suppress(ChildProcessError):
        # Without /proc, at least catch a zombie (on Linux, _children saw them all).
        if not os.path.isdir("/proc") and os.waitpid(-1, os.WNOHANG)[0] != 0:
            leftovers.append("a child reaped by waitpid(-1)")
    assert not leftovers, f"child processes left running or unreaped: {leftovers}"


@pytest.fixture
def python() -> Callable[[str], list[str]]:
    """Build the command that runs a piece of Python code in a fresh interpreter."""
    return _python


@pytest.fixture
def echo_both() -> list[str]:
    """A child that copies stdin to stdout (and reversed to stderr) as it arrives."""
    return _python(
        "import sys\n"
        "while chunk := sys.stdin.buffer.read1(65536):\n"
        "    sys.stdout.buffer.write(chunk); sys.stdout.buffer.flush()\n"
        "    sys.stderr.buffer.write(chunk[::-1]); sys.stderr.buffer.flush()\n"
    )


@pytest.fixture
def until_stdin_closes() -> list[str]:
    """A child that exits (status 3) once its stdin is closed: it ends on demand."""
    return _python("import sys; sys.stdin.buffer.read(); sys.exit(3)")


@pytest.fixture
def hang() -> list[str]:
    """A child that prints a line, then blocks until it is killed."""
    return _python("import sys, time; print('started', flush=True); time.sleep(60)")
