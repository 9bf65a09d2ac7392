"""A task crashes under ``Kernel.run(pdb=True)``; its parent joins it afterwards."""

from __future__ import annotations

import curio_kernel as ck


async def crasher() -> None:
    secret = 6 * 7
    raise ValueError(f"crashed with {secret}")


async def main() -> None:
    child = await ck.spawn(crasher)
    try:
        await child.join()
    except ck.TaskError as exc:
        print(f"main saw: {exc.__cause__!r}", flush=True)


with ck.Kernel() as kernel:
    kernel.run(main(), pdb=True)
print("program ended", flush=True)
