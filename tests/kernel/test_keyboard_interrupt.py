"""Ctrl-C ends run() with KeyboardInterrupt after the tasks' finally blocks ran.

Each test runs a small curio program in a child Python process and sends it
SIGINT once the program says it is ready.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

PROGRAM = textwrap.dedent(
    """
    import threading
    from curio_kernel import run, sleep, spawn

    async def child(name):
        try:
            await sleep(60)
        finally:
            await sleep(0)  # cleanup may still wait
            print(name, "finally", flush=True)

    async def main():
        await spawn(child("child"))
        await spawn(child("daemon"), daemon=True)
        try:
            print("ready", flush=True)
            # Real time on purpose: the kernel waits for the SIGINT the test sends.
            await sleep(60)
        finally:
            print("main finally", flush=True)

    try:
        run(main)
    except KeyboardInterrupt:
        print("threads", threading.active_count(), flush=True)
        raise
    """
)


def _interrupt(tmp_path: Path, program: str) -> tuple[int, str, str]:
    script = tmp_path / "program.py"
    script.write_text(program)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first == "ready\n", first + (proc.stderr.read() if proc.stderr else "")
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, first + out, err


def test_ctrl_c_runs_finally_blocks_and_raises_keyboard_interrupt(tmp_path: Path) -> None:
    returncode, out, err = _interrupt(tmp_path, PROGRAM)
    assert returncode != 0
    assert "KeyboardInterrupt" in err
    lines = out.splitlines()
    assert "main finally" in lines
    assert "child finally" in lines
    assert "daemon finally" in lines
    assert "threads 1" in lines


def test_ctrl_c_while_the_kernel_is_busy_with_ready_tasks(tmp_path: Path) -> None:
    program = textwrap.dedent(
        """
        from curio_kernel import run, sleep

        async def main():
            n = 0
            try:
                print("ready", flush=True)
                while True:
                    await sleep(0)
                    n += 1
            finally:
                print("main finally", flush=True)

        run(main)
        """
    )
    returncode, out, err = _interrupt(tmp_path, program)
    assert returncode != 0
    assert "KeyboardInterrupt" in err
    assert "main finally" in out.splitlines()


def test_sigint_handler_is_restored_after_run(tmp_path: Path) -> None:
    program = textwrap.dedent(
        """
        import signal
        from curio_kernel import run, sleep

        async def main():
            await sleep(0)

        before = signal.getsignal(signal.SIGINT)
        run(main)
        assert signal.getsignal(signal.SIGINT) is before
        print("ready", flush=True)
        import time
        time.sleep(30)
        """
    )
    returncode, _out, err = _interrupt(tmp_path, program)
    # After run() the default handler is back: SIGINT is a plain KeyboardInterrupt.
    assert "KeyboardInterrupt" in err
    assert returncode != 0
