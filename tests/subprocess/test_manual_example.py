"""The manual's Popen example, with a local command in place of ``ping``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from curio_kernel import Kernel
from curio_subprocess import PIPE, Popen


def test_streaming_the_output_of_a_child_line_by_line(
    python: Callable[[str], list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    command = python("for i in range(5):\n    print(f'reply {i}', flush=True)")

    async def main() -> None:
        p = Popen(command, stdout=PIPE)
        assert p.stdout is not None
        async for line in p.stdout:
            print("Got:", line.decode("ascii"), end="")
        await p.wait()  # the example leaves the child to the interpreter; a test reaps it
        await p.stdout.close()

    with Kernel() as kernel:
        kernel.add_task(main())
        kernel.run()

    assert capsys.readouterr().out == "".join(f"Got: reply {i}\n" for i in range(5))
