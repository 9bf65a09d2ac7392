"""Several tasks at once: spawn them, collect their results, cancel the one you don't need."""

import curio


async def fetch(name: str, delay: float) -> str:
    await curio.sleep(delay)
    return f"{name} after {delay}s"


async def crash() -> None:
    await curio.sleep(0.01)
    raise ValueError("no such thing")


async def main() -> None:
    quick = await curio.spawn(fetch("quick", 0.02))
    slow = await curio.spawn(fetch("slow", 0.05))
    endless = await curio.spawn(fetch("endless", 3600))

    # join() waits for a task and gives back what its coroutine returned.
    print(await quick.join())
    print(await slow.join())

    # cancel() stops a task and waits until it has really ended.
    print("cancelled endless:", await endless.cancel())

    # A task that fails hands its exception to whoever joins it, wrapped in TaskError.
    broken = await curio.spawn(crash())
    try:
        await broken.join()
    except curio.TaskError as exc:
        print("broken failed with", repr(exc.__cause__))


if __name__ == "__main__":
    curio.run(main)
