"""A program with the monitor whose only task computes forever without yielding."""

from __future__ import annotations

import curio_kernel as ck


async def spin() -> None:
    print("READY", flush=True)
    while True:
        pass


ck.run(spin, with_monitor=True)
