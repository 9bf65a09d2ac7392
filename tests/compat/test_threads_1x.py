"""curio 1.6's asynchronous threads: the "Asynchronous Threads" section of the 1.6 reference.

``spawn_thread`` and the ``AsyncThread`` it returns (``join``, ``wait``, ``cancel``,
``result``, ``exception``, ``id``, ``terminated``, ``cancelled``), ``AWAIT`` of curio's
coroutines from the thread, exceptions crossing both ways, cancellation and timeouts,
``is_async_thread``, the ``async_thread`` decorator of the 0.9 series, and what happens
to an async thread when its kernel ends.  Every test starts real threads and checks that
none is left running.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Awaitable, Callable

import pytest

from curio_kernel import (
    AWAIT,
    AsyncThread,
    CancelledError,
    Kernel,
    TaskCancelled,
    TaskError,
    TaskTimeout,
    async_thread,
    clock,
    current_task,
    is_async_thread,
    run,
    sleep,
    spawn,
    spawn_thread,
    timeout_after,
)
from curio_kernel.testing import MockClock
from curio_sync import Event, Queue
from curio_traps import AsyncOnlyError, awaitable

pytestmark = [pytest.mark.timeout(20), pytest.mark.usefixtures("no_thread_leak")]

#: How long a thread waits for a threading.Event before the test is declared broken.
PATIENCE = 10.0


class Stop(Exception):
    """A custom cancellation exception for ``AsyncThread.cancel(exc=...)``."""


def must_wait(event: threading.Event) -> None:
    """Block the calling thread until *event* is set (bounded: a broken test fails)."""
    if not event.wait(PATIENCE):
        raise AssertionError("the test never released this thread")


# ---------------------------------------------------------------------- the manual's example


def test_the_manuals_consumer_gets_every_item_then_says_goodbye_when_cancelled() -> None:
    got: list[object] = []

    def consumer(queue: Queue[int]) -> None:
        try:
            while True:
                item = AWAIT(queue.get())
                got.append(item)
                AWAIT(queue.task_done())
        except CancelledError:
            got.append("goodbye")
            raise

    async def main() -> tuple[bool, bool]:
        q: Queue[int] = Queue()
        t = await spawn_thread(consumer, q)
        for i in range(10):
            await q.put(i)
            await sleep(0)  # the manual sleeps a second here
        await q.join()
        await t.cancel()
        return t.cancelled, t.terminated

    assert run(main) == (True, True)
    assert got == [*range(10), "goodbye"]


# ---------------------------------------------------------------------- AWAIT


def test_await_runs_sleep_event_and_queue_operations_on_the_kernel_for_the_thread(
    virtual_clock: MockClock,
) -> None:
    def worker(evt: Event, q: Queue[str]) -> list[object]:
        seen: list[object] = []
        AWAIT(sleep(0.001))
        AWAIT(evt.wait())  # blocks the thread until the task sets it
        seen.append(AWAIT(q.get()))
        AWAIT(q.put("from the thread"))
        seen.append(AWAIT(evt.is_set))  # a plain method is just called
        return seen

    async def main() -> tuple[list[object], str]:
        evt, q = Event(), Queue[str]()
        t = await spawn_thread(worker, evt, q)
        await q.put("from the task")
        await evt.set()
        result = await t.join()
        return result, await q.get()

    assert run(main, clock=virtual_clock) == (["from the task", True], "from the thread")


def test_await_of_spawn_starts_a_task_that_the_thread_can_join() -> None:
    async def square(n: int) -> tuple[int, bool]:
        await sleep(0)
        return n * n, is_async_thread()

    def worker() -> tuple[int, bool]:
        task = AWAIT(spawn(square, 7))
        return AWAIT(task.join())

    async def main() -> tuple[int, bool]:
        return await (await spawn_thread(worker)).join()

    # The coroutine runs on the kernel, not in the asynchronous thread.
    assert run(main) == (49, False)


def test_await_calls_a_coroutine_function_with_its_arguments_on_the_kernel() -> None:
    def plain(x: int, *, y: int) -> str:
        return f"sync {x} {y}"

    @awaitable(plain)
    async def both(x: int, *, y: int) -> str:
        await sleep(0)
        return f"async {x} {y}"

    async def add(x: int, *, y: int) -> int:
        await sleep(0)
        return x + y

    def worker() -> tuple[int, str]:
        return AWAIT(add, 1, y=2), AWAIT(both, 3, y=4)

    async def main() -> tuple[int, str]:
        return await (await spawn_thread(worker)).join()

    # The awaitable function is called on the kernel, inside a coroutine: its async side.
    assert run(main) == (3, "async 3 4")


def test_await_returns_anything_that_is_not_a_coroutine_unchanged() -> None:
    marker = object()

    def worker() -> tuple[object, object, int]:
        return AWAIT(marker), AWAIT(None), AWAIT(len, "four")

    async def main() -> tuple[object, object, int]:
        return await (await spawn_thread(worker)).join()

    assert run(main) == (marker, None, 4)
    # Outside an async thread too: only a coroutine needs one.
    assert AWAIT(marker) is marker
    assert AWAIT(len, "abc") == 3


def test_await_outside_an_async_thread_raises_async_only_error_naming_the_problem() -> None:
    errors: list[BaseException] = []

    async def fetch() -> None:
        await sleep(0)

    def plain_thread() -> None:
        try:
            AWAIT(fetch())
        except AsyncOnlyError as exc:
            errors.append(exc)

    # In a plain thread, in the main thread without a kernel, and in a coroutine.
    t = threading.Thread(target=plain_thread)
    t.start()
    t.join()
    with pytest.raises(AsyncOnlyError, match="asynchronous thread"):
        AWAIT(sleep(0))
    with pytest.raises(AsyncOnlyError, match="spawn_thread"):
        AWAIT(sleep, 0)

    async def in_a_task() -> None:
        AWAIT(sleep(0))

    with pytest.raises(AsyncOnlyError, match="use 'await' instead"):
        run(in_a_task)
    assert len(errors) == 1
    assert "AWAIT(" in str(errors[0])
    assert "fetch" in str(errors[0])
    # The refused coroutines were closed: no "never awaited" warning (warnings are errors).


def test_spawn_thread_refuses_a_coroutine_or_something_not_callable_right_away() -> None:
    async def coro_func() -> None:
        pass

    with pytest.raises(TypeError, match="synchronous function"):
        spawn_thread(coro_func)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="runs a function"):
        spawn_thread(42)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- outcomes


def test_join_returns_the_functions_result_and_result_is_readable_once_it_ended() -> None:
    release = threading.Event()

    def worker(a: int, b: int) -> int:
        must_wait(release)
        return a * b

    async def main() -> tuple[bool, int, int, BaseException | None]:
        t = await spawn_thread(worker, 6, 7)
        with pytest.raises(RuntimeError, match="not ended"):
            _ = t.result
        running = t.terminated
        release.set()
        value = await t.join()
        return running, value, t.result, t.exception

    assert run(main) == (False, 42, 42, None)


def test_a_failed_thread_raises_task_error_from_join_with_the_threads_traceback() -> None:
    def broken_helper() -> None:
        raise ValueError("boom in the thread")

    def worker() -> None:
        AWAIT(sleep(0))
        broken_helper()

    async def main() -> tuple[TaskError, AsyncThread[None]]:
        t = await spawn_thread(worker)
        with pytest.raises(TaskError) as info:
            await t.join()
        return info.value, t

    err, t = run(main)
    cause = err.__cause__
    assert isinstance(cause, ValueError)
    assert t.exception is cause
    with pytest.raises(ValueError, match="boom in the thread"):
        _ = t.result
    names = [frame.name for frame in traceback.extract_tb(cause.__traceback__)]
    assert "worker" in names
    assert "broken_helper" in names


def test_an_error_of_an_awaited_coroutine_reaches_the_thread_with_its_traceback() -> None:
    async def failing() -> None:
        await sleep(0)
        raise KeyError("raised on the kernel")

    def worker() -> tuple[str, list[str]]:
        try:
            AWAIT(failing())
        except KeyError as exc:
            names = [frame.name for frame in traceback.extract_tb(exc.__traceback__)]
            return str(exc), names
        raise AssertionError("AWAIT did not raise")

    async def main() -> tuple[str, list[str]]:
        return await (await spawn_thread(worker)).join()

    message, names = run(main)
    assert message == "'raised on the kernel'"
    assert "failing" in names
    assert "worker" in names


def test_wait_returns_nothing_whatever_the_outcome_and_ids_increase() -> None:
    def worker(fail: bool) -> int:
        if fail:
            raise OSError("no")
        return 1

    async def main() -> tuple[list[int], bool, bool, int]:
        good = await spawn_thread(worker, False)
        bad = await spawn_thread(worker, True)
        task = await spawn(sleep, 0)
        assert await good.wait() is None
        assert await bad.wait() is None
        await task.join()
        ids = [good.id, bad.id, task.id]
        return ids, good.terminated, bad.terminated, good.result

    ids, good_ended, bad_ended, value = run(main)
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    assert good_ended
    assert bad_ended
    assert value == 1


def test_is_async_thread_is_true_only_inside_an_async_thread() -> None:
    seen: dict[str, bool] = {}

    def plain() -> None:
        seen["plain thread"] = is_async_thread()

    def worker() -> None:
        seen["async thread"] = is_async_thread()
        helper = threading.Thread(target=plain)  # a thread it starts is a plain one
        helper.start()
        helper.join()

    async def main() -> None:
        seen["task"] = is_async_thread()
        await (await spawn_thread(worker)).join()

    run(main)
    assert seen == {"task": False, "async thread": True, "plain thread": False}
    assert not is_async_thread()


def test_an_async_thread_runs_in_a_thread_of_its_own_named_after_its_id() -> None:
    def worker() -> str:
        return threading.current_thread().name

    async def main() -> tuple[str, int, str]:
        t = await spawn_thread(worker)
        return await t.join(), t.id, repr(t)

    name, ident, text = run(main)
    assert name == f"curio-async-thread-{ident}"
    assert f"id={ident}" in text
    assert "worker" in text


# ---------------------------------------------------------------------- cancellation


def test_cancel_reaches_the_thread_at_await_and_the_thread_may_catch_it(
    virtual_clock: MockClock,
) -> None:
    def worker(started: Event) -> str:
        AWAIT(started.set())
        try:
            AWAIT(Event().wait())  # nobody sets it
        except TaskCancelled:
            caught = "cleaned up"
        # Cancellation is over: a later AWAIT works normally.
        AWAIT(sleep(0.001))
        return caught

    async def main() -> tuple[bool, str, bool]:
        started = Event()
        t = await spawn_thread(worker, started)
        await started.wait()
        cancelled = await t.cancel()
        return cancelled, t.result, t.cancelled

    assert run(main, clock=virtual_clock) == (True, "cleaned up", True)


def test_cancelling_a_thread_in_plain_code_lets_it_finish_and_cancel_waits_for_that() -> None:
    release = threading.Event()

    def worker(started: Event) -> str:
        AWAIT(started.set())
        must_wait(release)  # plain code: the cancellation cannot interrupt it
        return "finished"

    async def main() -> tuple[bool, bool, str, bool]:
        started = Event()
        t = await spawn_thread(worker, started)
        await started.wait()
        canceller = await spawn(t.cancel)
        for _ in range(20):
            await sleep(0)
        waited = not canceller.terminated
        release.set()
        cancelled = await canceller.join()
        return waited, cancelled, await t.join(), t.cancelled

    assert run(main) == (True, True, "finished", True)


def test_cancelling_a_thread_in_plain_code_raises_at_its_next_await() -> None:
    release = threading.Event()
    outcome: list[str] = []

    def worker(started: Event) -> None:
        AWAIT(started.set())
        must_wait(release)
        outcome.append("plain code done")
        try:
            AWAIT(sleep(0.001))
        except TaskCancelled:
            outcome.append("cancelled at AWAIT")
            raise
        outcome.append("never")

    async def main() -> tuple[bool, bool]:
        started = Event()
        t = await spawn_thread(worker, started)
        await started.wait()
        assert await t.cancel(blocking=False)
        release.set()
        await t.wait()
        with pytest.raises(TaskError) as info:
            await t.join()
        return isinstance(info.value.__cause__, TaskCancelled), t.cancelled

    assert run(main) == (True, True)
    assert outcome == ["plain code done", "cancelled at AWAIT"]


def test_cancel_with_a_custom_exception_and_again_after_the_thread_ended() -> None:
    def worker(started: Event) -> None:
        AWAIT(started.set())
        try:
            AWAIT(Event().wait())
        except Stop as exc:
            raise Stop(f"seen: {exc}") from None

    async def main() -> tuple[bool, bool, str]:
        started = Event()
        t = await spawn_thread(worker, started)
        await started.wait()
        first = await t.cancel(exc=Stop("custom"))
        again = await t.cancel()
        return first, again, str(t.exception)

    assert run(main) == (True, False, "seen: custom")


def test_a_second_cancel_interrupts_the_threads_clean_up() -> None:
    steps: list[str] = []

    def worker(started: Event, cleaning: Event) -> None:
        AWAIT(started.set())
        try:
            AWAIT(Event().wait())
        except TaskCancelled:
            steps.append("first")
            AWAIT(cleaning.set())
            try:
                AWAIT(Event().wait())  # a clean-up that would never end
            except TaskCancelled:
                steps.append("second")
                raise

    async def main() -> bool:
        started, cleaning = Event(), Event()
        t = await spawn_thread(worker, started, cleaning)
        await started.wait()
        await t.cancel(blocking=False)
        await cleaning.wait()
        await t.cancel()  # the thread took the first: this one sends another
        return t.terminated

    assert run(main) is True
    assert steps == ["first", "second"]


def test_cancelling_the_task_waiting_in_join_leaves_the_thread_running_until_joined() -> None:
    def worker(gate: Event) -> str:
        AWAIT(gate.wait())
        return "done"

    async def joiner(t: AsyncThread[str]) -> str:
        return await t.join()

    async def main() -> tuple[bool, str]:
        gate = Event()
        t = await spawn_thread(worker, gate)
        j = await spawn(joiner, t)  # waiting in join() once spawn() returns
        await j.cancel()
        still_running = not t.terminated
        await gate.set()
        return still_running, await t.join()

    assert run(main) == (True, "done")


# ---------------------------------------------------------------------- timeouts


def test_a_timeout_inside_awaited_code_reaches_the_thread(virtual_clock: MockClock) -> None:
    def worker() -> str:
        try:
            AWAIT(timeout_after(0.01, Event().wait()))
        except TaskTimeout:
            return f"timed out at {AWAIT(clock())}"
        return "not timed out"

    async def main() -> str:
        return await (await spawn_thread(worker)).join()

    assert run(main, clock=virtual_clock) == "timed out at 0.01"


def test_a_timeout_around_join_stops_the_wait_but_not_the_thread() -> None:
    release = threading.Event()

    def worker() -> str:
        must_wait(release)
        return AWAIT(_echo("still fine"))

    async def main() -> tuple[bool, str]:
        t = await spawn_thread(worker)
        with pytest.raises(TaskTimeout):
            # Real time on purpose: the thread runs plain code, which holds an autojump back.
            await timeout_after(0.01, t.join())
        running = not t.terminated
        release.set()
        return running, await t.join()

    assert run(main) == (True, "still fine")


async def _echo(value: str) -> str:
    await sleep(0)
    return value


# ---------------------------------------------------------------------- the decorator


def test_async_thread_function_awaited_from_a_task_runs_in_a_new_async_thread() -> None:
    @async_thread
    def where(tag: str) -> tuple[str, bool, str]:
        return tag, is_async_thread(), threading.current_thread().name

    async def main() -> tuple[tuple[str, bool, str], tuple[str, bool, str]]:
        return await where("awaited"), await where.in_thread("typed")

    (tag, in_thread, name), (tag2, in_thread2, _) = run(main)
    assert (tag, in_thread, tag2, in_thread2) == ("awaited", True, "typed", True)
    assert name != threading.current_thread().name
    # From synchronous code it is a plain call.
    assert where("plain") == ("plain", False, threading.current_thread().name)


def test_async_thread_function_called_in_an_async_thread_is_a_plain_call() -> None:
    @async_thread(daemon=True)
    def inner() -> str:
        return threading.current_thread().name

    def worker() -> tuple[str, str]:
        return inner(), threading.current_thread().name

    async def main() -> tuple[str, str]:
        return await (await spawn_thread(worker)).join()

    called_in, own = run(main)
    assert called_in == own


def test_async_thread_function_raises_the_functions_own_error_not_task_error() -> None:
    @async_thread
    def fail() -> None:
        raise LookupError("plainly")

    async def main() -> None:
        await fail()

    with pytest.raises(LookupError, match="plainly"):
        run(main)


def test_cancelling_a_task_awaiting_an_async_thread_function_cancels_the_thread() -> None:
    steps: list[str] = []

    @async_thread
    def slow(started: Event) -> None:
        AWAIT(started.set())
        try:
            AWAIT(Event().wait())
        except CancelledError:
            steps.append("thread cancelled")
            raise

    async def caller(started: Event) -> None:
        try:
            await slow(started)
        except CancelledError:
            steps.append("caller cancelled")
            raise

    async def main() -> None:
        started = Event()
        task = await spawn(caller, started)
        await started.wait()
        await task.cancel()

    run(main)
    assert steps == ["thread cancelled", "caller cancelled"]


def test_an_async_thread_function_can_be_spawned_as_a_task_and_cancelled_there() -> None:
    steps: list[str] = []

    def func(started: Event) -> None:
        AWAIT(started.set())
        try:
            AWAIT(Event().wait())
        except TaskCancelled:
            steps.append("thread cancelled")
            raise

    async def main() -> bool:
        started = Event()
        task = await spawn(async_thread(func), started)
        await started.wait()
        await task.cancel()
        return task.cancelled

    assert run(main) is True
    assert steps == ["thread cancelled"]


def test_async_thread_refuses_a_coroutine_function() -> None:
    async def coro_func() -> None:
        pass

    with pytest.raises(TypeError, match="synchronous function"):
        async_thread(coro_func)


def test_async_thread_works_on_methods() -> None:
    class Counter:
        def __init__(self) -> None:
            self.count = 0

        @async_thread
        def bump(self, by: int) -> tuple[int, bool]:
            self.count += by
            return self.count, is_async_thread()

    counter = Counter()

    async def main() -> tuple[int, bool]:
        return await counter.bump(2)

    assert run(main) == (2, True)
    assert counter.bump(3) == (5, False)


# ---------------------------------------------------------------------- the kernel's end


def test_a_non_daemonic_thread_keeps_run_going_until_it_ends(virtual_clock: MockClock) -> None:
    done: list[str] = []

    def worker() -> None:
        AWAIT(sleep(0.01))
        done.append(f"AWAIT after main returned, at {AWAIT(clock())}")

    async def main() -> str:
        await spawn_thread(worker)
        return "main done"

    assert run(main, clock=virtual_clock) == "main done"
    assert done == ["AWAIT after main returned, at 0.01"]


def test_a_daemonic_thread_is_cancelled_at_its_next_await_when_the_kernel_shuts_down() -> None:
    outcome: list[str] = []

    def worker(started: Event) -> None:
        AWAIT(started.set())
        try:
            AWAIT(Event().wait())
        except CancelledError:
            outcome.append("cancelled by the shutdown")
            raise

    async def main() -> bool:
        started = Event()
        t = await spawn_thread(worker, started, daemon=True)
        await started.wait()
        return t.daemon

    assert run(main) is True
    assert outcome == ["cancelled by the shutdown"]


def test_shutdown_waits_for_a_daemonic_thread_in_plain_code_to_return() -> None:
    main_done, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def worker() -> None:
        must_wait(release)
        outcome.append("returned")

    def release_later() -> None:
        must_wait(main_done)
        release.set()

    async def main() -> None:
        await spawn_thread(worker, daemon=True)
        main_done.set()  # the kernel's run ends now; the thread is still in plain code

    helper = threading.Thread(target=release_later)
    helper.start()
    with Kernel() as kernel:
        kernel.run(main)
    helper.join()
    assert outcome == ["returned"]


def test_the_backing_task_is_a_task_of_the_kernel_until_the_thread_ends() -> None:
    def worker(gate: Event) -> None:
        AWAIT(gate.wait())

    async def main(kernel: Kernel) -> tuple[bool, bool, str]:
        gate = Event()
        t = await spawn_thread(worker, gate)
        me = await current_task()
        listed = t.id in {task.id for task in kernel.tasks if task is not me}
        state = t.state
        await gate.set()
        await t.join()
        gone = t.id not in {task.id for task in kernel.tasks}
        return listed, gone, state

    with Kernel() as kernel:
        listed, gone, state = kernel.run(main, kernel)
    assert listed
    assert gone
    assert state in {"FUTURE_WAIT", "EVENT_WAIT"}


def test_a_thread_that_fails_unwatched_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def worker() -> None:
        raise RuntimeError("nobody joins me")

    async def main() -> None:
        t = await spawn_thread(worker)
        await t.wait()

    run(main)
    assert any("crashed" in record.getMessage() for record in caplog.records)
    assert any("worker" in record.getMessage() for record in caplog.records)


def test_an_async_thread_made_by_hand_is_started_with_start() -> None:
    def worker(x: int, *, y: int) -> int:
        return x - y

    async def main() -> int:
        t = AsyncThread(worker, (10,), {"y": 3})
        with pytest.raises(RuntimeError, match="not been started"):
            _ = t.id
        await t.start()
        with pytest.raises(RuntimeError, match="already started"):
            await t.start()
        return await t.join()

    assert run(main) == 7


def test_an_interrupted_run_cancels_its_threads_at_await_before_raising() -> None:
    seen: list[str] = []

    def worker(started: Event) -> None:
        AWAIT(started.set())
        try:
            AWAIT(Event().wait())
        except CancelledError as exc:
            seen.append(str(exc))
            raise

    async def main() -> None:
        started = Event()
        await spawn_thread(worker, started)
        await started.wait()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(main)
    assert seen == ["kernel shutdown"]


# ---------------------------------------------------------------------- many at once


def test_many_threads_hand_items_through_one_queue_and_lose_none() -> None:
    def producer(q: Queue[int], base: int) -> None:
        for n in range(50):
            AWAIT(q.put(base + n))

    def consumer(q: Queue[int], count: int) -> list[int]:
        return [AWAIT(q.get()) for _ in range(count)]

    async def main() -> list[int]:
        q: Queue[int] = Queue(maxsize=5)
        consumers = [await spawn_thread(consumer, q, 100) for _ in range(4)]
        producers = [await spawn_thread(producer, q, 1000 * k) for k in range(8)]
        for p in producers:
            await p.join()
        got: list[int] = []
        for c in consumers:
            got.extend(await c.join())
        return got

    got = run(main)
    assert sorted(got) == sorted(1000 * k + n for k in range(8) for n in range(50))


def test_cancelling_many_threads_wherever_they_are_leaves_none_running() -> None:
    release = threading.Event()

    def worker(n: int, gate: Event) -> str:
        if n % 3 == 0:
            must_wait(release)  # in plain code when cancelled
            return "plain"
        AWAIT(gate.wait())  # in AWAIT when cancelled
        return "never"

    async def main() -> list[object]:
        gate = Event()
        threads = [await spawn_thread(worker, n, gate) for n in range(12)]
        for t in threads:
            await t.cancel(blocking=False)
        release.set()
        outcomes: list[object] = []
        for t in threads:
            await t.wait()
            outcomes.append(t.result if t.exception is None else type(t.exception))
        return outcomes

    outcomes = run(main)
    assert outcomes == ["plain" if n % 3 == 0 else TaskCancelled for n in range(12)]


def test_a_pending_cancellation_waits_for_the_first_awaited_coroutine_that_blocks() -> None:
    release = threading.Event()
    steps: list[str] = []

    def worker(started: Event, q: Queue[str]) -> None:
        AWAIT(started.set())
        must_wait(release)
        AWAIT(q.put("put while cancelled"))  # does not block: it completes
        steps.append("put done")
        try:
            AWAIT(q.join())  # blocks: the pending cancellation is raised here
        except TaskCancelled:
            steps.append("cancelled at join")
            raise

    async def main() -> str:
        started, q = Event(), Queue[str]()
        t = await spawn_thread(worker, started, q)
        await started.wait()
        await t.cancel(blocking=False)
        release.set()
        await t.wait()
        return await q.get()

    assert run(main) == "put while cancelled"
    assert steps == ["put done", "cancelled at join"]


def test_a_thread_that_cannot_start_raises_and_leaves_no_backing_task(
    monkeypatch: pytest.MonkeyPatch, until: Callable[[Callable[[], bool]], Awaitable[None]]
) -> None:
    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    def worker() -> None:
        raise AssertionError("never runs")

    async def main(kernel: Kernel) -> None:
        with monkeypatch.context() as patch:
            patch.setattr(threading.Thread, "start", refuse)
            with pytest.raises(RuntimeError, match="can't start new thread"):
                await spawn_thread(worker)
        me = await current_task()
        await until(lambda: kernel.tasks == [me])  # the backing task ends by itself

    with Kernel() as kernel:
        kernel.run(main, kernel)
        assert kernel.tasks == []
