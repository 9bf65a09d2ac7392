"""The monitor console in a real terminal: Ctrl-C opens it, then ps, where, cancel, help."""

from __future__ import annotations

import re
from typing import Any


def test_ctrl_c_opens_the_console_with_a_greeting(sleepers: tuple[Any, int]) -> None:
    console, _ = sleepers
    greeting = console.child.before
    assert "curio monitor" in greeting
    assert "Commands: ps, where ID, cancel ID" in greeting


def test_ps_lists_every_task_with_state_cycles_and_parent(sleepers: tuple[Any, int]) -> None:
    console, sleeper_id = sleepers
    table = console.command("ps").splitlines()
    assert table[0].split() == ["ID", "STATE", "CYCLES", "TIME", "PARENT", "NAME"]
    rows = {row.split()[0]: row.split() for row in table[1:] if row.strip()}
    main = rows["1"]
    assert main[1] == "TASK_JOIN"
    assert main[4] == "-"  # the main task has no parent
    assert main[5] == "main"
    sleeper = rows[str(sleeper_id)]
    assert sleeper[1] == "TIME_SLEEP"
    assert int(sleeper[2]) >= 1
    assert sleeper[4] == "1"  # spawned by main
    assert sleeper[5] == "sleeper"
    # The console itself is a task of the kernel it shows: running right now.
    assert any(row[1] == "RUNNING" and "(daemon)" in " ".join(row) for row in rows.values())


def test_where_shows_the_coroutine_frames_outermost_first(sleepers: tuple[Any, int]) -> None:
    console, sleeper_id = sleepers
    stack = console.command(f"where {sleeper_id}")
    assert f"Task {sleeper_id} (sleeper), TIME_SLEEP" in stack
    assert re.search(r'File ".*sleepers\.py", line \d+, in sleeper', stack)
    assert "await ck.sleep(1000)" in stack
    main_stack = console.command("where 1")
    frames = re.findall(r"line \d+, in (\w+)", main_stack)
    assert frames[0] == "main"  # outermost first, then what main awaits
    assert "join" in frames


def test_cancel_ends_the_task_and_the_program_goes_on(sleepers: tuple[Any, int]) -> None:
    console, sleeper_id = sleepers
    answer = console.command(f"cancel {sleeper_id}")
    assert f"task {sleeper_id} (sleeper) cancelled" in answer
    assert "the sleeper was cancelled" in answer  # main's join saw it
    # With the sleeper gone main returns, and the program ends normally.
    output, status, signo = console.ended()
    assert "run returned 'finished'" in output
    assert (status, signo) == (0, None)


def test_help_lists_the_commands(sleepers: tuple[Any, int]) -> None:
    console, _ = sleepers
    text = console.command("help")
    for command in ("ps", "where ID", "cancel ID", "signal NAME", "continue", "quit", "help"):
        assert re.search(rf"^\s+{command}\s", text, re.MULTILINE), command


def test_bad_commands_are_explained_and_the_console_goes_on(sleepers: tuple[Any, int]) -> None:
    console, sleeper_id = sleepers
    assert "unknown command 'frobnicate'" in console.command("frobnicate")
    assert "usage: where ID" in console.command("where")
    assert "expected a task id" in console.command("where sleeper")
    assert "no task has id 999" in console.command("cancel 999")
    assert "no signal is named 'NOPE'" in console.command("signal NOPE")
    assert console.command("") == ""
    # The monitor's own tasks are out of reach of cancel.
    ps_rows = [row.split() for row in console.command("ps").splitlines()[1:] if row.strip()]
    monitor_ids = [row[0] for row in ps_rows if "Monitor." in row[5]]
    assert monitor_ids
    for task_id in monitor_ids:
        assert "belongs to the monitor" in console.command(f"cancel {task_id}")
    assert f"Task {sleeper_id} (sleeper)" in console.command(f"where {sleeper_id}")


def test_signal_sends_the_named_signal_to_the_process(sleepers: tuple[Any, int]) -> None:
    console, _ = sleepers
    answer = console.command("signal usr1")
    assert "sent SIGUSR1" in answer
    if "got SIGUSR1" not in answer:  # the handler may run after the answer is written
        console.child.expect("got SIGUSR1")
