"""Leaving the console: continue, quit, a second Ctrl-C, the end of input, a stuck kernel."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import pexpect


def test_continue_leaves_the_console_and_ctrl_c_opens_it_again(
    sleepers: tuple[Any, int],
) -> None:
    console, sleeper_id = sleepers
    console.child.sendline("continue")
    console.child.expect("the program keeps running")
    console.open()
    assert "TIME_SLEEP" in console.command(f"where {sleeper_id}")
    console.child.sendline("quit")
    output, status, signo = console.ended()
    assert "run returned None" in output
    assert (status, signo) == (0, None)


def test_quit_stops_the_kernel_and_run_returns(sleepers: tuple[Any, int]) -> None:
    console, _ = sleepers
    console.child.sendline("quit")
    output, status, signo = console.ended()
    assert "stopping the kernel" in output
    # run() returned (the main task had not finished): every task was cancelled cleanly.
    assert "run returned None" in output
    assert "Traceback" not in output
    assert (status, signo) == (0, None)


def test_second_ctrl_c_in_the_console_ends_with_keyboard_interrupt(
    sleepers: tuple[Any, int],
) -> None:
    console, _ = sleepers
    console.child.sendintr()
    output, status, signo = console.ended()
    assert "KeyboardInterrupt" in output
    assert "run returned" not in output
    assert (status, signo) == (None, signal.SIGINT)


def test_end_of_input_in_the_console_ends_with_keyboard_interrupt(
    sleepers: tuple[Any, int],
) -> None:
    console, _ = sleepers
    console.child.sendeof()
    output, status, signo = console.ended()
    assert "KeyboardInterrupt" in output
    assert "run returned" not in output
    assert (status, signo) == (None, signal.SIGINT)


def test_ctrl_c_still_interrupts_a_kernel_stuck_in_a_computation(
    spawn_program: Callable[..., pexpect.spawn],
) -> None:
    child = spawn_program("busy")
    child.expect("READY")
    # The monitor task never gets to run: a further Ctrl-C interrupts the computation.
    # Signals sent back to back may arrive as one, so press until the program ends.
    for _ in range(20):
        child.sendintr()
        # Real time on purpose: how long a child process may take to answer a Ctrl-C.
        if child.expect(["KeyboardInterrupt", pexpect.TIMEOUT], timeout=0.25) == 0:
            break
    else:
        raise AssertionError("Ctrl-C never interrupted the busy program")
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGINT
