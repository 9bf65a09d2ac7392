"""The ``ps`` table, from task attributes alone (the kernel's side is in the console tests)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from curio_kernel.monitor._commands import format_ps


def fake_task(task_id: int, state: str, **extra: Any) -> SimpleNamespace:
    attributes = {"cycles": 3, "parent": None, "name": f"job{task_id}", "daemon": False}
    return SimpleNamespace(id=task_id, state=state, **{**attributes, **extra})


def table(
    tasks: list[SimpleNamespace], current: object = None, now: float = 1000.0
) -> list[list[str]]:
    kernel: Any = SimpleNamespace(tasks=tasks, current=current)
    return [line.split() for line in format_ps(kernel, now=now).splitlines()]


def test_time_in_state_shows_how_long_a_task_has_waited() -> None:
    waiting = fake_task(1, "READ_WAIT", waiting_since=1000.0 - 2.5)
    long_wait = fake_task(2, "TIME_SLEEP", waiting_since=1000.0 - 125)
    very_long = fake_task(3, "TASK_JOIN", waiting_since=1000.0 - 7300)
    rows = table([waiting, long_wait, very_long])
    assert [row[3] for row in rows[1:]] == ["2.5s", "2m05s", "2h01m"]


def test_time_in_state_is_blank_when_unknown_or_not_waiting() -> None:
    unknown = fake_task(1, "READ_WAIT")  # the kernel does not record it
    ready = fake_task(2, "READY", waiting_since=990.0)  # stale: the task waits no more
    running = fake_task(3, "READ_WAIT", waiting_since=990.0)
    rows = table([unknown, ready, running], current=running)
    assert [row[1] for row in rows[1:]] == ["READ_WAIT", "READY", "RUNNING"]
    assert [row[3] for row in rows[1:]] == ["-", "-", "-"]


def test_parent_and_daemon_columns() -> None:
    parent = fake_task(1, "TASK_JOIN")
    child = fake_task(2, "READ_WAIT", parent=parent)
    daemon = fake_task(3, "READ_WAIT", daemon=True)
    rows = table([parent, child, daemon])
    assert rows[0] == ["ID", "STATE", "CYCLES", "TIME", "PARENT", "NAME"]
    assert rows[1][4:] == ["-", "job1"]
    assert rows[2][4:] == ["1", "job2"]
    assert rows[3][4:] == ["-", "job3", "(daemon)"]
