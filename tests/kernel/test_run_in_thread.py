"""run_in_thread: results, exceptions, arguments, concurrency, the thread limit, call_on_cancel."""

from __future__ import annotations

import functools
import logging
import operator
import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from curio_kernel import (
    CancelledError,
    Task,
    TaskError,
    run,
    run_in_executor,
    run_in_thread,
    sleep,
    spawn,
    workers,
)


def test_returns_the_result(no_thread_leak: None) -> None:
    async def main() -> int:
        return await run_in_thread(pow, 2, 10)

    assert run(main) == 1024


def test_raises_the_exception(no_thread_leak: None) -> None:
    def fail() -> None:
        raise LookupError("from the thread")

    async def main() -> None:
        await run_in_thread(fail)

    with pytest.raises(LookupError, match="from the thread"):
        run(main)


def test_keyword_arguments_pass_through(no_thread_leak: None) -> None:
    def describe(a: int, b: int = 0, *, c: str = "") -> str:
        return f"{a}-{b}-{c}"

    async def main() -> str:
        return await run_in_thread(describe, 1, b=2, c="three")

    assert run(main) == "1-2-three"


def test_runs_outside_the_kernel_thread(no_thread_leak: None) -> None:
    async def main() -> bool:
        worker = await run_in_thread(threading.current_thread)
        return worker is threading.current_thread()

    assert run(main) is False


def test_calls_run_concurrently(no_thread_leak: None) -> None:
    # Four calls that each wait for the other three: they finish only if
    # the kernel runs them at the same time.
    barrier = threading.Barrier(4, timeout=5)

    async def call() -> int:
        return await run_in_thread(barrier.wait)

    async def main() -> list[int]:
        tasks = [await spawn(call()) for _ in range(4)]
        return sorted([await t.join() for t in tasks])

    assert run(main) == [0, 1, 2, 3]


def test_other_tasks_run_while_a_thread_works(no_thread_leak: None) -> None:
    release = threading.Event()
    log: list[str] = []

    async def ticker() -> None:
        for _ in range(3):
            log.append("tick")
            await sleep(0)
        release.set()

    async def main() -> bool:
        await spawn(ticker())
        return await run_in_thread(release.wait, 5)

    assert run(main) is True
    assert log == ["tick", "tick", "tick"]


def test_crash_in_thread_seen_by_a_joiner(no_thread_leak: None) -> None:
    async def child() -> None:
        await run_in_thread(int, "not a number")

    async def main() -> BaseException | None:
        task = await spawn(child())
        try:
            await task.join()
        except TaskError as exc:
            return exc.__cause__
        return None

    assert isinstance(run(main), ValueError)


def test_no_thread_left_after_many_calls(no_thread_leak: None) -> None:
    async def main() -> int:
        total = 0
        for i in range(50):
            total += await run_in_thread(abs, -i)
        return total

    assert run(main) == sum(range(50))


def test_no_thread_left_after_a_cancelled_call(no_thread_leak: None) -> None:
    release = threading.Event()

    async def main() -> bool:
        task = await spawn(run_in_thread(release.wait, 5))
        cancelled = await task.cancel()
        release.set()
        return cancelled

    assert run(main) is True


# ---------------------------------------------------------------- MAX_WORKER_THREADS


def test_max_worker_threads_bounds_the_calls_running_at_once(
    monkeypatch: pytest.MonkeyPatch, no_thread_leak: None
) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_THREADS", 2)
    release, two_running = threading.Event(), threading.Event()
    lock = threading.Lock()
    running = [0, 0]  # now, most at once

    def call() -> None:
        with lock:
            running[0] += 1
            running[1] = max(running)
            if running[0] == 2:
                two_running.set()
        release.wait(10)
        with lock:
            running[0] -= 1

    async def main() -> int:
        tasks = [await spawn(run_in_thread(call)) for _ in range(5)]
        await wait_outside_the_pool(two_running)
        await sleep(0)  # the other three stay queued: the pool has two threads
        release.set()
        for task in tasks:
            await task.join()
        return running[1]

    assert run(main) == 2


