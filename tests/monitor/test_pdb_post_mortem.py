"""``Kernel.run(pdb=True)``: a crashing task opens the debugger on its own traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = Path(__file__).parent / "programs" / "crash_pdb.py"


def run_with_debugger_input(commands: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROGRAM)],
        input=commands,
        capture_output=True,
        text=True,
        timeout=8,
        check=False,
    )


def test_the_debugger_opens_in_the_crashed_tasks_frame() -> None:
    done = run_with_debugger_input("p secret\nwhere\nc\n")
    out = done.stdout
    # Post-mortem: stopped where the task raised, with its locals at hand.
    assert "crash_pdb.py" in out
    assert "crasher()" in out
    assert "-> raise ValueError" in out
    assert "(Pdb) 42" in out
    # Continuing lets the kernel go on: the parent joins the crashed task, the program ends.
    assert "main saw: ValueError('crashed with 42')" in out
    assert out.rstrip().endswith("program ended")
    assert done.returncode == 0, done.stderr


def test_quitting_the_debugger_also_lets_the_program_go_on() -> None:
    done = run_with_debugger_input("q\n")
    assert "-> raise ValueError" in done.stdout
    assert "program ended" in done.stdout
    assert done.returncode == 0, done.stderr


def test_without_pdb_nothing_waits_for_input() -> None:
    source = PROGRAM.read_text().replace("pdb=True", "pdb=False")
    done = subprocess.run(
        [sys.executable, "-c", source],
        input="",
        capture_output=True,
        text=True,
        timeout=8,
        check=False,
    )
    assert "(Pdb)" not in done.stdout
    assert "main saw: ValueError('crashed with 42')" in done.stdout
    assert done.returncode == 0, done.stderr
