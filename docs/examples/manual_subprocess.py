"""The manual's subprocess example: read a child's output line by line as it comes.

The manual pings a web server; this version runs a small Python child instead, so it
needs no network and ends by itself.  It drives the kernel by hand, as the manual does; the
``with`` block closes the kernel afterwards, and ``async with`` closes the child's pipes.
"""

import sys

import curio
from curio import subprocess

CHILD = "import time\nfor n in range(3):\n    print('line', n, flush=True)\n    time.sleep(0.01)"


async def main() -> None:
    async with subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE) as p:
        assert p.stdout is not None
        async for line in p.stdout:
            print("Got:", line.decode("ascii"), end="")
        print("exit status", await p.wait())


if __name__ == "__main__":
    with curio.Kernel() as kernel:
        kernel.add_task(main())
        kernel.run()