async def wait_outside_the_pool(event: threading.Event) -> None:
    """Wait for *event* in a thread of our own: the kernel's pool may be full."""
    with ThreadPoolExecutor(1) as own:
        assert await run_in_executor(own, event.wait, 10), "the event was never set"


def test_bad_max_worker_threads_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_THREADS", "many")

    async def main() -> int:
        return await run_in_thread(abs, -1)

    with pytest.raises(TypeError, match="MAX_WORKER_THREADS must be an int"):
        run(main)


# ---------------------------------------------------------------- call_on_cancel


def _started_call(started: threading.Event, release: threading.Event, value: object) -> object:
    started.set()
    release.wait(10)
    if isinstance(value, BaseException):
        raise value
    return value


async def _cancel_when_started(task: Task[Any], started: threading.Event) -> bool:
    await run_in_thread(started.wait, 10)
    return await task.cancel()


def test_call_on_cancel_gets_the_outcome_in_the_worker_thread_after_the_call(
    no_thread_leak: None,
) -> None:
    started, release = threading.Event(), threading.Event()
    hooked: queue.Queue[tuple[object, str]] = queue.Queue()

    def hook(future: Future[object]) -> None:
        hooked.put((future.result(), threading.current_thread().name))

    async def main() -> bool:
        task = await spawn(
            run_in_thread(_started_call, started, release, "opened", call_on_cancel=hook)
        )
        cancelled = await _cancel_when_started(task, started)
        assert hooked.empty()  # the call is still running: the hook waits for it
        release.set()
        return cancelled

    assert run(main) is True
    value, thread = hooked.get(timeout=10)
    assert value == "opened"
    assert thread.startswith("curio-worker")


def test_call_on_cancel_sees_the_calls_exception(no_thread_leak: None) -> None:
    started, release = threading.Event(), threading.Event()
    hooked: queue.Queue[BaseException | None] = queue.Queue()

    async def main() -> None:
        task = await spawn(
            run_in_thread(
                _started_call,
                started,
                release,
                LookupError("late"),
                call_on_cancel=lambda f: hooked.put(f.exception()),
            )
        )
        await _cancel_when_started(task, started)
        release.set()

    run(main)
    error = hooked.get(timeout=10)
    assert isinstance(error, LookupError)


def test_call_on_cancel_is_not_called_when_the_outcome_arrives(no_thread_leak: None) -> None:
    hooked: list[object] = []

    async def main() -> int:
        value: int = await run_in_thread(abs, -3, call_on_cancel=hooked.append)
        with pytest.raises(ZeroDivisionError):
            await run_in_thread(operator.truediv, 1, 0, call_on_cancel=hooked.append)
        return value

    assert run(main) == 3
    assert hooked == []


def test_a_call_cancelled_before_it_started_never_runs_nor_calls_the_hook(
    monkeypatch: pytest.MonkeyPatch, no_thread_leak: None
) -> None:
    monkeypatch.setattr(workers, "MAX_WORKER_THREADS", 1)
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    async def main() -> None:
        busy = await spawn(run_in_thread(_started_call, started, release, None))
        await wait_outside_the_pool(started)
        queued = await spawn(
            run_in_thread(
                ran.append, "queued call ran", call_on_cancel=lambda f: ran.append("hook")
            )
        )
        await sleep(0)
        await queued.cancel()
        release.set()
        await busy.join()
        await run_in_thread(ran.append, "next call ran")  # the one thread, in order

    run(main)
    assert ran == ["next call ran"]


def test_a_call_on_cancel_that_raises_is_logged(
    caplog: pytest.LogCaptureFixture, no_thread_leak: None
) -> None:
    started, release = threading.Event(), threading.Event()
    logged = threading.Event()

    def hook(future: Future[object]) -> None:
        try:
            raise RuntimeError("hook failed")
        finally:
            logged.set()

    async def main() -> None:
        task = await spawn(run_in_thread(_started_call, started, release, 1, call_on_cancel=hook))
        await _cancel_when_started(task, started)
        release.set()

    with caplog.at_level(logging.ERROR, logger="curio"):
        run(main)  # the kernel's pool waits for its threads: the hook has run
    assert logged.is_set()
    assert "call_on_cancel" in caplog.text
    assert "hook failed" in caplog.text


