"""A signal whose handler was installed outside Python is refused, never clobbered.

``signal.getsignal()`` reports such a handler as ``None`` only when it was in
place before the interpreter started, so each case runs in a fresh
interpreter started with ``-X faulthandler`` (a C-level SIGABRT handler).
"""

from __future__ import annotations

import subprocess
import sys

_PRELUDE = """
import signal
from curio_kernel import run
from curio_signal import SignalSet
assert signal.getsignal(signal.SIGABRT) is None
before = signal.getsignal(signal.SIGUSR1)
"""


def _run_child(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", _PRELUDE + code],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_watching_it_is_a_clear_error_that_changes_nothing() -> None:
    code = """
async def main():
    try:
        async with SignalSet(signal.SIGUSR1, signal.SIGABRT):
            pass
    except ValueError as exc:
        print(exc)
run(main)
assert signal.getsignal(signal.SIGABRT) is None
assert signal.getsignal(signal.SIGUSR1) is before
"""
    assert "SIGABRT" in _run_child(code)


def test_ignoring_it_is_a_clear_error_that_changes_nothing() -> None:
    code = """
try:
    with SignalSet(signal.SIGUSR1, signal.SIGABRT).ignore():
        pass
except ValueError as exc:
    print(exc)
assert signal.getsignal(signal.SIGABRT) is None
assert signal.getsignal(signal.SIGUSR1) is before
"""
    assert "SIGABRT" in _run_child(code)
