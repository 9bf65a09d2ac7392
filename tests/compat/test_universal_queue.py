"""curio 1.6's UniversalQueue: one queue for curio tasks, plain threads and asyncio.

The manual's producer/consumer example runs (shortened: ten items, no sleeps), and so does
the queue's whole API in every world.  Cancellation and timeouts across the worlds are in
test_universal_cross_world.py.
"""

from __future__ import annotations

import asyncio
import queue
import select
import threading
from typing import Any

import pytest

from curio_kernel import run, run_in_thread, spawn, timeout_after
from curio_sync import QueueEmpty, QueueFull, SyncUsageError, UniversalQueue


def test_the_manuals_example_curio_and_asyncio_consumers_and_a_thread_producer(
    no_thread_leak: None, no_fd_leak: None
) -> None:
    got: list[tuple[str, int]] = []
    done: list[str] = []

    async def consumer(name: str, q: UniversalQueue[int | None]) -> None:
        while True:
            item = await q.get()  # type: ignore[misc]  # awaited in a coroutine
            if item is None:
                break
            got.append((name, item))
            await q.task_done()  # type: ignore[func-returns-value]
        done.append(name)
        await q.put(None)  # type: ignore[func-returns-value]

    def producer(q: UniversalQueue[int | None]) -> None:
        for i in range(10):
            q.put(i)
        q.join()
        done.append("producer")

    async def main() -> None:
        q: UniversalQueue[int | None] = UniversalQueue()
        t1 = await spawn(consumer("curio", q))
        t2 = threading.Thread(target=asyncio.run, args=[consumer("asyncio", q)])
        t2.start()
        t3 = threading.Thread(target=producer, args=[q])
        t3.start()
        await run_in_thread(t3.join)
        await q.put(None)  # type: ignore[func-returns-value]
        await t1.join()
        await run_in_thread(t2.join)

    run(main)
    assert sorted(item for _, item in got) == list(range(10))  # each item exactly once
    assert done[0] == "producer"  # join() returned once every item was done
    assert sorted(done[1:]) == ["asyncio", "curio"]


def test_a_thread_hands_items_to_a_curio_task_in_order() -> None:
    async def main() -> list[int]:
        q: UniversalQueue[int] = UniversalQueue()
        thread = threading.Thread(target=lambda: [q.put(i) for i in range(100)])
        thread.start()
        items = [await q.get() for _ in range(100)]  # type: ignore[misc]
        await run_in_thread(thread.join)
        return items

    assert run(main) == list(range(100))


def test_a_curio_task_hands_items_to_a_thread_in_order() -> None:
    got: list[int] = []

    async def main() -> None:
        q: UniversalQueue[int] = UniversalQueue()
        thread = threading.Thread(target=lambda: got.extend(q.get() for _ in range(100)))
        thread.start()
        for i in range(100):
            await q.put(i)  # type: ignore[func-returns-value]
        await run_in_thread(thread.join, 10)

    run(main)
    assert got == list(range(100))


def test_the_size_questions_answer_as_1_6s_do() -> None:
    q: UniversalQueue[str] = UniversalQueue(maxsize=2)
    assert (q.empty(), q.full(), q.qsize(), q.size(), q.maxsize) == (True, False, 0, 0, 2)
    q.put("a")
    q.put("b")
    assert (q.empty(), q.full(), q.qsize(), q.size()) == (False, True, 2, 2)
    assert "size:2, maxsize:2" in repr(q)
    assert q.get() == "a"
    assert not q.full()


def test_maxsize_and_withfd_are_also_accepted_by_keyword_as_in_1_6() -> None:
    q: UniversalQueue[int] = UniversalQueue(maxsize=1, withfd=True)
    try:
        assert q.maxsize == 1
        assert q.fileno() >= 0
    finally:
        q.close()


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_a_bad_maxsize_is_refused_with_a_message_that_names_it(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="maxsize"):
        UniversalQueue(bad)


def test_a_thread_get_waits_for_a_put_from_another_thread() -> None:
    q: UniversalQueue[int] = UniversalQueue()
    got: queue.Queue[int] = queue.Queue()
    thread = threading.Thread(target=lambda: got.put(q.get()))
    thread.start()
    q.put(7)
    assert got.get(timeout=10) == 7
    thread.join(10)


