"""The manual's Lock example: the child gets the lock only after the parent lets it go."""

import curio


async def child(lck: curio.Lock) -> None:
    async with lck:
        print("Child has the lock")


async def main() -> None:
    lck = curio.Lock()
    async with lck:
        print("Parent has the lock")
        kid = await curio.spawn(child(lck))
        await curio.sleep(0.05)
        print("Parent releases the lock")
    await kid.join()


if __name__ == "__main__":
    curio.run(main)
