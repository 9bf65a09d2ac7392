"""ignore_after: expiry ends the block or the coroutine quietly."""

from __future__ import annotations

from curio_kernel import ignore_after, run, sleep


async def slow(value: str, seconds: float = 10.0) -> str:
    await sleep(seconds)
    return value


def test_block_expires_quietly() -> None:
    reached: list[str] = []

    async def main() -> tuple[bool, list[str]]:
        async with ignore_after(0.01) as block:
            await sleep(10)
            reached.append("after sleep")
        return block.expired, reached

    assert run(main) == (True, [])


def test_block_in_time() -> None:
    async def main() -> tuple[bool, str]:
        async with ignore_after(5) as block:
            value = await slow("quick", 0)
        return block.expired, value

    assert run(main) == (False, "quick")


def test_around_a_coroutine_returns_none_on_expiry() -> None:
    async def main() -> str | None:
        return await ignore_after(0.01, slow("late"))

    assert run(main) is None


def test_around_a_coroutine_returns_its_result_in_time() -> None:
    async def main() -> str | None:
        return await ignore_after(5, slow("quick", 0.001))

    assert run(main) == "quick"


def test_timeout_result() -> None:
    async def main() -> tuple[object, object]:
        a = await ignore_after(0.01, slow("late"), timeout_result="fallback")
        b = await ignore_after(0.01, slow, "late", 10.0, timeout_result=-1)
        return a, b

    assert run(main) == ("fallback", -1)


def test_timeout_result_is_not_used_in_time() -> None:
    async def main() -> object:
        return await ignore_after(5, slow, "quick", 0.0, timeout_result="fallback")

    assert run(main) == "quick"


def test_block_result_attribute() -> None:
    async def main() -> tuple[object, object]:
        async with ignore_after(0.01) as late:
            await sleep(10)
        async with ignore_after(5) as fine:
            await sleep(0)
        return late.result, fine.result

    assert run(main) == (None, None)


def test_no_spurious_cancellation_after_an_ignore_after_block() -> None:
    async def main() -> str:
        async with ignore_after(0.02):
            await sleep(0)
        await sleep(0.05)
        return "uninterrupted"

    assert run(main) == "uninterrupted"


def test_none_means_no_limit() -> None:
    async def main() -> tuple[bool, str | None]:
        async with ignore_after(None) as block:
            await sleep(0.01)
        return block.expired, await ignore_after(None, slow("done", 0.01))

    assert run(main) == (False, "done")
