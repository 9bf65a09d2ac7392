"""SystemExit and KeyboardInterrupt raised by a task end the whole run, cleanly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from curio_kernel import Kernel, run, sleep, spawn


@pytest.mark.parametrize("fatal", [SystemExit, KeyboardInterrupt])
def test_fatal_exception_in_a_child_ends_run_after_cleanup(
    fatal: type[BaseException], flag: Callable[[], Any]
) -> None:
    never = flag()
    cleaned: list[str] = []

    async def bystander(name: str) -> None:
        try:
            await never.wait()
        finally:
            cleaned.append(name)

    async def exiting() -> None:
        await sleep(0)
        raise fatal()

    async def main() -> None:
        await spawn(bystander("child"))
        await spawn(bystander("daemon"), daemon=True)
        await spawn(exiting())
        try:
            await never.wait()
        finally:
            cleaned.append("main")

    with pytest.raises(fatal):
        run(main)
    assert sorted(cleaned) == ["child", "daemon", "main"]


def test_system_exit_in_main_propagates() -> None:
    async def main() -> None:
        raise SystemExit(3)

    with pytest.raises(SystemExit) as info:
        run(main)
    assert info.value.code == 3


def test_kernel_is_usable_after_main_crashed() -> None:
    async def crash() -> None:
        raise ValueError("first run")

    async def fine() -> str:
        await sleep(0)
        return "second run"

    with Kernel() as kernel:
        with pytest.raises(ValueError, match="first run"):
            kernel.run(crash())
        assert kernel.run(fine()) == "second run"


def test_pdb_option_opens_the_post_mortem_debugger(monkeypatch: pytest.MonkeyPatch) -> None:
    import pdb  # noqa: T100 - replaced by a recorder: the test checks the debugger is called

    seen: list[object] = []
    monkeypatch.setattr(pdb, "post_mortem", seen.append)

    async def crash() -> None:
        raise ValueError("debug me")

    async def main() -> None:
        task = await spawn(crash())
        assert task.exc_info is not None
        seen.append(task.exc_info[2])

    run(main, pdb=True)
    assert len(seen) == 2
    assert seen[0] is seen[1]  # the debugger got the crash's traceback
