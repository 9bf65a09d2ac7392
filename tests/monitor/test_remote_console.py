"""The remote console: CURIO_MONITOR makes the monitor listen, ``python -m curio.monitor`` joins."""

from __future__ import annotations

import os
import signal
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from curio_kernel import run, run_in_thread, sleep

Spawn = Callable[..., pexpect.spawn]


def start_program(spawn_program: Spawn, address: str) -> tuple[pexpect.spawn, str, int]:
    """Run ``sleepers`` with the remote console at *address*; return it, the address bound
    and the sleeper's task id."""
    program = spawn_program("sleepers", env={"CURIO_MONITOR": address})
    program.expect(r"curio monitor: listening on (\S+)\r\n")
    bound = program.match.group(1)
    program.expect(r"READY sleeper=(\d+)")
    return program, bound, int(program.match.group(1))


def test_client_over_a_loopback_port_sees_tasks_and_disconnects(
    spawn_program: Spawn, console_of: Callable[[pexpect.spawn], Any]
) -> None:
    program, bound, sleeper_id = start_program(spawn_program, "127.0.0.1:0")
    host, _, port = bound.rpartition(":")
    assert host == "127.0.0.1"
    assert int(port) > 0
    client = console_of(spawn_program("-m curio.monitor", bound))
    client.child.expect(client.prompt)
    assert f"process {program.pid}" in client.child.before
    rows = [row.split() for row in client.command("ps").splitlines()[1:] if row.strip()]
    assert [str(sleeper_id), "TIME_SLEEP"] in [row[:2] for row in rows]
    assert "await ck.sleep(1000)" in client.command(f"where {sleeper_id}")
    client.child.sendline("continue")
    _, status, _ = client.ended()
    assert status == 0
    # Leaving the remote console leaves the program running; a new client can quit it.
    client = console_of(spawn_program("-m curio.monitor", bound))
    client.child.expect(client.prompt)
    client.child.sendline("quit")
    output, status, _ = client.ended()
    assert "stopping the kernel" in output
    assert status == 0
    program.expect(pexpect.EOF)
    assert "run returned None" in program.before
    program.close()
    assert program.exitstatus == 0


def test_client_over_a_unix_socket_cancels_a_task(
    spawn_program: Spawn, console_of: Callable[[pexpect.spawn], Any], short_tmp: Path
) -> None:
    path = short_tmp / "monitor.sock"
    program, bound, sleeper_id = start_program(spawn_program, str(path))
    assert bound == str(path)
    # Only the owner may talk to the console.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    client = console_of(spawn_program("-m curio.monitor", str(path)))
    client.child.expect(client.prompt)
    assert f"task {sleeper_id} (sleeper) cancelled" in client.command(f"cancel {sleeper_id}")
    program.expect("the sleeper was cancelled")
    program.expect(pexpect.EOF)
    assert "run returned 'finished'" in program.before
    program.close()
    assert program.exitstatus == 0
    # The program ended: the client sees the console close, and the socket file is gone.
    _, status, _ = client.ended()
    assert status == 0
    assert not path.exists()


def test_client_reports_a_monitor_it_cannot_reach(spawn_program: Spawn, short_tmp: Path) -> None:
    client = spawn_program("-m curio.monitor", str(short_tmp / "nobody.sock"))
    client.expect(pexpect.EOF)
    assert "cannot reach a curio monitor at" in client.before
    client.close()
    assert client.exitstatus == 1


def test_client_refuses_a_malformed_address(spawn_program: Spawn) -> None:
    client = spawn_program("-m curio.monitor", "localhost:http")
    client.expect(pexpect.EOF)
    assert "the port must be a number" in client.before
    client.close()
    assert client.exitstatus == 2


def converse(address: str, commands: list[str]) -> list[str]:
    """A blocking client: the console's answer to each command (the greeting first)."""
    answers: list[str] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(address)
        received = b""
        for command in [None, *commands]:
            if command is not None:
                sock.sendall(command.encode() + b"\n")
            while b"curio > " not in received:
                data = sock.recv(4096)
                if not data:
                    answers.append(received.decode())
                    return answers
                received += data
            answer, _, received = received.partition(b"curio > ")
            answers.append(answer.decode())
        sock.shutdown(socket.SHUT_WR)
        while data := sock.recv(4096):
            received += data
        answers.append(received.decode())
    return answers


def test_remote_quit_stops_the_kernel_in_process(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    path = str(short_tmp / "m.sock")
    monkeypatch.setenv("CURIO_MONITOR", path)

    async def idle() -> None:
        # Real time on purpose: only the remote client's quit may end this wait.
        await sleep(1000)

    async def main() -> None:
        await run_in_thread(converse, path, ["ps", "where 1", "quit"])
        await idle()

    result = run(main, with_monitor=True)
    assert result is None  # stopped before main returned
    assert f"curio monitor: listening on {path}" in capfd.readouterr().err
    assert not os.path.exists(path)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_remote_end_of_input_disconnects_and_the_program_goes_on(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(short_tmp / "m.sock")
    monkeypatch.setenv("CURIO_MONITOR", path)

    async def main() -> list[str]:
        return await run_in_thread(converse, path, ["ps", "bogus"])

    greeting, ps, bogus, rest = run(main, with_monitor=True)
    assert "curio monitor" in greeting
    rows = [row.split() for row in ps.splitlines()[1:] if row.strip()]
    assert ["1", "FUTURE_WAIT"] in [row[:2] for row in rows]  # main, waiting for its thread
    assert "unknown command 'bogus'" in bogus
    assert rest == ""  # the console closed at the end of input, without a word


def test_a_non_loopback_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURIO_MONITOR", "0.0.0.0:0")

    async def main() -> None:
        pass

    with pytest.raises(ValueError, match="not a loopback address"):
        run(main, with_monitor=True)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
