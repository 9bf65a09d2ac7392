"""run_in_process: a kernel's pool of reusable spawn workers, killed when a call is cancelled.

The callables are standard-library functions, which pickle by name (a test module is not
importable in a fresh interpreter); ``exec`` of a snippet stands in for a function of our
own.  A worker blocks on a FIFO to show it is busy: opening the FIFO's write end returns
once the worker has opened its read end, and the worker stays blocked until that end closes.
"""

from __future__ import annotations

import math
import multiprocessing
import operator
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable

import pytest

from curio_kernel import (
    Kernel,
    TaskTimeout,
    clock,
    ignore_after,
    run,
    run_in_process,
    run_in_thread,
    sleep,
    spawn,
    timeout_after,
    workers,
)
from curio_kernel._process_pool import WorkerTraceback
from curio_kernel.testing import MockClock, wait_all_tasks_blocked
from curio_traps import running_kernel

Pids = Callable[[], set[int]]
Until = Callable[[Callable[[], bool]], Awaitable[None]]


@pytest.fixture(autouse=True)
def _no_leaks(no_process_leak: None, no_thread_leak: None, no_fd_leak: None) -> None:
    """Every test here leaves no worker process, helper thread or descriptor behind."""


@pytest.fixture
def fifo(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def _blocked_on(fifo: pathlib.Path, prelude: str = "") -> str:
    """Code for ``exec`` that opens *fifo* for reading and reads until its writer closes."""
    return (
        f"{prelude}import os\n"
        f"fd = os.open({str(fifo)!r}, os.O_RDONLY)\n"
        "os.read(fd, 1)\n"
        "os.close(fd)\n"
    )


async def _writer(fifo: pathlib.Path) -> int:
    """Open *fifo* for writing: returns once a worker has opened it for reading."""
    # Real time on purpose: a safety bound while a worker process opens the fifo.
    async with timeout_after(30):
        return await run_in_thread(os.open, fifo, os.O_WRONLY)


def _pool_slots_waiting() -> int:
    pool = running_kernel()._processes  # type: ignore[union-attr]
    return 0 if pool is None else pool._slots.waiting


def _busy_pids() -> set[int]:
    """The pids of the running kernel's workers that are not idle (serving or dying)."""
    pool = running_kernel()._processes  # type: ignore[union-attr]
    idle = set(pool.idle_pids) if pool is not None else set()
    return {
        p.pid
        for p in multiprocessing.active_children()
        if p.name == "curio-worker-process" and p.pid is not None and p.pid not in idle
    }


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# ---------------------------------------------------------------- results and errors


def test_returns_the_result() -> None:
    async def main() -> tuple[int, int, int]:
        return (
            await run_in_process(pow, 2, 16),
            await run_in_process(operator.mul, 6, 7),
            await run_in_process(math.factorial, 10),
        )

    assert run(main) == (65536, 42, 3628800)


def test_runs_in_another_process() -> None:
    async def main() -> int:
        return await run_in_process(os.getpid)

    child = run(main)
    assert isinstance(child, int)
    assert child != os.getpid()


def test_keyword_arguments_pass_through() -> None:
    async def main() -> int:
        return await run_in_process(int, "ff", base=16)

    assert run(main) == 255


def test_exception_comes_back_with_the_workers_traceback_as_its_cause() -> None:
    async def main() -> int:
        return await run_in_process(math.factorial, -1)

    with pytest.raises(ValueError, match="factorial") as caught:
        run(main)
    cause = caught.value.__cause__
    assert isinstance(cause, WorkerTraceback)
    assert "Traceback" in cause.text
    assert "ValueError" in cause.text


def test_workers_are_reused_from_call_to_call(child_pids: Pids) -> None:
    async def main() -> tuple[list[int], set[int]]:
        pids = [await run_in_process(os.getpid) for _ in range(4)]
        return pids, child_pids()

    pids, children = run(main)
    assert len(set(pids)) == 1
    assert pids[0] in children


def test_no_worker_outlives_run(child_pids: Pids) -> None:
    async def main() -> list[int]:
        tasks = [await spawn(run_in_process(os.getpid)) for _ in range(3)]
        return [await t.join() for t in tasks]

    pids = run(main)
    assert not set(pids) & child_pids()
    assert all(_gone(pid) for pid in pids)


def test_idle_workers_end_when_run_returns_with_tasks_left(child_pids: Pids) -> None:
    async def main() -> int:
        # Real time on purpose: the kernel waits for the worker process; the sleep never ends.
        await spawn(sleep(60), daemon=True)
        return await run_in_process(os.getpid)

    with Kernel() as kernel:
        pid = kernel.run(main)
        assert kernel.tasks  # the daemon is still there...
        assert pid not in child_pids()  # ...but the idle worker has gone
        assert _gone(pid)


def test_a_kernel_run_again_starts_a_fresh_pool() -> None:
    async def main() -> int:
        return await run_in_process(os.getpid)

    with Kernel() as kernel:
        first = kernel.run(main)
        second = kernel.run(main)
    assert first != second


# ---------------------------------------------------------------- the limit


def test_max_worker_processes_bounds_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_PROCESSES", 2)

    async def main() -> set[int]:
        tasks = [await spawn(run_in_process(os.getpid)) for _ in range(6)]
        return {await t.join() for t in tasks}

    assert 1 <= len(run(main)) <= 2


def test_a_call_beyond_the_limit_waits_its_turn_and_reuses_the_worker(
    monkeypatch: pytest.MonkeyPatch, fifo: pathlib.Path, until: Until
) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_PROCESSES", 1)

    async def main() -> tuple[str, int, int]:
        busy = await spawn(run_in_process(exec, _blocked_on(fifo), {}))
        writer = await _writer(fifo)
        (busy_pid,) = _busy_pids()
        later = await spawn(run_in_process(os.getpid))
        await until(lambda: later.state == "PROCESS_WAIT")
        state = later.state
        os.close(writer)  # the busy call returns
        await busy.join()
        return state, busy_pid, await later.join()

    state, busy_pid, later_pid = run(main)
    assert state == "PROCESS_WAIT"
    assert later_pid == busy_pid


def test_cancelled_waiters_for_a_worker_leave_no_trace(
    monkeypatch: pytest.MonkeyPatch, fifo: pathlib.Path, until: Until, virtual_clock: MockClock
) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_PROCESSES", 1)

    async def jump_when_blocked() -> None:
        # The busy call holds the autojump back: move the clock once the caller waits.
        await wait_all_tasks_blocked()
        virtual_clock.jump(0.05)

    async def main() -> tuple[int, int, int]:
        busy = await spawn(run_in_process(exec, _blocked_on(fifo), {}))
        writer = await _writer(fifo)
        waiter = await spawn(run_in_process(os.getpid))
        await until(lambda: _pool_slots_waiting() == 1)
        await waiter.cancel()
        await spawn(jump_when_blocked)
        timed_out = await ignore_after(0.05, run_in_process(os.getpid))
        assert timed_out is None
        assert await clock() == 0.05
        left = _pool_slots_waiting()
        os.close(writer)
        await busy.join()
        return left, await run_in_process(os.getpid), _pool_slots_waiting()

    left, pid, after = run(main, clock=virtual_clock)
    assert left == 0
    assert after == 0
    assert isinstance(pid, int)


def test_cancelled_again_while_waiting_for_a_worker_from_its_cleanup(
    monkeypatch: pytest.MonkeyPatch, fifo: pathlib.Path, until: Until
) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_PROCESSES", 1)

    cleaning: list[bool] = []

    async def caller() -> None:
        try:
            await run_in_process(os.getpid)
        finally:
            cleaning.append(True)
            await run_in_process(os.getpid)

    async def main() -> tuple[int, int]:
        busy = await spawn(run_in_process(exec, _blocked_on(fifo), {}))
        writer = await _writer(fifo)
        task = await spawn(caller())
        await until(lambda: task.state == "PROCESS_WAIT")
        canceller = await spawn(task.cancel())
        await until(lambda: bool(cleaning) and task.state == "PROCESS_WAIT")
        await task.cancel()  # waiting for a worker again, from its finally block
        await canceller.join()
        left = _pool_slots_waiting()
        os.close(writer)
        await busy.join()
        await run_in_process(os.getpid)  # the one place is free again
        return left, _pool_slots_waiting()

    assert run(main) == (0, 0)


def test_bad_max_worker_processes_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_PROCESSES", 0)

    async def main() -> int:
        return await run_in_process(os.getpid)

    with pytest.raises(ValueError, match="MAX_WORKER_PROCESSES must be at least 1"):
        run(main)


# ---------------------------------------------------------------- pickling


def test_unpicklable_result_is_a_clear_error_and_the_worker_stays() -> None:
    async def main() -> tuple[int, int]:
        before = await run_in_process(os.getpid)
        with pytest.raises(
            RuntimeError, match=r"send back the result of _thread\.(allocate_lock|lock)"
        ):
            await run_in_process(threading.Lock)
        return before, await run_in_process(os.getpid)

    before, after = run(main)
    assert before == after


def test_unpicklable_callable_is_an_error_and_starts_no_process(child_pids: Pids) -> None:
    async def main() -> set[int]:
        with pytest.raises(TypeError, match=r"cannot send .*<lambda>.*(pickle|local object)"):
            await run_in_process(lambda: 1)
        return child_pids()

    assert run(main) == child_pids()


def test_unpicklable_argument_is_an_error_and_the_pool_goes_on() -> None:
    async def main() -> int:
        with pytest.raises(TypeError, match=r"cannot send len and its arguments"):
            await run_in_process(len, threading.Lock())  # type: ignore[arg-type]
        return await run_in_process(len, "four")

    assert run(main) == 4


def test_an_outcome_the_kernel_cannot_unpickle_is_a_clear_error_and_the_worker_stays() -> None:
    # An exception of a class that exists only in the worker's __main__.
    code = (
        "import __main__\n"
        "class Odd(Exception): pass\n"
        "Odd.__module__, Odd.__qualname__ = '__main__', 'OnlyInTheWorker'\n"
        "__main__.OnlyInTheWorker = Odd\n"
        "raise Odd('from the worker')\n"
    )

    async def main() -> tuple[int, int]:
        before = await run_in_process(os.getpid)
        with pytest.raises(RuntimeError, match="could not read back the outcome of exec"):
            await run_in_process(exec, code, {})
        return before, await run_in_process(os.getpid)

    before, after = run(main)
    assert before == after


def test_a_large_result_comes_back_whole() -> None:
    async def main() -> bytes:
        return await run_in_process(bytes, 20_000_000)  # many reads of the pipe

    assert run(main) == bytes(20_000_000)


def test_a_worker_that_cannot_start_is_the_callers_error_and_frees_its_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_PROCESSES", 1)
    failing = [True]
    start = multiprocessing.context.SpawnProcess.start

    def start_or_fail(self: multiprocessing.context.SpawnProcess) -> None:
        if failing.pop():
            raise OSError("no more processes")
        start(self)

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", start_or_fail)

    async def main() -> int:
        with pytest.raises(OSError, match="no more processes"):
            await run_in_process(os.getpid)
        failing.append(False)
        return await run_in_process(os.getpid)  # the one place was given back

    assert isinstance(run(main), int)


# ---------------------------------------------------------------- a worker that dies


def test_worker_that_dies_names_the_callable_and_its_exit_code() -> None:
    async def main() -> tuple[str, int]:
        with pytest.raises(RuntimeError, match=r"running (posix|os)\._exit died \(exit code 3\)"):
            await run_in_process(os._exit, 3)
        message = ""
        try:
            await run_in_process(exec, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
        except RuntimeError as exc:
            message = str(exc)
        return message, await run_in_process(operator.add, 1, 2)  # a fresh worker serves

    message, value = run(main)
    assert "running exec died (killed by signal SIGKILL)" in message
    assert value == 3


def test_a_worker_killed_while_idle_is_replaced() -> None:
    async def main() -> tuple[int, int]:
        first = await run_in_process(os.getpid)
        os.kill(first, signal.SIGKILL)
        # Wait until it has died, without reaping it (the pool does that).
        # Real time on purpose: a safety bound while the killed worker process dies.
        await timeout_after(30, run_in_thread(os.waitid, os.P_PID, first, os.WEXITED | os.WNOWAIT))
        return first, await run_in_process(os.getpid)

    first, second = run(main)
    assert first != second


# ---------------------------------------------------------------- cancellation


def test_cancel_terminates_that_worker_and_the_next_call_gets_a_new_one(
    fifo: pathlib.Path,
) -> None:
    async def main() -> tuple[bool, int, float, int]:
        task = await spawn(run_in_process(exec, _blocked_on(fifo), {}))
        writer = await _writer(fifo)
        try:
            (pid,) = _busy_pids()
            start = time.monotonic()
            cancelled = await task.cancel()
            elapsed = time.monotonic() - start
        finally:
            os.close(writer)
        return cancelled, pid, elapsed, await run_in_process(os.getpid)

    cancelled, pid, elapsed, fresh = run(main)
    assert cancelled is True
    assert elapsed < 1
    assert fresh != pid
    assert _gone(pid)


def test_a_worker_that_ignores_sigterm_is_killed(fifo: pathlib.Path) -> None:
    prelude = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"

    async def main() -> int:
        task = await spawn(run_in_process(exec, _blocked_on(fifo, prelude), {}))
        writer = await _writer(fifo)
        try:
            (pid,) = _busy_pids()
            await task.cancel()
        finally:
            os.close(writer)
        return pid

    start = time.monotonic()
    pid = run(main)
    assert _gone(pid)
    assert time.monotonic() - start < 20


def test_a_timeout_terminates_the_worker(fifo: pathlib.Path, virtual_clock: MockClock) -> None:
    async def main() -> tuple[int, float]:
        async def call() -> None:
            await timeout_after(0.5, run_in_process(exec, _blocked_on(fifo), {}))

        task = await spawn(call())
        writer = await _writer(fifo)
        try:
            (pid,) = _busy_pids()
            # The worker is inside the call: the call's deadline passes now (the
            # outstanding call holds the autojump back).
            virtual_clock.jump(0.5)
            with pytest.raises(Exception) as caught:
                await task.join()
            assert isinstance(caught.value.__cause__, TaskTimeout)
        finally:
            os.close(writer)
        return pid, await clock()

    pid, timed_out_at = run(main, clock=virtual_clock)
    assert timed_out_at == 0.5
    assert _gone(pid)


def test_cancelled_again_while_cleaning_up_with_another_call(fifo: pathlib.Path) -> None:
    # The task's cleanup makes a second process call and is cancelled there too:
    # both workers go, and the cancellation reaches the task.
    second = fifo.with_name("second")
    os.mkfifo(second)

    async def call() -> None:
        try:
            await run_in_process(exec, _blocked_on(fifo), {})
        finally:
            await run_in_process(exec, _blocked_on(second), {})

    async def main() -> tuple[int, int, bool]:
        task = await spawn(call())
        first_writer = await _writer(fifo)
        (first_pid,) = _busy_pids()
        canceller = await spawn(task.cancel())
        second_writer = await _writer(second)
        (second_pid,) = _busy_pids() - {first_pid}  # the first may still be dying
        await task.cancel()
        cancelled = await canceller.join()
        os.close(first_writer)
        os.close(second_writer)
        return first_pid, second_pid, cancelled

    first_pid, second_pid, cancelled = run(main)
    assert cancelled is True
    assert first_pid != second_pid
    assert _gone(first_pid)
    assert _gone(second_pid)


def test_cancel_while_the_call_is_still_being_sent_kills_the_worker(until: Until) -> None:
    big = b"x" * 50_000_000  # far more than a socket buffer: the send waits to write

    async def main() -> tuple[str, bool, int, int]:
        pid = await run_in_process(os.getpid)  # a worker ready, so the send starts at once
        task = await spawn(run_in_process(len, big))
        await until(lambda: task.state == "WRITE_WAIT")
        state = task.state
        cancelled = await task.cancel()
        return state, cancelled, pid, await run_in_process(os.getpid)

    state, cancelled, pid, fresh = run(main)
    assert state == "WRITE_WAIT"
    assert cancelled is True
    assert fresh != pid
    assert _gone(pid)


def test_cancel_while_the_worker_starts_leaves_no_process() -> None:
    # Cancelled at once: the task is still waiting for its worker to start.
    async def main() -> bool:
        task = await spawn(run_in_process(time.sleep, 30))
        return await task.cancel()

    for _ in range(3):  # the start races with the cancellation: try a few times
        assert run(main) is True


def test_a_call_left_running_at_shutdown_is_killed(fifo: pathlib.Path) -> None:
    async def main() -> tuple[int, int]:
        await spawn(run_in_process(exec, _blocked_on(fifo), {}), daemon=True)
        writer = await _writer(fifo)
        (pid,) = _busy_pids()
        return pid, writer  # the daemon's call is still blocked when main ends

    pid, writer = run(main)  # run() shuts the kernel down: the daemon is cancelled
    os.close(writer)
    assert _gone(pid)


# ---------------------------------------------------------------- isolation


def test_a_worker_inherits_no_descriptor(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "open-in-parent"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY)
    high = os.dup2(fd, 200, inheritable=True)
    os.close(fd)

    async def main() -> None:
        with pytest.raises(FileNotFoundError):
            await run_in_process(os.readlink, f"/proc/self/fd/{high}")

    try:
        run(main)
    finally:
        os.close(high)


def test_a_worker_ignores_ctrl_c() -> None:
    async def main() -> object:
        return await run_in_process(signal.getsignal, signal.SIGINT)

    assert run(main) == signal.SIG_IGN


# ---------------------------------------------------------------- a whole program

_PROGRAM = """
import multiprocessing.resource_tracker, os, time
from curio_kernel import run, run_in_process, spawn, workers

workers.MAX_WORKER_PROCESSES = 3  # set before any task runs, as a 1.x program does


def square(x):  # a function of the script: the worker imports the script as __mp_main__
    return x * x


def children():
    tracker = multiprocessing.resource_tracker._resource_tracker._pid
    pids = set()
    for thread in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{thread}/children") as f:
                pids.update(int(p) for p in f.read().split())
        except OSError:
            continue  # the thread ended meanwhile (a pool helper thread)
    return pids - {tracker}


async def main():
    assert await run_in_process(square, 7) == 49
    await spawn(run_in_process(time.sleep, 60))
    await spawn(run_in_process(time.sleep, 60))
    while len(children()) < 3:
        await run_in_process(square, 0)  # a round trip to the third worker meanwhile
    print("ready", flush=True)
    await run_in_process(time.sleep, 60)


if __name__ == "__main__":
    try:
        run(main)
    except KeyboardInterrupt:
        print("left", sorted(children()), flush=True)
"""


def test_ctrl_c_ends_every_worker_of_a_script(tmp_path: pathlib.Path) -> None:
    script = tmp_path / "program.py"
    script.write_text(_PROGRAM)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
        start_new_session=True,  # its own process group, as a terminal would have it
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first == "ready\n", first + (proc.stderr.read() if proc.stderr else "")
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the workers too
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert out == "left []\n", err
