"""The manual's Event example: waiters block until one ``set()`` wakes them all."""

import curio


async def waiter(evt: curio.Event) -> None:
    print("Waiting")
    await evt.wait()
    print("Running")


async def main() -> None:
    evt = curio.Event()
    # Create a few waiters
    waiters = [await curio.spawn(waiter(evt)) for _ in range(3)]

    await curio.sleep(0.05)

    # Set the event. All waiters should wake up
    await evt.set()
    for task in waiters:
        await task.join()


if __name__ == "__main__":
    curio.run(main)
