"""Kernel.shutdown(): every remaining task is cancelled and its cleanup runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import CancelledError, Kernel, clock, sleep, spawn
from curio_kernel.testing import MockClock


async def nap(seconds: float) -> None:
    """A coroutine that sleeps (``sleep()`` itself returns a plain awaitable)."""
    await sleep(seconds)


def test_shutdown_cancels_daemons_and_runs_their_finally_blocks(flag: Callable[[], Any]) -> None:
    never = flag()
    cleaned: list[str] = []

    async def daemon(name: str) -> None:
        try:
            await never.wait()
        finally:
            cleaned.append(name)

    async def main() -> None:
        await spawn(daemon("queue waiter"), daemon=True)
        await spawn(nap(3600), daemon=True)

    kernel = Kernel()
    try:
        kernel.run(main())
        assert len(kernel.tasks) == 2
        kernel.shutdown()
        assert kernel.tasks == []
        assert cleaned == ["queue waiter"]
    finally:
        kernel.close()


def test_shutdown_after_stop_cancels_non_daemon_tasks(flag: Callable[[], Any]) -> None:
    never = flag()
    cleaned: list[str] = []
    seen: list[BaseException] = []

    async def child() -> None:
        try:
            await never.wait()
        except CancelledError as exc:
            seen.append(exc)
            raise
        finally:
            cleaned.append("child")

    async def main(kernel: Kernel) -> None:
        try:
            await spawn(child())
            kernel.stop()
            await sleep(0)
        finally:
            cleaned.append("main")

    kernel = Kernel()
    try:
        kernel.run(main(kernel))
        assert cleaned == []
        kernel.shutdown()
        assert sorted(cleaned) == ["child", "main"]
        assert len(seen) == 1
        assert isinstance(seen[0], CancelledError)
    finally:
        kernel.close()


def test_shutdown_waits_for_cleanup_that_blocks(virtual_clock: MockClock) -> None:
    cleaned: list[tuple[str, float]] = []

    async def slow_cleanup() -> None:
        try:
            await sleep(3600)
        finally:
            # Cleanup may itself wait: shutdown returns only after it ends.
            # (A cancelled task's next blocking trap does not raise again.)
            await sleep(0.01)
            await sleep(0)
            cleaned.append(("done", await clock()))

    async def main() -> None:
        await spawn(slow_cleanup(), daemon=True)

    kernel = Kernel(clock=virtual_clock)
    try:
        kernel.run(main())
        kernel.shutdown()
        assert cleaned == [("done", 0.01)]
    finally:
        kernel.close()


def test_shutdown_inside_a_coroutine_is_refused() -> None:
    async def main(kernel: Kernel) -> None:
        kernel.shutdown()

    with Kernel() as kernel, pytest.raises(RuntimeError, match="shutdown"):
        kernel.run(main(kernel))


def test_shutdown_twice_is_harmless() -> None:
    async def main() -> None:
        await spawn(nap(3600), daemon=True)

    kernel = Kernel()
    try:
        kernel.run(main())
        kernel.shutdown()
        kernel.shutdown()
        assert kernel.tasks == []
    finally:
        kernel.close()


def test_shutdown_of_a_kernel_that_never_ran() -> None:
    kernel = Kernel()
    try:
        kernel.shutdown()
        assert kernel.tasks == []
    finally:
        kernel.close()


def test_shutdown_cancels_tasks_added_but_never_run() -> None:
    started: list[str] = []

    async def never_started() -> None:
        started.append("ran")

    kernel = Kernel()
    try:
        task = kernel.add_task(never_started())
        kernel.shutdown()
        assert task.terminated
        assert kernel.tasks == []
    finally:
        kernel.close()


def test_a_task_spawned_during_shutdown_is_cancelled_too() -> None:
    import curio_kernel as ck

    async def sleeper() -> None:
        await ck.sleep(1000)

    async def main(kernel: ck.Kernel) -> None:
        kernel.stop()
        try:
            await ck.sleep(1000)
        finally:
            await ck.spawn(sleeper)  # spawned while shutdown cancels main

    with ck.Kernel() as kernel:
        kernel.run(main(kernel))
    assert kernel.tasks == []
