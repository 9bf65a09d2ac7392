"""RLock: reentrancy, ownership and hand-over."""

from __future__ import annotations

import pytest

from curio_kernel import run, spawn
from curio_sync import RLock


def test_holder_may_nest_and_last_release_frees() -> None:
    async def main() -> None:
        lock = RLock()
        async with lock:
            async with lock:
                await lock.acquire()
                assert lock.locked()
                await lock.release()
            assert lock.locked()
        assert not lock.locked()

    run(main)


def test_other_task_waits_until_every_level_is_released() -> None:
    order: list[str] = []

    async def other(lock: RLock) -> None:
        async with lock:
            order.append("other")

    async def main() -> None:
        lock = RLock()
        await lock.acquire()
        await lock.acquire()
        t = await spawn(other(lock))
        await lock.release()
        order.append("main released once")
        await lock.release()
        await t.join()

    run(main)
    assert order == ["main released once", "other"]


def test_release_without_holding_is_an_error() -> None:
    async def stranger(lock: RLock) -> None:
        with pytest.raises(RuntimeError, match="another task"):
            await lock.release()

    async def main() -> None:
        lock = RLock()
        with pytest.raises(RuntimeError, match="not held"):
            await lock.release()
        async with lock:
            await (await spawn(stranger(lock))).join()
            assert lock.locked()

    run(main)


def test_cancelled_waiter_leaves_rlock_with_its_holder() -> None:
    async def waiter(lock: RLock) -> None:
        async with lock:
            raise AssertionError("never gets the lock")

    async def main() -> None:
        lock = RLock()
        async with lock:
            t = await spawn(waiter(lock))
            await t.cancel()
            assert lock.locked()
        assert not lock.locked()

    run(main)