def test_the_hook_runs_in_a_thread_of_its_own_when_the_outcome_was_dropped_late(
    no_thread_leak: None,
) -> None:
    # The call finished, but its task was cancelled before the kernel handed it
    # the outcome: the hook still runs, never in the kernel's thread.
    hooked: queue.Queue[tuple[object, str]] = queue.Queue()
    guarded = workers._GuardedCall(
        lambda: "done", lambda f: hooked.put((f.result(), threading.current_thread().name))
    )
    assert guarded() == "done"
    guarded.abandon(CancelledError())
    value, thread = hooked.get(timeout=10)
    assert (value, thread) == ("done", "curio-call-on-cancel")
    for t in threading.enumerate():
        if t.name == "curio-call-on-cancel":
            t.join(10)


def test_cancelled_again_in_cleanup_each_call_gets_its_hook(no_thread_leak: None) -> None:
    started, release = threading.Event(), threading.Event()
    again, release_again = threading.Event(), threading.Event()
    hooked: queue.Queue[object] = queue.Queue()

    async def call() -> None:
        try:
            await run_in_thread(_started_call, started, release, 1, call_on_cancel=hooked.put)
        finally:
            await run_in_thread(_started_call, again, release_again, 2, call_on_cancel=hooked.put)

    async def main() -> None:
        task = await spawn(call())
        canceller = await spawn(_cancel_when_started(task, started))
        await run_in_thread(again.wait, 10)
        await task.cancel()  # a second cancellation, during the cleanup's call
        assert await canceller.join() is True
        release.set()
        release_again.set()

    run(main)
    outcomes = {hooked.get(timeout=10).result(), hooked.get(timeout=10).result()}  # type: ignore[attr-defined]
    assert outcomes == {1, 2}


def test_call_on_cancel_must_be_callable() -> None:
    async def main() -> int:
        return await run_in_thread(abs, -1, call_on_cancel="close")  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="call_on_cancel must be callable or None"):
        run(main)


def test_a_keyword_named_call_on_cancel_goes_to_the_callable_only_through_partial(
    no_thread_leak: None,
) -> None:
    def takes_it(*, call_on_cancel: object = "default") -> object:
        return call_on_cancel

    async def main() -> tuple[object, object]:
        consumed = await run_in_thread(takes_it, call_on_cancel=None)
        bound = await run_in_thread(functools.partial(takes_it, call_on_cancel="mine"))
        return consumed, bound

    assert run(main) == ("default", "mine")


# ---------------------------------------------------------------- cancelled calls


def test_a_cancelled_running_call_frees_its_place_at_once(
    monkeypatch: pytest.MonkeyPatch, no_thread_leak: None
) -> None:
    # One thread allowed: the cancelled call goes on in the background (a zombie)
    # while a queued call and a new one run in fresh threads.
    monkeypatch.setattr(workers, "MAX_WORKER_THREADS", 1)
    started, release = threading.Event(), threading.Event()

    async def main() -> tuple[int, int, bool]:
        blocked = await spawn(run_in_thread(_started_call, started, release, None))
        await wait_outside_the_pool(started)
        queued = await spawn(run_in_thread(threading.get_ident))
        await sleep(0)
        await blocked.cancel()
        first = await queued.join()  # started when the blocked call was given up
        second = await run_in_thread(threading.get_ident)
        zombie_running = not release.is_set()
        release.set()
        return first, second, zombie_running

    first, second, zombie_running = run(main)
    assert zombie_running
    assert first == second  # one thread counts against the limit, and it is reused


def test_a_zombie_thread_ends_once_its_call_returns(no_thread_leak: None) -> None:
    started, release, returned = threading.Event(), threading.Event(), threading.Event()

    def call() -> None:
        _started_call(started, release, None)
        returned.set()

    async def main() -> None:
        task = await spawn(run_in_thread(call))
        await wait_outside_the_pool(started)
        await task.cancel()
        release.set()
        await wait_outside_the_pool(returned)

    run(main)  # no_thread_leak: the zombie has ended, and the pool's threads too