def test_a_thread_get_with_a_timeout_raises_queue_empty() -> None:
    q: UniversalQueue[int] = UniversalQueue()
    with pytest.raises(queue.Empty, match="no item within"):
        q.get(timeout=0.01)
    q.put(1)  # the timed-out getter left nothing behind to swallow it
    assert q.get_nowait() == 1


@pytest.mark.parametrize("bad", ["1", float("nan")])
def test_a_bad_thread_timeout_is_refused_and_leaves_no_waiter(bad: Any) -> None:
    q: UniversalQueue[int] = UniversalQueue()
    with pytest.raises((TypeError, ValueError), match="timeout"):
        q.get(timeout=bad)
    assert "getters:0" in repr(q)


def test_a_thread_put_into_a_full_queue_times_out_with_queue_full() -> None:
    q: UniversalQueue[int] = UniversalQueue(1)
    q.put(1)
    with pytest.raises(queue.Full, match="no free slot"):
        q.put(2, timeout=0.01)
    assert q.get() == 1
    q.put(3, timeout=0)  # the slot is free: no stale putter holds it
    assert q.get() == 3


def test_a_thread_put_into_a_full_queue_waits_for_a_get() -> None:
    q: UniversalQueue[int] = UniversalQueue(1)
    q.put(1)
    thread = threading.Thread(target=q.put, args=(2,))
    thread.start()
    assert q.get(timeout=10) == 1
    assert q.get(timeout=10) == 2
    thread.join(10)
    assert q.empty()


def test_the_nowait_forms_raise_the_queue_exceptions() -> None:
    q: UniversalQueue[int] = UniversalQueue(1)
    with pytest.raises(QueueEmpty):
        q.get_nowait()
    q.put_nowait(1)
    with pytest.raises(QueueFull):
        q.put_nowait(2)


def test_join_returns_once_every_item_is_done_in_every_world(
    asyncio_thread: Any,
) -> None:
    q: UniversalQueue[int] = UniversalQueue()
    q.join()  # nothing put: returns at once
    for i in range(3):
        q.put(i)

    async def aio_join() -> str:
        await q.join()  # type: ignore[func-returns-value]
        return "asyncio joined"

    aio = asyncio_thread.submit(aio_join())
    thread_joined = threading.Event()
    joiner = threading.Thread(target=lambda: (q.join(), thread_joined.set()))
    joiner.start()

    async def main() -> None:
        waiter = await spawn(q.join)  # a dual method is a coroutine function for spawn
        for _ in range(3):
            q.get_nowait()
            await q.task_done()  # type: ignore[func-returns-value]
        # Real time on purpose: a safety bound; the join wakes through a future, in real time.
        await timeout_after(10, waiter.join())

    run(main)
    assert aio.result(10) == "asyncio joined"
    assert thread_joined.wait(10)
    joiner.join(10)


def test_task_done_more_often_than_items_were_put_is_an_error() -> None:
    q: UniversalQueue[int] = UniversalQueue()
    q.put(1)
    q.task_done()
    with pytest.raises(SyncUsageError, match="more times than items were put"):
        q.task_done()


def test_a_thread_join_with_a_timeout_raises_timeout_error() -> None:
    q: UniversalQueue[int] = UniversalQueue()
    q.put(1)
    with pytest.raises(TimeoutError):
        q.join(timeout=0.01)
    q.task_done()
    q.join(timeout=0)


def test_a_coroutine_timeout_argument_points_to_the_worlds_own_timeouts() -> None:
    async def main() -> None:
        q: UniversalQueue[int] = UniversalQueue()
        with pytest.raises(TypeError, match="timeout_after"):
            await q.get(timeout=1)  # type: ignore[misc]
        with pytest.raises(TypeError, match=r"asyncio\.wait_for"):
            await q.put(1, timeout=1)  # type: ignore[func-returns-value]
        assert "getters:0" in repr(q)

    run(main)


