"""curio 1.6's task groups: the "Task Groups" section of the 1.6 reference.

Membership (``tasks=``, ``add_task``, ``spawn``, daemonic members), the four
*wait* policies, what ``join()`` collects (``result``, ``results``,
``exception``, ``exceptions``, ``completed``, ``tasks``), ``next_done`` /
``next_result`` / ``async for``, ``cancel_remaining``, and the rule that no
member outlives the group, whether the block ends, fails or is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from curio_kernel import CancelledError, Task, TaskGroup, run, spawn
from curio_sync import Event

pytestmark = pytest.mark.timeout(20)


async def value_after(gate: Event, value: Any) -> Any:
    """*value*, once *gate* is set."""
    await gate.wait()
    return value


async def forever() -> None:
    """Wait until cancelled (an event nobody sets)."""
    await Event().wait()


async def relay(mine: Event, ended: list[int], value: int, then: Event | None) -> int:
    """Once *mine* is set: note *value* in *ended*, set *then*, return *value*."""
    await mine.wait()
    ended.append(value)
    if then is not None:
        await then.set()
    return value


async def fail_after(gate: Event, exc: BaseException) -> None:
    await gate.wait()
    raise exc


async def bad_loser() -> None:
    """Wait until cancelled, then fail instead of ending cancelled."""
    try:
        await Event().wait()
    except CancelledError:
        raise KeyError("raised while being cancelled") from None


# ---------------------------------------------------------------------- membership


def test_tasks_given_to_the_constructor_are_members() -> None:
    async def main() -> tuple[bool, list[int]]:
        gate = Event()
        first = await spawn(value_after, gate, 1)
        second = await spawn(value_after, gate, 2)
        group: TaskGroup[int] = TaskGroup(tasks=[first, second])
        adopted = group.tasks == [first, second]
        async with group:
            await gate.set()
        return adopted, group.results

    assert run(main) == (True, [1, 2])


def test_tasks_are_ordered_by_task_id_not_by_when_they_joined_the_group() -> None:
    async def main() -> bool:
        gate = Event()
        oldest = await spawn(value_after, gate, 0)
        async with TaskGroup[int]() as group:
            later = [await group.spawn(value_after, gate, n) for n in (1, 2)]
            await group.add_task(oldest)
            ordered = group.tasks == [oldest, *later]
            await gate.set()
        return ordered

    assert run(main) is True


def test_tasks_excludes_a_member_joined_or_cancelled_directly() -> None:
    async def main() -> bool:
        gate = Event()
        async with TaskGroup[int]() as group:
            kept = await group.spawn(value_after, gate, 1)
            cancelled = await group.spawn(value_after, Event(), 2)
            joined = await group.spawn(value_after, gate, 3)
            await gate.set()
            await joined.join()
            await cancelled.cancel()
            left = group.tasks == [kept]
        return left and group.results == [1]

    assert run(main) is True


def test_add_task_of_a_task_already_in_a_group_raises_runtime_error() -> None:
    async def main() -> None:
        gate = Event()
        async with TaskGroup[int]() as first, TaskGroup[int]() as second:
            task = await first.spawn(value_after, gate, 1)
            with pytest.raises(RuntimeError):
                await second.add_task(task)
            await gate.set()
        assert first.tasks == [task]
        assert second.tasks == []

    run(main)


def test_spawning_into_a_joined_group_raises_runtime_error() -> None:
    async def main() -> None:
        group: TaskGroup[int] = TaskGroup()
        await group.join()
        with pytest.raises(RuntimeError):
            await group.spawn(value_after, Event(), 1)

    run(main)


@pytest.mark.parametrize("wait", ["all", max, 1], ids=["the-string-all", "max", "one"])
def test_a_wait_policy_other_than_all_any_object_or_none_raises_value_error(wait: object) -> None:
    with pytest.raises(ValueError):
        TaskGroup(wait=wait)


def test_spawn_of_something_that_is_not_a_coroutine_raises_type_error() -> None:
    async def main() -> list[Task[Any]]:
        async with TaskGroup[Any]() as group:
            with pytest.raises(TypeError):
                await group.spawn(cast(Any, lambda: 1))  # returns 1, not a coroutine
        return group.tasks

    assert run(main) == []


# ---------------------------------------------------------------------- wait policies


def test_wait_all_collects_every_result_ordered_by_task_id() -> None:
    async def main() -> tuple[list[int], list[int]]:
        ended: list[int] = []
        gates = [Event() for _ in range(3)]
        async with TaskGroup[int](wait=all) as group:
            # Each member lets the one before it end: they end in the order 3, 2, 1.
            await group.spawn(relay, gates[0], ended, 1, None)
            await group.spawn(relay, gates[1], ended, 2, gates[0])
            await group.spawn(relay, gates[2], ended, 3, gates[1])
            await gates[2].set()
        return ended, group.results

    assert run(main) == ([3, 2, 1], [1, 2, 3])


def test_wait_any_keeps_the_first_to_end_and_cancels_the_rest() -> None:
    async def main() -> None:
        fast = Event()
        async with TaskGroup[str](wait=any) as group:
            slow1 = await group.spawn(value_after, Event(), "slow")
            winner = await group.spawn(value_after, fast, "fast")
            slow2 = await group.spawn(value_after, Event(), "slower")
            await fast.set()
        assert group.completed is winner
        assert group.result == "fast"
        for loser in (slow1, slow2):
            assert loser.terminated
            assert loser.cancelled
            assert isinstance(loser.exception, CancelledError)

    run(main)


def test_wait_object_keeps_the_first_result_that_is_not_none() -> None:
    async def none_then(gate: Event, then: Event) -> None:
        await gate.wait()
        await then.set()

    async def main() -> None:
        gate_none, gate_value = Event(), Event()
        async with TaskGroup[Any](wait=object) as group:
            # The None member ends first, then lets the member with a value end.
            nothing = await group.spawn(none_then, gate_none, gate_value)
            something = await group.spawn(value_after, gate_value, "something")
            never = await group.spawn(forever)
            await gate_none.set()
        assert nothing.terminated
        assert nothing.result is None
        assert group.completed is something
        assert group.result == "something"
        assert never.terminated
        assert never.cancelled

    run(main)


def test_wait_none_cancels_every_member_at_join() -> None:
    async def main() -> None:
        async with TaskGroup[None](wait=None) as group:
            members = [await group.spawn(forever) for _ in range(3)]
        for member in members:
            assert member.terminated
            assert member.cancelled

    run(main)


# ---------------------------------------------------------------------- a failing member


@dataclass
class FailedGroup:
    """What a wait=all group with one failing member left behind."""

    group: TaskGroup[Any]
    error: ValueError
    failing: Task[Any]
    others: list[Task[Any]]
    after_block: bool = False
    log: list[str] = field(default_factory=list)


def _group_with_a_failing_member() -> FailedGroup:
    async def main() -> FailedGroup:
        gate = Event()
        error = ValueError("member failed")
        async with TaskGroup[Any](wait=all) as group:
            first = await group.spawn(forever)
            failing = await group.spawn(fail_after, gate, error)
            last = await group.spawn(forever)
            await gate.set()
        outcome = FailedGroup(group, error, failing, [first, last])
        outcome.after_block = True  # reached: the block did not raise
        return outcome

    return run(main)


def test_a_failing_member_under_wait_all_cancels_the_other_members() -> None:
    outcome = _group_with_a_failing_member()
    for other in outcome.others:
        assert other.terminated
        assert other.cancelled


def test_a_failing_member_does_not_make_the_async_with_block_raise() -> None:
    assert _group_with_a_failing_member().after_block


def test_exception_and_exceptions_report_the_failing_member() -> None:
    outcome = _group_with_a_failing_member()
    assert outcome.group.completed is outcome.failing
    assert outcome.group.exception is outcome.error
    assert outcome.group.exceptions == [outcome.error]


def test_results_and_result_raise_the_failing_members_own_exception() -> None:
    outcome = _group_with_a_failing_member()
    with pytest.raises(ValueError) as results_info:
        outcome.group.results  # noqa: B018
    with pytest.raises(ValueError) as result_info:
        outcome.group.result  # noqa: B018
    assert results_info.value is outcome.error
    assert result_info.value is outcome.error


def test_a_cancelled_member_is_neither_a_failure_nor_a_result() -> None:
    async def main() -> None:
        fast = Event()
        async with TaskGroup[Any](wait=any) as group:
            await group.spawn(forever)
            await group.spawn(value_after, fast, "winner")
            await group.spawn(forever)
            await fast.set()
        assert sum(task.cancelled for task in group.tasks) == 2  # still members
        assert group.exceptions == []
        assert group.results == ["winner"]

    run(main)


def test_an_error_a_member_raises_while_being_cancelled_is_in_exceptions() -> None:
    async def main() -> None:
        fast = Event()
        async with TaskGroup[Any](wait=any) as group:
            loser = await group.spawn(bad_loser)
            await group.spawn(value_after, fast, "winner")
            await fast.set()
        assert loser.cancelled
        assert [type(exc) for exc in group.exceptions] == [KeyError]
        assert group.exceptions[0] is loser.exception

    run(main)


def test_an_error_a_directly_cancelled_member_raises_is_still_in_exceptions() -> None:
    async def main() -> None:
        gate = Event()
        async with TaskGroup[Any]() as group:
            kept = await group.spawn(value_after, gate, 1)
            loser = await group.spawn(bad_loser)
            await loser.cancel()  # it leaves tasks, but its error is not lost
            assert group.tasks == [kept]
            await gate.set()
        assert [type(exc) for exc in group.exceptions] == [KeyError]
        assert group.exceptions[0] is loser.exception

    run(main)


# ---------------------------------------------------------------------- daemonic members


def test_daemonic_members_are_not_in_tasks() -> None:
    async def main() -> None:
        gate = Event()
        async with TaskGroup[Any]() as group:
            await group.spawn(forever, daemon=True)
            member = await group.spawn(value_after, gate, 1)
            assert group.tasks == [member]
            await gate.set()
        assert group.tasks == [member]

    run(main)


def test_daemonic_members_are_not_waited_for_and_are_cancelled_at_join() -> None:
    async def main() -> None:
        gate = Event()
        async with TaskGroup[Any]() as group:
            daemon = await group.spawn(forever, daemon=True)
            await group.spawn(value_after, gate, 1)
            await gate.set()
        # join() returned although the daemon never ends by itself...
        assert group.results == [1]
        # ...and it does not survive the group.
        assert daemon.terminated
        assert daemon.cancelled

    run(main)


# ---------------------------------------------------------------------- collecting members


def test_next_done_returns_members_in_completion_order_then_none() -> None:
    async def main() -> None:
        ended: list[int] = []
        gates = [Event() for _ in range(3)]
        async with TaskGroup[int]() as group:
            one = await group.spawn(relay, gates[0], ended, 1, None)
            two = await group.spawn(relay, gates[1], ended, 2, gates[0])
            three = await group.spawn(relay, gates[2], ended, 3, gates[1])
            await gates[2].set()
            done = [await group.next_done() for _ in range(3)]
            assert done == [three, two, one]
            assert await group.next_done() is None

    run(main)


def test_next_result_returns_the_value_of_the_next_member_to_end() -> None:
    async def main() -> list[str]:
        first, second = Event(), Event()
        async with TaskGroup[str]() as group:
            await group.spawn(value_after, first, "first")
            await group.spawn(value_after, second, "second")
            await second.set()
            got = [await group.next_result()]
            await first.set()
            got.append(await group.next_result())
        return got

    assert run(main) == ["second", "first"]


def test_next_result_raises_the_failed_members_own_exception() -> None:
    async def main() -> None:
        gate = Event()
        error = ValueError("member failed")
        async with TaskGroup[Any]() as group:
            await group.spawn(fail_after, gate, error)
            await gate.set()
            with pytest.raises(ValueError) as info:
                await group.next_result()
            assert info.value is error

    run(main)


def test_next_result_with_no_member_left_raises_runtime_error() -> None:
    async def main() -> None:
        gate = Event()
        await gate.set()
        async with TaskGroup[int]() as group:
            await group.spawn(value_after, gate, 1)
            assert await group.next_result() == 1
            with pytest.raises(RuntimeError):
                await group.next_result()

    run(main)


def test_async_for_yields_the_members_as_they_end() -> None:
    async def main() -> list[int]:
        ended: list[int] = []
        gates = [Event() for _ in range(3)]
        seen: list[int] = []
        async with TaskGroup[int]() as group:
            await group.spawn(relay, gates[0], ended, 1, None)
            await group.spawn(relay, gates[1], ended, 2, gates[0])
            await group.spawn(relay, gates[2], ended, 3, gates[1])
            await gates[2].set()
            async for task in group:
                seen.append(task.result)
        return seen

    assert run(main) == [3, 2, 1]


def test_result_of_a_group_where_no_task_completed_raises_runtime_error() -> None:
    async def main() -> None:
        async with TaskGroup[int]() as group:
            pass
        assert group.completed is None
        with pytest.raises(RuntimeError):
            group.result  # noqa: B018

    run(main)


# ---------------------------------------------------------------------- cancel_remaining


def test_cancel_remaining_cancels_the_running_members_and_waits_for_their_end() -> None:
    async def main() -> None:
        gate = Event()
        await gate.set()
        async with TaskGroup[Any]() as group:
            done = await group.spawn(value_after, gate, "done")
            running = [await group.spawn(forever) for _ in range(2)]
            assert (await group.next_done()) is done
            await group.cancel_remaining()
            for task in running:
                assert task.terminated
                assert task.cancelled
        assert not done.cancelled
        assert done.result == "done"

    run(main)


def test_cancel_remaining_leaves_daemonic_members_running() -> None:
    async def main() -> None:
        async with TaskGroup[Any]() as group:
            daemon = await group.spawn(forever, daemon=True)
            await group.spawn(forever)
            await group.cancel_remaining()
            assert not daemon.terminated
        assert daemon.terminated  # join() cancels it

    run(main)


def test_cancel_remaining_removes_the_cancelled_members_from_the_group() -> None:
    async def main() -> None:
        gate = Event()
        await gate.set()
        async with TaskGroup[Any]() as group:
            done = await group.spawn(value_after, gate, "done")
            await group.spawn(forever)
            await group.spawn(forever)
            await group.cancel_remaining()
            assert group.tasks == [done]

    run(main)


def test_an_error_a_member_raises_while_cancel_remaining_cancels_it_is_in_exceptions() -> None:
    async def main() -> None:
        async with TaskGroup[Any]() as group:
            loser = await group.spawn(bad_loser)
            await group.spawn(forever)
            await group.cancel_remaining()
        assert [type(exc) for exc in group.exceptions] == [KeyError]
        assert group.exceptions[0] is loser.exception

    run(main)


# ---------------------------------------------------------------------- nothing outlives the group


def test_an_exception_in_the_block_cancels_every_member_and_propagates() -> None:
    members: list[Task[None]] = []

    async def block() -> None:
        async with TaskGroup[None]() as group:
            t1 = await group.spawn(forever)
            t2 = await group.spawn(forever)
            t3 = await group.spawn(forever)
            members.extend([t1, t2, t3])
            raise RuntimeError("the block failed")

    async def main() -> None:
        with pytest.raises(RuntimeError, match="the block failed"):
            await block()
        # All launched tasks have terminated, cancelled, once the exception is caught.
        t1, t2, t3 = members
        assert t1.terminated
        assert t2.terminated
        assert t3.terminated
        assert all(task.cancelled for task in members)

    run(main)


def test_cancelling_the_task_waiting_in_join_leaves_no_member_running() -> None:
    members: list[Task[None]] = []

    async def block(joining: Event) -> None:
        async with TaskGroup[None]() as group:
            members.extend([await group.spawn(forever), await group.spawn(forever)])
            await joining.set()  # the block ends next: the join waits for the members

    async def main() -> None:
        joining = Event()
        runner = await spawn(block, joining)
        await joining.wait()
        assert not runner.terminated  # waiting in join()
        assert await runner.cancel()
        assert runner.cancelled
        assert len(members) == 2
        for member in members:
            assert member.terminated
            assert member.cancelled

    run(main)
