"""The smoke test of every distribution (tests/meta/smoke.py) passes, through curio alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SMOKE = Path(__file__).with_name("smoke.py")


def test_every_distribution_answers_through_curio() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(SMOKE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for distribution in (
        "curio-traps",
        "curio-kernel",
        "curio-sync",
        "curio-io",
        "curio-net",
        "curio-subprocess",
        "curio-signal",
    ):
        assert any(line.startswith(f"ok {distribution}:") for line in lines), result.stdout
    assert lines[-1].startswith("ok curio "), result.stdout
    assert not result.stderr, result.stderr
