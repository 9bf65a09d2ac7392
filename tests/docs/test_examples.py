"""Every example of the documentation runs, ends by itself, and says what the docs say it does.

Each file in docs/examples/ runs in a fresh interpreter in development mode with warnings
as errors (an unclosed socket or a never-awaited coroutine fails it), with a bound on its
running time.  Examples whose output is deterministic are compared line for line.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
#: Seconds an example may take: "quickly" means a reader would not wait for it.
TIME_LIMIT = 8.0

#: The exact output of the examples that always print the same thing.
EXPECTED: dict[str, list[str]] = {
    "hello.py": ["T-minus 3", "T-minus 2", "T-minus 1", "lift-off"],
    "tasks.py": [
        "quick after 0.02s",
        "slow after 0.05s",
        "cancelled endless: True",
        "broken failed with ValueError('no such thing')",
    ],
    "timeouts.py": ["in time: 42", "too slow: TaskTimeout", "block expired: True", "fallback: -1"],
    "producer_consumer.py": ["producer: all items handled", "sum of all items: 190"],
    "tcp_echo.py": ["[b'hello 0', b'hello 1', b'hello 2']"],
    "tls_echo.py": ["over TLS: b'secret hello'"],
    "kernel_and_sync.py": ["[0, 1, 4, 9, 16]"],
    "primitive.py": ["count 3", "count 2", "count 1", "ann starts", "bob starts"],
    "manual_event.py": ["Waiting"] * 3 + ["Running"] * 3,
    "manual_lock.py": ["Parent has the lock", "Parent releases the lock", "Child has the lock"],
    "manual_semaphore.py": [f"Working {n}" for n in range(10)] + ["At most 2 workers at once"],
    "manual_condition.py": [f"Got {n}" for n in range(10)],
    "manual_queue.py": [f"Consumer got {n}" for n in range(10)] + ["Producer done"],
    "manual_subprocess.py": ["Got: line 0", "Got: line 1", "Got: line 2", "exit status 0"],
    "manual_signals.py": ["Got signal SIGUSR1", "Got signal SIGHUP", "SIGUSR1 ignored"],
}


def _examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.py"))


def test_examples_exist() -> None:
    names = {path.name for path in _examples()}
    assert names >= set(EXPECTED), sorted(set(EXPECTED) - names)


@pytest.mark.parametrize("path", _examples(), ids=lambda path: path.name)
def test_example_runs_and_ends_by_itself(path: Path) -> None:
    # Real time on purpose: each example is a program of its own, run as a reader runs it.
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(path)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT * 2,
        check=False,
        cwd=path.parent,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert not result.stderr, result.stderr
    assert elapsed < TIME_LIMIT, f"{path.name} took {elapsed:.1f}s"
    if path.name in EXPECTED:
        assert result.stdout.splitlines() == EXPECTED[path.name]
