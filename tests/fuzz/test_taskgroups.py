"""Randomized task groups: members never outlive the ``async with TaskGroup()`` block.

Each round's parents open a group (``wait=all``, ``any`` or ``None``) inside random
timeout blocks and spawn members that return, fail, take a while or wait until cancelled,
and that clean up, blocking, when they are.  In the block a parent does nothing, takes
steps, waits for ``next_done()``, calls ``cancel_remaining()``, waits until a timeout or
a cancellation ends it, or raises.  Other tasks cancel parents (and sometimes members
directly), once or twice, at random steps: often while the parent waits in the group's
``__aexit__`` for members that are slow to clean up, with a timeout of the parent's due.

However the block is left, every member has ended by then, and ``cancel_remaining()``
ends every member before it returns or raises.  A parent whose cancellation a timeout
replaced carries on to the end of its work: the round reports that (and a hang, if its
canceller waits for it).
"""

from __future__ import annotations

import random
from typing import Any

from curio_kernel import CancelledError, Task, TaskError, TaskGroup, sleep
from curio_sync import Event
from curio_traps import is_timeout


class _Boom(Exception):
    """The failure of a member, or of a group's block."""


def test_members_never_outlive_their_group(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        never = Event()

        async def clean_up(rng: random.Random) -> None:
            how = rng.choice(("steps", "steps", "bounded", "none"))
            if how == "steps":
                await r.steps(rng, 8)
            elif how == "bounded":
                await r.guarded(rng, never.wait, depth=rng.randint(1, 2))

        async def member(rng: random.Random, kind: str) -> int:
            try:
                await sleep(0)  # adopted by its group before it can fail
                await r.steps(rng, 10)
                if kind == "fail":
                    raise _Boom("a member failed")
                if kind == "wait":
                    await never.wait()
                return 1
            except CancelledError:
                await clean_up(rng)
                raise

        def ended(group: TaskGroup[int], what: str) -> None:
            alive = [t.name for t in group.tasks if not t.terminated]
            r.check(not alive, f"members still running after {what}: {alive}")

        members: list[Task[int]] = []

        async def parent(rng: random.Random) -> None:
            policy = rng.choice((all, any, object, None))
            groups: list[TaskGroup[int]] = []

            async def block() -> None:
                async with TaskGroup(wait=policy) as group:
                    groups.append(group)
                    for _ in range(rng.randint(0, 4)):
                        kind = rng.choice(("return", "fail", "wait", "wait"))
                        members.append(await group.spawn(member(r.fork(), kind)))
                    action = rng.choice(
                        ("nothing", "steps", "next_done", "cancel_remaining", "wait", "raise")
                    )
                    try:
                        if action == "steps":
                            await r.steps(rng, 8)
                        elif action == "next_done":
                            done = await group.next_done()
                            r.check(done is None or done.terminated, f"next_done() gave {done!r}")
                        elif action == "cancel_remaining":
                            try:
                                await group.cancel_remaining()
                            finally:
                                ended(group, "cancel_remaining()")
                        elif action == "wait":
                            await r.guarded(rng, never.wait, depth=rng.randint(0, 2))
                        elif action == "raise":
                            await r.steps(rng, 4)
                            raise _Boom("the block failed")
                    except CancelledError:
                        await clean_up(rng)  # in the group's block, before __aexit__ waits
                        raise

            try:
                await r.guarded(rng, block)
            except TaskError as exc:
                r.fail(f"wait={policy}: the group raised {exc!r}; it reports failures instead")
            except _Boom:
                pass
            finally:
                for group in groups:
                    ended(group, f"the block of a TaskGroup(wait={policy})")
            await r.park()

        parents: list[Task[None]] = []
        for k in range(r.rng.randint(1, 3)):
            rng = r.fork()
            parents.append(await r.spawn(f"parent-{k}", lambda rng=rng: parent(rng)))
        await r.cancel_some(parents)
        rng = r.fork()
        for _ in range(rng.randint(0, 2)):
            await r.steps(rng, 6)
            if members:
                await r.cancel_later(rng, rng.choice(members), most_steps=4)
        await r.settle(parents)
        await r.sweep()
        for task in parents:
            exc = task.exception
            r.check(
                isinstance(exc, CancelledError) and not is_timeout(exc),
                f"{task.name} ended with {exc!r}, not with its cancellation",
            )
        alive = [t.name for t in members if not t.terminated]
        r.check(not alive, f"members still running at the end: {alive}")

    fuzz.play(scenario)


def test_a_member_failing_in_its_first_step_is_reported_by_its_group_not_logged(
    fuzz: Any,
) -> None:
    """A member that fails at once, inside ``spawn()``, is the group's to report (in
    ``exceptions``), as much as one that fails later: the kernel must not log it as a
    crash nobody waited for."""

    async def scenario(r: Any) -> None:
        rng = r.fork()

        async def member(steps: int) -> None:
            for _ in range(steps):
                await sleep(0)
            raise _Boom("a member failed")

        async with TaskGroup() as group:
            for _ in range(rng.randint(1, 3)):
                await group.spawn(member, rng.randint(0, 2))
        r.check(
            bool(group.exceptions) and all(isinstance(e, _Boom) for e in group.exceptions),
            f"the group reports {group.exceptions!r}, not its failed members",
        )
        r.check(isinstance(group.exception, _Boom), f"group.exception is {group.exception!r}")

    fuzz.play(scenario)
