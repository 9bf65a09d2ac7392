"""A synchronization primitive of your own, built on the trap protocol alone.

A ``Latch`` opens once its count reaches zero: tasks that ``wait()`` sleep on a kernel
queue until then.  It uses nothing but traps from :mod:`curio_traps`, so it runs under
any kernel that answers them, just like the primitives of curio-sync.
"""

import curio
from curio_traps import WaitQueue, _reschedule_tasks, _wait_on_queue


class Latch:
    """Let waiters through once :meth:`count_down` has been called *count* times."""

    def __init__(self, count: int) -> None:
        if count < 0:
            raise ValueError(f"a latch needs a count of zero or more, got {count}")
        self._count = count
        self._waiting = WaitQueue()

    @property
    def count(self) -> int:
        return self._count

    async def wait(self) -> None:
        if self._count > 0:
            # Sleep on our queue; a cancelled waiter is taken off it by the kernel.
            await _wait_on_queue(self._waiting, "LATCH_WAIT")

    async def count_down(self) -> None:
        if self._count == 0:
            return
        self._count -= 1
        if self._count == 0 and self._waiting:
            await _reschedule_tasks(self._waiting, n=len(self._waiting))


async def runner(name: str, latch: Latch) -> None:
    await latch.wait()
    print(name, "starts")


async def main() -> None:
    latch = Latch(3)
    runners = [await curio.spawn(runner(name, latch)) for name in ("ann", "bob")]
    for n in (3, 2, 1):
        print("count", n)
        await latch.count_down()
    for task in runners:
        await task.join()


if __name__ == "__main__":
    curio.run(main)
