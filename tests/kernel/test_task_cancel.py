"""Task.cancel(): its result, its exception, and that it waits for the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import CancelledError, TaskError, clock, current_task, run, sleep, spawn
from curio_kernel.testing import MockClock


def test_cancel_returns_true_for_a_running_task(flag: Callable[[], Any]) -> None:
    never = flag()

    async def main() -> tuple[bool, bool, str]:
        task = await spawn(never.wait())
        cancelled = await task.cancel()
        return cancelled, task.terminated, task.state

    assert run(main) == (True, True, "TERMINATED")


def test_cancel_returns_false_for_a_finished_task() -> None:
    async def child() -> int:
        return 1

    async def main() -> tuple[bool, int]:
        task = await spawn(child())
        return await task.cancel(), await task.join()

    assert run(main) == (False, 1)


def test_cancel_twice(flag: Callable[[], Any]) -> None:
    never = flag()

    async def main() -> tuple[bool, bool]:
        task = await spawn(never.wait())
        return await task.cancel(), await task.cancel()

    assert run(main) == (True, False)


def test_cancel_waits_until_the_finally_block_ran(
    flag: Callable[[], Any], virtual_clock: MockClock
) -> None:
    never = flag()
    log: list[str] = []

    async def child() -> None:
        try:
            await never.wait()
        finally:
            log.append("cleanup start")
            await sleep(0.01)  # cleanup that blocks: cancel() still waits for it
            await sleep(0)
            log.append(f"cleanup end at {await clock()}")

    async def main() -> None:
        task = await spawn(child())
        await task.cancel()
        log.append("cancel returned")

    run(main, clock=virtual_clock)
    assert log == ["cleanup start", "cleanup end at 0.01", "cancel returned"]


def test_cancel_with_a_custom_exception_class(flag: Callable[[], Any]) -> None:
    never = flag()

    class Stop(Exception):
        pass

    seen: list[BaseException] = []

    async def child() -> None:
        try:
            await never.wait()
        except Stop as exc:
            seen.append(exc)
            raise

    async def main() -> BaseException | None:
        task = await spawn(child())
        assert await task.cancel(exc=Stop) is True
        try:
            await task.join()
        except TaskError as exc:
            return exc.__cause__
        return None

    cause = run(main, log_errors=False)
    assert isinstance(cause, Stop)
    assert seen == [cause]


def test_cancel_with_an_exception_instance(flag: Callable[[], Any]) -> None:
    never = flag()
    instance = CancelledError("stop now")
    seen: list[BaseException] = []

    async def child() -> None:
        try:
            await never.wait()
        except CancelledError as exc:
            seen.append(exc)
            raise

    async def main() -> None:
        task = await spawn(child())
        await task.cancel(exc=instance)

    run(main)
    assert seen == [instance]


def test_cancel_with_a_non_exception_is_a_type_error(flag: Callable[[], Any]) -> None:
    never = flag()

    async def main() -> None:
        task = await spawn(never.wait())
        try:
            with pytest.raises(TypeError):
                await task.cancel(exc=42)  # type: ignore[arg-type]
            with pytest.raises(TypeError):
                await task.cancel(exc=int)  # type: ignore[arg-type]
            assert not task.terminated
        finally:
            await task.cancel()

    run(main)


def test_task_that_catches_cancellation_and_returns_a_value(flag: Callable[[], Any]) -> None:
    never = flag()

    async def child() -> str:
        try:
            await never.wait()
        except CancelledError:
            return "handled"
        return "not cancelled"

    async def main() -> tuple[bool, str]:
        task = await spawn(child())
        cancelled = await task.cancel()
        return cancelled, await task.join()

    assert run(main) == (True, "handled")


def test_cancel_itself_raises_in_the_caller() -> None:
    reached: list[str] = []

    async def main() -> None:
        me = await current_task()
        await me.cancel()
        reached.append("after")

    with pytest.raises(CancelledError):
        run(main)
    assert reached == []


def test_a_task_waiting_in_cancel_waits_on_when_it_is_cancelled_itself(
    flag: Callable[[], Any],
) -> None:
    never, cleanup_gate = flag(), flag()
    log: list[str] = []

    async def victim() -> None:
        try:
            await never.wait()
        finally:
            await cleanup_gate.wait()  # cleanup that blocks until main opens the gate
            log.append("victim ended")

    async def canceller(task: Any) -> None:
        try:
            await task.cancel()
        finally:
            log.append("canceller ended")

    async def main() -> None:
        v = await spawn(victim())
        c = await spawn(canceller(v))
        # Cancelling the canceller does not end its wait: the victim must not be
        # left running.  Its own cancellation is raised once the victim has ended.
        assert await c.cancel(blocking=False) is True
        for _ in range(5):
            await sleep(0)
        assert log == []
        assert not c.terminated
        assert not v.terminated
        await cleanup_gate.set()
        await c.wait()
        assert isinstance(c.exception, CancelledError)
        assert v.terminated
        assert log == ["victim ended", "canceller ended"]

    run(main)