def test_awaiting_outside_curio_and_asyncio_is_a_clear_error_that_leaves_no_waiter() -> None:
    q: UniversalQueue[int] = UniversalQueue()

    async def get() -> int:
        return await q.get()  # type: ignore[no-any-return, misc]

    coro = get()
    with pytest.raises(RuntimeError, match="outside a curio task and outside an asyncio task"):
        coro.send(None)
    q.put(5)
    assert q.get_nowait() == 5  # no stale getter took it


def test_a_getter_in_a_comprehension_inside_a_coroutine_is_awaited() -> None:
    async def main() -> list[int]:
        q: UniversalQueue[int] = UniversalQueue()
        for i in range(3):
            q.put_nowait(i)
        coros = [q.get() for _ in range(3)]  # each a coroutine, as from the task itself
        return [await c for c in coros]

    assert run(main) == [0, 1, 2]


# ---------------------------------------------------------------------- withfd


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def test_withfd_gives_a_descriptor_readable_while_items_are_queued(no_fd_leak: None) -> None:
    q: UniversalQueue[int] = UniversalQueue(withfd=True)
    fd = q.fileno()
    assert not _readable(fd)
    q.put(1)
    q.put(2)
    assert _readable(fd)
    assert q.get() == 1
    assert _readable(fd)
    assert q.get() == 2
    assert not _readable(fd)
    q.close()


def test_withfd_stays_readable_past_what_the_pipe_holds(no_fd_leak: None) -> None:
    q: UniversalQueue[int] = UniversalQueue(withfd=True)
    count = 70_000  # more one-byte writes than a 64 KiB pipe takes
    for i in range(count):
        q.put(i)
    for i in range(count):
        assert _readable(q.fileno()) if i % 10_000 == 0 else True
        assert q.get_nowait() == i
    assert not _readable(q.fileno())
    q.close()


def test_a_foreign_loop_polls_the_descriptor_while_a_thread_puts(no_fd_leak: None) -> None:
    q: UniversalQueue[int] = UniversalQueue(withfd=True)
    thread = threading.Thread(target=lambda: [q.put(i) for i in range(20)])
    thread.start()
    got = []
    while len(got) < 20:
        ready, _, _ = select.select([q.fileno()], [], [], 10)
        assert ready, "the descriptor never became readable"
        got.append(q.get())
    thread.join(10)
    assert got == list(range(20))
    assert not _readable(q.fileno())
    q.close()


def test_a_direct_hand_off_to_a_waiting_getter_leaves_no_byte_behind(no_fd_leak: None) -> None:
    q: UniversalQueue[int] = UniversalQueue(withfd=True)
    got: queue.Queue[int] = queue.Queue()
    thread = threading.Thread(target=lambda: got.put(q.get()))
    thread.start()
    while "getters:1" not in repr(q):
        select.select([], [], [], 0.001)  # the getter is a real thread: poll its arrival
    q.put(9)
    assert got.get(timeout=10) == 9
    thread.join(10)
    assert not _readable(q.fileno())
    q.close()


def test_fileno_without_withfd_says_how_to_get_one() -> None:
    with pytest.raises(SyncUsageError, match="withfd=True"):
        UniversalQueue().fileno()


def test_a_collected_queue_closes_its_descriptor(no_fd_leak: None) -> None:
    q: UniversalQueue[int] = UniversalQueue(withfd=True)
    q.put(1)
    del q  # no cycle: reference counting closes the pipe at once


def test_ctrl_c_in_a_blocked_main_thread_get_leaves_no_waiter_behind() -> None:
    import signal

    q: UniversalQueue[int] = UniversalQueue()
    main = threading.main_thread().ident
    assert main == threading.get_ident()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def interrupt() -> None:
        seen = threading.Event()
        for _ in range(10_000):
            if "getters:1" in repr(q):
                break
            seen.wait(0.001)
        assert main is not None
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=interrupt)
    thread.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            q.get(timeout=10)
    finally:
        thread.join(10)
        signal.signal(signal.SIGINT, previous)
    assert "getters:0" in repr(q)
    q.put(1)
    assert q.get_nowait() == 1  # no stale getter swallowed it
