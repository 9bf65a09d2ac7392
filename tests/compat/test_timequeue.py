"""curio.timequeue.TimeQueue: items by expiry, for code that schedules its own deadlines."""

from __future__ import annotations

from curio_kernel.timequeue import TimeQueue


def test_expired_items_come_out_earliest_first_up_to_the_deadline() -> None:
    queue: TimeQueue[str] = TimeQueue()
    queue.push("c", 3.0)
    queue.push("a", 1.0)
    queue.push("b", 2.0)
    assert list(queue.expired(2.5)) == [(1.0, "a"), (2.0, "b")]
    assert len(queue) == 1
    assert list(queue.expired(10.0)) == [(3.0, "c")]
    assert len(queue) == 0


def test_next_deadline_is_the_time_left_until_the_earliest_expiry() -> None:
    queue: TimeQueue[str] = TimeQueue()
    assert queue.next_deadline(0.0) is None
    queue.push("x", 5.0)
    queue.push("y", 2.0)
    assert queue.next_deadline(1.5) == 0.5
    assert queue.next_deadline(4.0) == 0.0  # already due: never negative


def test_a_cancelled_item_never_comes_out() -> None:
    queue: TimeQueue[str] = TimeQueue()
    queue.push("keep", 1.0)
    queue.push("drop", 0.5)
    queue.cancel("drop", 0.5)
    queue.cancel("absent", 9.0)  # nothing to cancel: no error
    assert len(queue) == 1
    assert queue.next_deadline(0.0) == 1.0
    assert list(queue.expired(2.0)) == [(1.0, "keep")]


def test_the_same_item_may_wait_for_two_expiry_times() -> None:
    queue: TimeQueue[str] = TimeQueue()
    queue.push("x", 1.0)
    queue.push("x", 2.0)
    queue.cancel("x", 1.0)
    assert list(queue.expired(5.0)) == [(2.0, "x")]
