"""ignore_after: expiry ends the block or the coroutine quietly."""

from __future__ import annotations

from curio_kernel import clock, ignore_after, run, sleep
from curio_kernel.testing import MockClock


async def slow(value: str, seconds: float = 10.0) -> str:
    await sleep(seconds)
    return value


def test_block_expires_quietly(virtual_clock: MockClock) -> None:
    reached: list[str] = []

    async def main() -> tuple[bool, list[str], float]:
        async with ignore_after(0.01) as block:
            await sleep(10)
            reached.append("after sleep")
        return block.expired, reached, await clock()

    assert run(main, clock=virtual_clock) == (True, [], 0.01)


def test_block_in_time() -> None:
    async def main() -> tuple[bool, str]:
        async with ignore_after(5) as block:
            value = await slow("quick", 0)
        return block.expired, value

    assert run(main) == (False, "quick")


def test_around_a_coroutine_returns_none_on_expiry(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str | None, float]:
        return await ignore_after(0.01, slow("late")), await clock()

    assert run(main, clock=virtual_clock) == (None, 0.01)


def test_around_a_coroutine_returns_its_result_in_time(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str | None, float]:
        return await ignore_after(5, slow("quick", 4.5)), await clock()

    assert run(main, clock=virtual_clock) == ("quick", 4.5)


def test_timeout_result(virtual_clock: MockClock) -> None:
    async def main() -> tuple[object, object, float]:
        a = await ignore_after(0.01, slow("late"), timeout_result="fallback")
        b = await ignore_after(0.02, slow, "late", 10.0, timeout_result=-1)
        return a, b, await clock()

    assert run(main, clock=virtual_clock) == ("fallback", -1, 0.03)


def test_timeout_result_is_not_used_in_time() -> None:
    async def main() -> object:
        return await ignore_after(5, slow, "quick", 0.0, timeout_result="fallback")

    assert run(main) == "quick"


def test_block_result_attribute(virtual_clock: MockClock) -> None:
    async def main() -> tuple[object, object, float]:
        async with ignore_after(0.01) as late:
            await sleep(10)
        async with ignore_after(5) as fine:
            await sleep(0)
        return late.result, fine.result, await clock()

    assert run(main, clock=virtual_clock) == (None, None, 0.01)


def test_no_spurious_cancellation_after_an_ignore_after_block(virtual_clock: MockClock) -> None:
    async def main() -> tuple[str, float]:
        async with ignore_after(0.02):
            await sleep(0)
        # The block's deadline passes during this sleep: nothing may fire.
        await sleep(0.05)
        return "uninterrupted", await clock()

    assert run(main, clock=virtual_clock) == ("uninterrupted", 0.05)


def test_none_means_no_limit(virtual_clock: MockClock) -> None:
    async def main() -> tuple[bool, str | None, float]:
        async with ignore_after(None) as block:
            await sleep(3600)
        return block.expired, await ignore_after(None, slow("done", 3600)), await clock()

    assert run(main, clock=virtual_clock) == (False, "done", 7200.0)
